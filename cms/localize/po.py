"""PO files: a file that cannot be imported says why and changes nothing; what is skipped is named.

wagtail-localize's upload view answers a file without the ``X-WagtailLocalize-TranslationID`` header (an empty
file, a file made with another tool) with a server error (``KeyError``), imports entries marked ``#, fuzzy`` as
final translations, and drops the list of stale strings that ``Translation.import_po`` returns. ``upload_pofile``
below, served at the same address, checks the file first and answers every bad file with a message and no change;
the wrapper of ``Translation.import_po`` leaves fuzzy entries out (a translator's unreviewed guesses never become
translations, whoever imports the file) and reports them with the stale strings.
"""

import contextlib
import functools
import os
import tempfile
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from .guard import Upstream, mark

UPSTREAM = (
    Upstream(
        "wagtail_localize.models:Translation.import_po",
        "e138ffb467088741",
        "imports each entry of the POFile it is given (iterating it) that has a msgstr; returns the list of "
        "POImportWarning it skipped, each with the entry's .index; UnknownString and StringNotUsedInContext carry "
        ".string",
    ),
    Upstream(
        "wagtail_localize.views.edit_translation:upload_pofile",
        "9f97171e0382176d",
        "served at the address cms.localize.po.upload_pofile takes over, which calls it after checking the file: "
        "it reads request.FILES['file'] again, parses it with polib.pofile() from a temporary file, compares the "
        "X-WagtailLocalize-TranslationID header with the translation's uuid, imports through Translation.import_po "
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
ATTRIBUTES = (
    # Used to find the saved translation a fuzzy entry leaves in place when importing with delete=True.
    "wagtail_localize.models:String._get_data_hash",
    "wagtail_localize.models:Translation.uuid",
    "wagtail_localize.models:Translation.get_target_instance",
    "wagtail_localize.views.edit_translation:user_can_edit_instance",
)

HEADER = "X-WagtailLocalize-TranslationID"
# A PO file of the longest report is a few hundred kilobytes; anything far larger is not one of ours.
MAX_BYTES = 10 * 1024 * 1024

_import_warnings = ContextVar("po_import_warnings", default=None)


@dataclass
class FuzzyEntry:
    """An entry marked ``#, fuzzy`` (a translation that still needs review) that was not imported."""

    index: int
    string: str
    context: str


def install():
    from wagtail_localize.models import Translation

    original_import = Translation.import_po
    if getattr(original_import, "installed_by_cms", False):
        return

    @mark
    @functools.wraps(original_import)
    def import_po(self, po, delete=False, user=None, translation_type="manual", tool_name=""):
        fuzzy, kept, positions = [], _copy_without_entries(po), []
        for index, entry in enumerate(po):
            if entry.fuzzy:
                if entry.msgstr:
                    fuzzy.append(FuzzyEntry(index=index, string=entry.msgid, context=entry.msgctxt))
                if not delete:
                    continue
                # With delete=True, what the file does not mention is deleted: a fuzzy entry stands for the
                # translation already saved, unchanged, so that an unreviewed guess does not remove it either.
                existing = _saved_translation(self, entry)
                if existing is None:
                    continue
                entry = _entry_with(entry, existing)
            kept.append(entry)
            positions.append(index)
        warnings = original_import(
            self, kept, delete=delete, user=user, translation_type=translation_type, tool_name=tool_name
        )
        # The upstream warnings count entries of the file it was given: give them the file's own positions.
        for warning in warnings:
            if isinstance(getattr(warning, "index", None), int) and warning.index < len(positions):
                warning.index = positions[warning.index]
        warnings = [*warnings, *fuzzy]
        collected = _import_warnings.get()
        if collected is not None:
            collected.extend(warnings)
        return warnings

    Translation.import_po = import_po


def _saved_translation(translation, entry):
    from wagtail_localize.models import String, StringTranslation

    return (
        StringTranslation.objects.filter(
            translation_of__locale_id=translation.source.locale_id,
            translation_of__data_hash=String._get_data_hash(entry.msgid),
            context__object_id=translation.source.object_id,
            context__path=entry.msgctxt,
            locale_id=translation.target_locale_id,
        )
        .values_list("data", flat=True)
        .first()
    )


def _entry_with(entry, msgstr):
    import polib

    return polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgstr=msgstr, obsolete=entry.obsolete)


def _copy_without_entries(po):
    import polib

    copy = polib.POFile(wrapwidth=po.wrapwidth)
    copy.metadata = dict(po.metadata)
    copy.header = po.header
    copy.metadata_is_fuzzy = po.metadata_is_fuzzy
    return copy


def _parse(content):
    """The file as wagtail-localize's upload view reads it (polib from a temporary file: given the text itself,
    polib would read a text that happens to be a path as that file); ``None`` when it is not a PO file."""
    import polib

    if b"\x00" in content:
        return None  # binary; PostgreSQL would also refuse to store the NUL
    with tempfile.NamedTemporaryFile(delete=False, suffix=".po") as f:
        f.write(content)
    try:
        return polib.pofile(f.name)
    except (OSError, UnicodeError, ValueError, LookupError):
        # polib reports a syntax error as OSError
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(f.name)


def _language(code):
    return code.replace("_", "-").split("-")[0].lower()


def file_problem(upload, translation):
    """Why ``upload`` (an UploadedFile, or None) cannot be imported into ``translation``, in words for the
    translator; ``None`` when it can. Also returns the parsed file."""
    from wagtail_localize.models import Translation

    if upload is None:
        return gettext("Choose a PO file to upload."), None
    name = os.path.basename(upload.name or "")
    if upload.size is not None and upload.size > MAX_BYTES:
        return (
            gettext("The file “%(name)s” is larger than %(limit)d MB: nothing was imported.")
            % {"name": name, "limit": MAX_BYTES // (1024 * 1024)},
            None,
        )
    content = upload.read()
    if not content.strip():
        return gettext("The file “%(name)s” is empty: nothing was imported.") % {"name": name}, None
    po = _parse(content)
    if po is None:
        return (
            gettext("The file “%(name)s” is not a PO file (or is not saved as UTF-8 text): nothing was imported.")
            % {"name": name},
            None,
        )
    file_id = po.metadata.get(HEADER, "").strip()
    if not file_id:
        return (
            gettext(
                "The file “%(name)s” has no %(header)s line in its header, so it cannot be matched to a translation: "
                "nothing was imported. Download this translation's PO file and translate that one."
            )
            % {"name": name, "header": HEADER},
            None,
        )
    if file_id != str(translation.uuid):
        try:
            other = Translation.objects.select_related("target_locale").filter(uuid=uuid.UUID(file_id)).first()
        except ValueError:
            other = None
        if other is not None and other.source_id == translation.source_id:
            return (
                gettext(
                    "The file “%(name)s” belongs to the translation into %(file_language)s, not into "
                    "%(language)s: nothing was imported."
                )
                % {
                    "name": name,
                    "file_language": other.target_locale.get_display_name(),
                    "language": translation.target_locale.get_display_name(),
                },
                None,
            )
        return (
            gettext(
                "The file “%(name)s” was downloaded for another translation: nothing was imported. Download this "
                "translation's PO file and translate that one."
            )
            % {"name": name},
            None,
        )
    declared = po.metadata.get("Language", "").strip()
    if declared and _language(declared) != _language(translation.target_locale.language_code):
        return (
            gettext(
                "The file “%(name)s” says its language is “%(file_language)s”, but this translation is into "
                "%(language)s: nothing was imported."
            )
            % {"name": name, "file_language": declared, "language": translation.target_locale.get_display_name()},
            None,
        )
    translated = [entry for entry in po if entry.msgstr]
    if not translated:
        return gettext("The file “%(name)s” has no translated texts: nothing was imported.") % {"name": name}, None
    if all(entry.fuzzy for entry in translated):
        return (
            gettext(
                "The translations in the file “%(name)s” are all marked as fuzzy (%(count)d, not reviewed yet): "
                "nothing was imported. Remove the fuzzy mark from the reviewed ones and upload the file again."
            )
            % {"name": name, "count": len(translated)},
            None,
        )
    return None, po


def _quoted(texts):
    return "; ".join(f"“{text[:60]}”" for text in texts)


@require_POST
def upload_pofile(request, translation_id):
    """wagtail-localize's PO upload, refusing a file it cannot import with a message (and no change), and telling
    the translator which strings were skipped: stale ones and fuzzy ones. Served at the same address (registered
    before wagtail-localize's own URL in ``cms.wagtail_hooks``)."""
    from wagtail.admin.views.pages.utils import get_valid_next_url_from_request
    from wagtail_localize.models import Translation
    from wagtail_localize.views import edit_translation

    translation = get_object_or_404(Translation, id=translation_id)
    # Rights first, as the upstream view does: who may not edit the translation learns nothing about the file.
    if not edit_translation.user_can_edit_instance(request.user, translation.get_target_instance()):
        raise PermissionDenied

    upload = request.FILES.get("file")
    problem, _po = file_problem(upload, translation)
    if problem:
        messages.error(request, problem)
        return redirect(get_valid_next_url_from_request(request) or reverse("wagtailadmin_home"))
    upload.seek(0)

    collected = []
    token = _import_warnings.set(collected)
    try:
        with transaction.atomic():
            response = edit_translation.upload_pofile(request, translation_id)
    finally:
        _import_warnings.reset(token)

    # UnknownString and StringNotUsedInContext carry the text; UnknownContext only a position.
    fuzzy = [warning.string for warning in collected if isinstance(warning, FuzzyEntry)]
    skipped = sorted(
        {
            warning.string
            for warning in collected
            if not isinstance(warning, FuzzyEntry) and getattr(warning, "string", None)
        }
    )
    if fuzzy:
        messages.warning(
            request,
            ngettext(
                "%(count)d translation in the file was not imported because it is marked as fuzzy (not reviewed "
                "yet): %(strings)s",
                "%(count)d translations in the file were not imported because they are marked as fuzzy (not "
                "reviewed yet): %(strings)s",
                len(fuzzy),
            )
            % {"count": len(fuzzy), "strings": _quoted(fuzzy)},
        )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d string in the file no longer matches the source and was not imported: %(strings)s",
                "%(count)d strings in the file no longer match the source and were not imported: %(strings)s",
                len(skipped),
            )
            % {"count": len(skipped), "strings": _quoted(skipped)},
        )
    return response
