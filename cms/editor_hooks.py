"""The page editor's own additions: tab error badges that count errors inside StreamField blocks, and the save
button within reach on a phone.

(The other half of the editor's work, no autosave on a page that has not been saved yet, is the template
cms/templates/wagtailadmin/pages/create.html: it has no hook.)
"""

from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.staticfiles import versioned_static


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
