"""Guards for the wagtail-localize wrappers.

Each wrapper in this package wraps a wagtail-localize internal that has no stable API: the wrappers are only right
for the code they were written against. Every module of the package declares what it wraps as ``UPSTREAM`` (and the
other attributes it uses as ``ATTRIBUTES``); before installing anything, ``cms.localize.install()`` checks the
installed wagtail-localize version against the range verified and a fingerprint of each function's code against the
one verified. On any difference it raises ``ImproperlyConfigured`` from ``CmsConfig.ready()``, so ``runserver``,
``migrate``, ``check`` and every worker refuse to start instead of running the wrappers over code they were not
written for.
"""

import ast
import hashlib
import importlib
import importlib.metadata
import inspect
import re
import textwrap
from dataclasses import dataclass

# The wagtail-localize releases the wrappers were verified on: from the first (inclusive) to the second (exclusive).
# Within the range the fingerprints still have to match; a patch release that changes none of the wrapped code
# passes, one that does is caught.
VERIFIED_VERSIONS = ((1, 14, 5), (1, 15))


@dataclass(frozen=True)
class Upstream:
    """One wagtail-localize (or Wagtail) function the code here wraps or stands in for, as it was when verified."""

    path: str  # "module:qualname"
    fingerprint: str  # see ``fingerprint()``
    relies_on: str  # what the wrapper assumes about it: what to re-verify when it changed


def fingerprint(function):
    """A short hash of a function's code: its source parsed and printed back by ``ast``, so comments, formatting
    and the docstring do not count; its name, decorators, arguments and every statement do."""
    return source_fingerprint(inspect.getsource(function))


def source_fingerprint(source):
    node = ast.parse(textwrap.dedent(source)).body[0]
    first = node.body[0]
    docstring = (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    )
    if docstring and len(node.body) > 1:
        node.body = node.body[1:]
    return hashlib.sha256(ast.unparse(node).encode()).hexdigest()[:16]


def resolve(path):
    module_name, _, qualname = path.partition(":")
    obj = importlib.import_module(module_name)
    for name in qualname.split("."):
        obj = getattr(obj, name)
    return obj


def original(path):
    """The upstream function, under the wrappers ``install()`` put in its place (they keep it as ``__wrapped__``)."""
    function = resolve(path)
    while getattr(function, "installed_by_cms", False):
        function = function.__wrapped__
    return function


def _release(version):
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    return tuple(int(part) for part in match.groups(default="0")) if match else ()


def _dotted(release):
    return ".".join(str(part) for part in release)


def version_problems(upstream):
    installed = importlib.metadata.version("wagtail-localize")
    low, high = VERIFIED_VERSIONS
    if low <= _release(installed) < high:
        return []
    return [
        f"wagtail-localize {installed} is installed; the wrappers of "
        f"{', '.join(patch.path for patch in upstream)} were verified on {_dotted(low)} up to (not including) "
        f"{_dotted(high)}."
    ]


def code_problems(upstream, attributes):
    problems = []
    for path in attributes:
        try:
            resolve(path)
        except (ImportError, AttributeError) as error:
            problems.append(f"{path} no longer exists ({error}); the wrappers in cms/localize/ use it.")
    for patch in upstream:
        try:
            found = fingerprint(original(patch.path))
        except (ImportError, AttributeError, OSError, TypeError) as error:
            problems.append(f"{patch.path} cannot be found or read ({error}); cms/localize/ wraps it.")
            continue
        if found != patch.fingerprint:
            problems.append(
                f"{patch.path} changed: fingerprint {found}, verified {patch.fingerprint}. "
                f"cms/localize/ relies on this: {patch.relies_on}."
            )
    return problems


def mark(wrapper):
    """Marks a wrapper as ours, so that ``original()`` finds the upstream function below it."""
    wrapper.installed_by_cms = True
    return wrapper
