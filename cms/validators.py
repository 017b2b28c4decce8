import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField
from wagtail.rich_text import features

from blocks.sanitise import clean_rich_text, safe_url, validate_safe_url

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


class SafeURLField(models.URLField):
    """A web address that can only be http, https, mailto, tel or relative (``blocks.sanitise.is_safe_url``).

    The admin's forms refuse anything else with a translatable error; because ``save()``, ``QuerySet.update()``
    and revisions do not validate, an unsafe address is also stored empty (``pre_save``, ``get_prep_value``)
    and read empty from rows stored before this rule (``from_db_value``), so no reader of the model sees it.
    """

    default_validators = [*models.URLField.default_validators, validate_safe_url]

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        cleaned = safe_url(value) if value else value
        if cleaned != value:
            setattr(model_instance, self.attname, cleaned)
        return cleaned

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return safe_url(value) if value else value

    def from_db_value(self, value, expression, connection):
        return safe_url(value) if value else value


class SafeRichTextField(RichTextField):
    """Rich text stored with only what its editor's features allow (``blocks.sanitise.clean_rich_text``), whoever
    writes it: the admin's Draftail already produces nothing else (so an editor's text is stored byte for byte),
    and a value written without a form (an importer, a PO upload, ``save()``) is cleaned on the way in."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        # Migrations' historical models have no features (RichTextField leaves them out of deconstruct()):
        # they clean with the editor's defaults, as their editor would have had.
        return clean_rich_text(value, self.features or features.get_default_features())
