# Russian: Django's own formats (django.conf.locale.ru), but the admin's day-first input (cms.formats.day_first).
from cms.formats.day_first import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS, TIME_INPUT_FORMATS  # noqa: F401
