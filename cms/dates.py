"""Dates known only as exactly as the report states them: a day, a month, a year, or not at all.

Reports say "in May", "in 2021" or nothing. Such a date is stored as the first day of what is known (the 1st of
the month, 1 January of the year) together with its precision, and is never shown more exactly than it is known:
the API gives ``2021-05`` (ISO 8601 reduced precision), JSON-LD likewise, and filters treat it as the whole
period (``period``). "As written" (``date_text`` fields) keeps the source's own words beside it.

The rules, shared by the model's ``clean()``, the API and its filters:

- a date of month precision is the whole month, one of year precision the whole year; an unknown date is no day;
- at month or year precision the stored date is the first day of the period: the admin says so rather than
  quietly moving a day that an editor picked;
- an end is never before its start, compared at the precision they share.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month only")
    YEAR = "year", _("Year only")
    UNKNOWN = "unknown", _("Not known")


def period(day, precision):
    """(first, last) day the date may stand for; (None, None) when it is not known."""
    if day is None or precision == DatePrecision.UNKNOWN:
        return None, None
    if precision == DatePrecision.MONTH:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == DatePrecision.YEAR:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    return day, day


def known(day, precision):
    """The precision a reader is told: “unknown” when no date is given, whatever the stored choice. The choice
    itself stays as the editor left it (the default “Exact day” on a report whose date is still to be typed), so
    that typing the date later needs no second change."""
    return DatePrecision.UNKNOWN if day is None else precision


def iso(day, precision):
    """The date as exactly as it is known, in ISO 8601 (``2021-05-17``, ``2021-05``, ``2021``), or None."""
    if day is None or precision == DatePrecision.UNKNOWN:
        return None
    if precision == DatePrecision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    if precision == DatePrecision.YEAR:
        return f"{day.year:04d}"
    return day.isoformat()


def first_day_error(day, precision):
    """The error when a month- or year-precision date is not stored as the first day of its period, or None.

    Errors carry a code (for importers and tests) and keep their message lazy, so that it is shown in the
    language of whoever reads it (the Latvian admin), not the one active when the model was validated."""
    if day is None:
        return None
    if precision == DatePrecision.MONTH and day.day != 1:
        return ValidationError(
            _("With “Month only” choose the first day of the month (%(first)s): only the month is known."),
            code="not_first_day",
            params={"first": day.replace(day=1).strftime("%d.%m.%Y")},
        )
    if precision == DatePrecision.YEAR and (day.month, day.day) != (1, 1):
        return ValidationError(
            _("With “Year only” choose 1 January (%(first)s): only the year is known."),
            code="not_first_day",
            params={"first": datetime.date(day.year, 1, 1).strftime("%d.%m.%Y")},
        )
    return None


def validate(errors, *, date_field, day, precision, required=False):
    """Add to ``errors`` (field → ValidationError) what is wrong with one date and its precision."""
    if precision == DatePrecision.UNKNOWN:
        if day is not None:
            errors[date_field] = ValidationError(
                _("The date is marked “Not known”: leave it empty, or choose how exact it is."), code="date_not_known"
            )
        return
    if day is None:
        if required or precision != DatePrecision.DAY:
            errors[date_field] = ValidationError(
                _("Enter the date, or choose “Not known” as its precision."), code="date_required"
            )
        return
    error = first_day_error(day, precision)
    if error:
        errors[date_field] = error


def validate_range(errors, *, end_field, start, end, precision):
    """An end before its start, at the precision they share, is an error on ``end_field``."""
    if start is None or end is None or end_field in errors:
        return
    if period(end, precision)[1] < period(start, precision)[0]:
        errors[end_field] = ValidationError(_("The end date cannot be before the start date."), code="end_before_start")
