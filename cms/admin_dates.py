"""Dates in the admin: the date pickers keep what an editor types.

Wagtail's date picker replaced a date it could not read with today's date when the field lost focus, and the
form saved it. The formats are set in the settings (WAGTAIL_DATE_FORMAT and friends: day first, as in every
language's input formats, cms.formats.day_first); the script below turns that replacement off for every picker
of the admin and shows a date the form will read in the picker's format. A date nobody can read stays as typed
and the form refuses it, saying how to write it (cms.formats.messages).
"""

from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.staticfiles import versioned_static
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput


@hooks.register("insert_global_admin_js")
def date_pickers_keep_typed_dates():
    # In every admin page's head, right after Wagtail's picker and before any field sets up its own: the
    # pickers read their defaults then. The formats are the widgets' own, in the picker's notation.
    return format_html(
        '<script src="{}" data-date-format="{}" data-datetime-format="{}"></script>',
        versioned_static("cms/dates/date-input.js"),
        AdminDateInput().js_format,
        AdminDateTimeInput().js_format,
    )
