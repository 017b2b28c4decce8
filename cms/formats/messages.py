"""Django's errors for a date or time that cannot be read, listed so that makemessages puts them in our catalogues.

Django's Latvian says only "Jāievada derīgs datums." ("a valid date must be entered"); our catalogues translate
the same messages with the form the admin expects (cms.formats.day_first), and win over Django's because the cms
app comes first in INSTALLED_APPS. They are the messages of every date, time and date-time form field, StreamField
DateBlocks included, so no field needs its own. Latgalian has no Django catalogue at all.
"""

from django.utils.translation import gettext_noop

INVALID = [
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a valid time."),
    gettext_noop("Enter a valid date/time."),
]
