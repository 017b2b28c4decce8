"""How the admin reads dates and times typed by hand: day first, in every interface language.

Editors share one admin whatever language its interface is in, and they write dates the Latvian way: the admin's
date picker shows and writes ``15.03.2026`` (WAGTAIL_DATE_FORMAT), and a date typed by hand may also be
``15.3.2026``, ``15.03.2026.`` (the full stop Latvian puts after the year), ``15/03/2026`` or ISO 8601
``2026-03-15``. None of them can be read two ways once the day comes first, so each language's
``DATE_INPUT_FORMATS`` here lists the same ones; Django's English formats would read ``03/04/2026`` as the
4th of March, its Latvian ones refuse ``15/03/2026`` and ``15.03.2026.``. Anything else is a form error
(``cms.formats.messages`` says how to write the date), never another date.

Two-digit years (``15.03.26``) are read as Django reads them for Latvian (00–68 are 2000–2068). Times are
``14:30`` or, as they are often written in Latvian, ``14.30``.

The delivery API does not use these: its dates are ISO 8601 only (``api.filters``).
"""

# The first of each list is how a form shows a value when its widget names no format of its own; the admin's
# widgets name WAGTAIL_DATE_FORMAT and friends, which must be in these lists (tests/config/test_dates_admin.py).
DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # 15.03.2026, 15.3.2026 (strptime takes one or two digits for the day and the month)
    "%d.%m.%Y.",  # 15.03.2026.
    "%d/%m/%Y",  # 15/03/2026
    "%Y-%m-%d",  # 2026-03-15
    "%d.%m.%y",  # 15.03.26
    "%d.%m.%y.",  # 15.03.26.
]
TIME_INPUT_FORMATS = [
    "%H:%M",  # 14:30, 9:30
    "%H:%M:%S",  # 14:30:00
    "%H.%M",  # 14.30
]
# A date and a time, separated by a space (a date alone is midnight: Django also tries DATE_INPUT_FORMATS).
DATETIME_INPUT_FORMATS = [f"{day} {time}" for day in DATE_INPUT_FORMATS for time in TIME_INPUT_FORMATS]
