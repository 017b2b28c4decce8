"""PO files: a stale file says what it could not import.

``Translation.import_po`` returns what it skipped (strings that no longer exist in the source) but the upload view
drops that list; ``upload_pofile`` below tells the translator.
"""

import functools
from contextvars import ContextVar

from django.contrib import messages
from django.utils.translation import ngettext

from .guard import Upstream, mark

UPSTREAM = (
    Upstream(
        "wagtail_localize.models:Translation.import_po",
        "e138ffb467088741",
        "returns the list of POImportWarning it skipped; UnknownString and StringNotUsedInContext carry .string",
    ),
    Upstream(
        "wagtail_localize.views.edit_translation:upload_pofile",
        "9f97171e0382176d",
        "served at the address cms.localize.po.upload_pofile takes over; imports through Translation.import_po "
        "inside the request (the warnings are collected in a context variable) and answers with a redirect and "
        "messages",
    ),
    # upload_pofile below reads the skipped text from these two warnings' ``string``.
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
ATTRIBUTES = ()

_import_warnings = ContextVar("po_import_warnings", default=None)


def install():
    from wagtail_localize.models import Translation

    original_import = Translation.import_po
    if getattr(original_import, "installed_by_cms", False):
        return

    @mark
    @functools.wraps(original_import)
    def import_po(self, *args, **kwargs):
        warnings = original_import(self, *args, **kwargs)
        collected = _import_warnings.get()
        if collected is not None:
            collected.extend(warnings)
        return warnings

    Translation.import_po = import_po


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
