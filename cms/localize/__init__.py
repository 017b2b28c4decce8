"""Safety around wagtail-localize, one module per concern:

- ``drafts``: drafts and untranslated content stay out of live pages and snippets;
- ``rights``: translators stay in their languages;
- ``po``: PO files say what they could not import;
- ``machine``: machine translation that fails says so;
- ``slugs``: slugs of every language are readable ASCII;
- ``progress``: what translators have left to do, and telling them when a source changes.

``guard`` refuses start-up when the wagtail-localize code the modules wrap is not the code they were verified on.
"""

from django.core.exceptions import ImproperlyConfigured

from . import drafts, guard, machine, po, progress, rights, slugs

MODULES = (drafts, rights, po, machine, slugs, progress)
UPSTREAM = tuple(patch for module in MODULES for patch in module.UPSTREAM)
ATTRIBUTES = tuple(path for module in MODULES for path in module.ATTRIBUTES)


def upstream_problems():
    """What no longer matches the wagtail-localize the wrappers were verified on; empty when everything does."""
    problems = guard.version_problems(UPSTREAM) + guard.code_problems(UPSTREAM, ATTRIBUTES)
    for module in MODULES:
        extra = getattr(module, "extra_problems", None)
        if extra is not None:
            problems += extra()
    return problems


def check_upstream():
    problems = upstream_problems()
    if problems:
        raise ImproperlyConfigured(
            "cms.localize wraps wagtail-localize internals that are not as they were verified:\n- "
            + "\n- ".join(problems)
            + "\nRe-verify each wrapper against the new code (tests/cms/test_localisation.py exercises them), then "
            "update the module's UPSTREAM (or rights.PERMISSION_CALLERS, guard.VERIFIED_VERSIONS) with the values "
            "found."
        )


def install():
    # Checked on every call, before anything is wrapped: a second install() also refuses a changed upstream.
    check_upstream()
    for module in MODULES:
        module.install()
