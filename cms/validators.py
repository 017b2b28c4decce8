import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE_CHARS = re.compile(r"^\+?[0-9][0-9 ()\-]*$")


def validate_phone(value):
    """Accept the ways people write phone numbers (“+371 646 07181”, “64607181”), reject anything else.

    International numbers have at most 15 digits (E.164); anything under 7 cannot be dialled.
    """
    digits = re.sub(r"\D", "", value or "")
    if not _PHONE_CHARS.match(value or "") or not 7 <= len(digits) <= 15:
        raise ValidationError(
            _("Enter a phone number of 7–15 digits, e.g. +371 64607181. Only digits, spaces, “+”, “-” and brackets."),
            code="invalid_phone",
        )
