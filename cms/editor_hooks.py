"""The page editor's own additions: tab error badges that count errors inside StreamField blocks, the save
button within reach on a phone, and wagtail-localize's translation editor without the English its script writes.

(The other half of the editor's work, no autosave on a page that has not been saved yet, is the template
cms/templates/wagtailadmin/pages/create.html: it has no hook.)
"""

import json

from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext
from wagtail import hooks
from wagtail.admin.staticfiles import versioned_static
from wagtail.admin.widgets.datetime import DEFAULT_DATE_FORMAT


@hooks.register("insert_editor_js")
def tab_badges_count_block_errors():
    # On the page and snippet editors only (insert_editor_js): the script counts the badges again once each
    # StreamField has drawn its blocks, and their errors with them.
    return format_html('<script src="{}"></script>', versioned_static("cms/editor/tab-errors.js"))


@hooks.register("insert_global_admin_css")
def save_button_within_reach_on_a_phone():
    # Global rather than editor-only: snippet and settings editors share the footer, and Wagtail has no hook
    # for editor CSS.
    return format_html('<link rel="stylesheet" href="{}">', versioned_static("cms/editor/phone.css"))


# wagtail-localize's notes under a translated string (its msgids, translated by the admin's catalogue): their
# {date} is formatted on the server with English month names, which editor-language.js rewrites.
TRANSLATION_NOTES = (
    "Translated manually on {date}",
    "Translated with {tool_name} on {date}",
    "Machine translated on {date}",
)


@hooks.register("insert_editor_js")
def translation_editor_in_the_admins_language():
    # insert_editor_js is rendered in wagtail-localize's translation editor too; the script does nothing
    # elsewhere. The texts are given in the admin's language of this request.
    return format_html(
        '<script src="{}" data-heading="{}" data-notes="{}" data-date-format="{}"></script>',
        versioned_static("cms/localize/editor-language.js"),
        gettext("%(source)s to %(target)s translation"),
        json.dumps([gettext(note) for note in TRANSLATION_NOTES], ensure_ascii=False),
        # As the admin's date fields write dates (Wagtail's default when the site sets none).
        getattr(settings, "WAGTAIL_DATE_FORMAT", DEFAULT_DATE_FORMAT),
    )
