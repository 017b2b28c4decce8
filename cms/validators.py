import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Numbers written without a country code are Latvian.
DEFAULT_REGION = "LV"
# What a written number is made of; phonenumbers alone would also take "tālr. 64607181" and keep the words.
_PHONE_CHARS = re.compile(r"^[0-9+() .\-]+$")


def _parse(value):
    if not _PHONE_CHARS.match(value) or value.count("+") > 1 or "+" in value.lstrip("( ")[1:]:
        raise ValidationError(
            _("Only the number: digits, spaces, “+”, “-”, dots and brackets, e.g. +371 64607181."),
            code="invalid_phone",
        )
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException as e:
        raise ValidationError(
            _("This is not a phone number. Write it as it is dialled, e.g. +371 64607181 or 64607181."),
            code="invalid_phone",
        ) from e
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)s is not a valid phone number: check the digits (a Latvian number has 8).") % {"value": value},
            code="invalid_phone",
        )
    return number


def validate_phone(value):
    """Accept a phone number however it is written (“+371 646 07181”, “64607181”, “(+371) 640-00000”) when it is
    a number that can be dialled, by the rules of ``phonenumbers`` (Latvian when there is no country code)."""
    if value:
        _parse(value)


def phone_e164(value):
    """The number in E.164 (+37164607181); ValidationError when it is not a valid number."""
    return phonenumbers.format_number(_parse(value), phonenumbers.PhoneNumberFormat.E164)
