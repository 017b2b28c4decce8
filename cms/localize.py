"""Safety around wagtail-localize: drafts stay out of live content, translators stay in their languages,
and a stale PO file says what it could not import.

Drafts.

wagtail-localize saves a translation as a draft by writing the translated content to the object's row and
then making a revision. For a translation that is already live that row *is* the published content: a
"draft" save (the translation editor's save, or a sync after the source changed) would publish untranslated
or half-translated text, and for snippets it even sets ``live = False``. ``install()`` wraps the one method
every such path goes through, so that after a draft save the live row is put back from its live revision
and the new content stays in the latest revision, as with any other Wagtail draft.

Languages. wagtail-localize checks translators' rights with one function (model permissions only); it is
extended with the per-group language limits of ``cms.GroupLocalePermission``.

Stale PO files. ``Translation.import_po`` returns what it skipped (strings that no longer exist in the
source) but the upload view drops that list; ``upload_pofile`` below tells the translator.

Guards. Each of these wraps a wagtail-localize internal that has no stable API: the wrappers are only right for
the code they were written against. ``install()`` therefore first checks, for every function it wraps (and the
view it serves in place of), the installed wagtail-localize version against the range verified and a fingerprint
of the function's code against the one verified, and that the attributes the wrappers use still exist; on any
difference it raises ``ImproperlyConfigured`` from ``CmsConfig.ready()``, so ``runserver``, ``migrate``, ``check``
and every worker refuse to start instead of running the wrappers over code they were not written for.
"""

import ast
import functools
import hashlib
import importlib
import importlib.metadata
import inspect
import re
import textwrap
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import ngettext
from wagtail.models import DraftStateMixin, Page, TranslatableMixin

_import_warnings = ContextVar("po_import_warnings", default=None)


def _live_translation(source, locale):
    try:
        target = source.get_translated_instance(locale)
    except source.specific_content_type.model_class().DoesNotExist:
        return None
    if isinstance(target, Page):
        target = target.specific
    if isinstance(target, DraftStateMixin) and target.live and target.live_revision_id:
        return target
    return None


def _restore_live_content(target):
    """Put the published content back into the row; keep the newer revision as the pending draft."""
    model = type(target)
    current = model._default_manager.get(pk=target.pk)
    restored = current.live_revision.as_object()
    restored.live = True
    restored.has_unpublished_changes = True
    restored.latest_revision = current.latest_revision
    if isinstance(restored, Page):
        # Tree fields belong to the row, not to the revision.
        for name in ("path", "depth", "numchild", "url_path"):
            setattr(restored, name, getattr(current, name))
        restored.save(clean=False)
    else:
        restored.save()


# --- Guards -----------------------------------------------------------------------------------------------------
# The wagtail-localize releases the wrappers were verified on: from the first (inclusive) to the second (exclusive).
# Within the range the fingerprints below still have to match; a patch release that changes none of the wrapped code
# passes, one that does is caught.
VERIFIED_VERSIONS = ((1, 14, 5), (1, 15))


@dataclass(frozen=True)
class Upstream:
    """One wagtail-localize function the code here wraps or stands in for, as it was when verified."""

    path: str  # "module:qualname"
    fingerprint: str  # see ``fingerprint()``
    relies_on: str  # what the wrapper assumes about it: what to re-verify when it changed


UPSTREAM = (
    Upstream(
        "wagtail_localize.models:TranslationSource.create_or_update_translation",
        "e8635ecd790b6ad4",
        "every draft save of a translation (editor save, sync) goes through it; with publish=False it writes the "
        "translated content into the object's row before making the revision; arguments (locale, user, publish, ...)",
    ),
    Upstream(
        "wagtail_localize.views.edit_translation:user_can_edit_instance",
        "6d426a812f5bc34e",
        "the one rights check of the translation views, called as a module global (see PERMISSION_CALLERS), "
        "arguments (user, instance), True when the user may edit",
    ),
    Upstream(
        "wagtail_localize.models:Translation.import_po",
        "e138ffb467088741",
        "returns the list of POImportWarning it skipped; UnknownString and StringNotUsedInContext carry .string",
    ),
    Upstream(
        "wagtail_localize.views.edit_translation:upload_pofile",
        "9f97171e0382176d",
        "served at the address cms.localize.upload_pofile takes over; imports through Translation.import_po inside "
        "the request (the warnings are collected in a context variable) and answers with a redirect and messages",
    ),
    # upload_pofile above reads the skipped text from these two warnings' ``string``.
    Upstream(
        "wagtail_localize.models:UnknownString.__init__",
        "b0e4887ad8039139",
        "the warning for a string the source no longer has keeps the text as .string",
    ),
    Upstream(
        "wagtail_localize.models:StringNotUsedInContext.__init__",
        "62944bc0ece62100",
        "the warning for a string no longer used in its context keeps the text as .string",
    ),
)

# The views that call ``user_can_edit_instance`` through the module global: replacing the module attribute reaches
# exactly these. A view that stops calling it (or calls a copy) would escape the language limits.
PERMISSION_CALLERS = frozenset(
    {
        "apply_machine_translation",
        "download_pofile",
        "edit_override",
        "edit_string_translation",
        "preview_translation",
        "stop_translation",
        "upload_pofile",
    }
)

# Attributes the wrappers use besides the functions above.
ATTRIBUTES = (
    "wagtail_localize.models:TranslationSource.get_translated_instance",
    "wagtail_localize.models:TranslationSource.specific_content_type",
)


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


def _resolve(path):
    module_name, _, qualname = path.partition(":")
    obj = importlib.import_module(module_name)
    for name in qualname.split("."):
        obj = getattr(obj, name)
    return obj


def _original(path):
    """The upstream function, under the wrappers ``install()`` put in its place (they keep it as ``__wrapped__``)."""
    function = _resolve(path)
    while getattr(function, "installed_by_cms", False):
        function = function.__wrapped__
    return function


def _release(version):
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    return tuple(int(part) for part in match.groups(default="0")) if match else ()


def _dotted(release):
    return ".".join(str(part) for part in release)


def upstream_problems():
    """What no longer matches the wagtail-localize the wrappers were verified on; empty when everything does."""
    problems = []
    installed = importlib.metadata.version("wagtail-localize")
    low, high = VERIFIED_VERSIONS
    if not low <= _release(installed) < high:
        problems.append(
            f"wagtail-localize {installed} is installed; the wrappers of "
            f"{', '.join(patch.path for patch in UPSTREAM)} were verified on {_dotted(low)} up to (not including) "
            f"{_dotted(high)}."
        )
    for path in ATTRIBUTES:
        try:
            _resolve(path)
        except (ImportError, AttributeError) as error:
            problems.append(f"{path} no longer exists ({error}); the wrappers in cms/localize.py use it.")
    for patch in UPSTREAM:
        try:
            found = fingerprint(_original(patch.path))
        except (ImportError, AttributeError, OSError, TypeError) as error:
            problems.append(f"{patch.path} cannot be found or read ({error}); cms/localize.py wraps it.")
            continue
        if found != patch.fingerprint:
            problems.append(
                f"{patch.path} changed: fingerprint {found}, verified {patch.fingerprint}. "
                f"cms/localize.py relies on this: {patch.relies_on}."
            )
    try:
        callers = _permission_callers()
    except (ImportError, OSError, SyntaxError) as error:
        problems.append(f"the translation views cannot be inspected ({error}).")
    else:
        if callers != PERMISSION_CALLERS:
            problems.append(
                "the views calling wagtail_localize.views.edit_translation.user_can_edit_instance changed: "
                f"now {sorted(callers)}, verified {sorted(PERMISSION_CALLERS)}; the language limits reach only "
                "the views that call it through the module."
            )
    return problems


def _permission_callers():
    """The functions and methods of the views module that call ``user_can_edit_instance`` by its global name (read
    from the source: DRF's ``api_view`` keeps no reference to the function it wraps)."""
    module = importlib.import_module("wagtail_localize.views.edit_translation")
    tree = ast.parse(inspect.getsource(module))
    definitions = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            definitions += [(f"{node.name}.{item.name}", item) for item in node.body if isinstance(item, _FUNCTIONS)]
        elif isinstance(node, _FUNCTIONS):
            definitions.append((node.name, node))
    return {
        name
        for name, definition in definitions
        if any(isinstance(n, ast.Name) and n.id == "user_can_edit_instance" for n in ast.walk(definition))
        and name != "user_can_edit_instance"
    }


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def check_upstream():
    problems = upstream_problems()
    if problems:
        raise ImproperlyConfigured(
            "cms.localize wraps wagtail-localize internals that are not as they were verified:\n- "
            + "\n- ".join(problems)
            + "\nRe-verify each wrapper against the new code (tests/cms/test_localisation.py exercises them), then "
            "update UPSTREAM, PERMISSION_CALLERS or VERIFIED_VERSIONS in cms/localize.py with the values found."
        )


def install():
    # Checked on every call, before the early return below: a second install() also refuses a changed upstream.
    check_upstream()
    from wagtail_localize.models import Translation, TranslationSource
    from wagtail_localize.views import edit_translation

    original = TranslationSource.create_or_update_translation
    if getattr(original, "keeps_drafts_out_of_live_content", False):
        return
    _limit_translators_to_their_languages(edit_translation)
    _report_stale_po_strings(Translation)

    @functools.wraps(original)
    def create_or_update_translation(self, locale, user=None, publish=True, *args, **kwargs):
        if publish:
            return original(self, locale, user, publish, *args, **kwargs)
        with transaction.atomic():
            live = _live_translation(self, locale)
            result = original(self, locale, user, publish, *args, **kwargs)
            if live is not None:
                _restore_live_content(live)
        return result

    create_or_update_translation.keeps_drafts_out_of_live_content = True
    create_or_update_translation.installed_by_cms = True
    TranslationSource.create_or_update_translation = create_or_update_translation


def _limit_translators_to_their_languages(edit_translation):
    from cms.models.permissions import user_can_edit_locale

    original = edit_translation.user_can_edit_instance

    @functools.wraps(original)
    def user_can_edit_instance(user, instance):
        if isinstance(instance, TranslatableMixin) and not user_can_edit_locale(user, instance.locale_id):
            return False
        return original(user, instance)

    user_can_edit_instance.installed_by_cms = True
    edit_translation.user_can_edit_instance = user_can_edit_instance


def _report_stale_po_strings(translation_model):
    original_import = translation_model.import_po

    @functools.wraps(original_import)
    def import_po(self, *args, **kwargs):
        warnings = original_import(self, *args, **kwargs)
        collected = _import_warnings.get()
        if collected is not None:
            collected.extend(warnings)
        return warnings

    import_po.installed_by_cms = True
    translation_model.import_po = import_po


def upload_pofile(request, translation_id):
    """wagtail-localize's PO upload, telling the translator which strings of a stale file were skipped.
    Served at the same address (registered before wagtail-localize's own URL in ``cms.wagtail_hooks``)."""
    from wagtail_localize.views import edit_translation

    collected = []
    token = _import_warnings.set(collected)
    try:
        response = edit_translation.upload_pofile(request, translation_id)
    finally:
        _import_warnings.reset(token)
    # UnknownString and StringNotUsedInContext carry the text; UnknownContext only a position.
    skipped = sorted({warning.string for warning in collected if getattr(warning, "string", None)})
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d string in the file no longer matches the source and was not imported: %(strings)s",
                "%(count)d strings in the file no longer match the source and were not imported: %(strings)s",
                len(skipped),
            )
            % {"count": len(skipped), "strings": "; ".join(f"“{text[:60]}”" for text in skipped)},
        )
    return response
