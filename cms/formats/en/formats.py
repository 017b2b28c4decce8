# English: Django's own formats (django.conf.locale.en) for showing dates, but an editor whose admin is in English
# types and reads dates as every other editor does (cms.formats.day_first): Django's English input formats are
# month first, and would read 03/04/2026 as the 4th of March. The admin's calendars start on Monday, as they
# do in the other languages.
from cms.formats.day_first import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS  # noqa: F401

FIRST_DAY_OF_WEEK = 1
