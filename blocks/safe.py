"""Field blocks that apply the rules of ``blocks.sanitise`` at each end: in the admin's form (a translatable
error), when a value is stored (``get_prep_value``) and when the API serves it (``get_api_representation``).

A value written without a form and never read before it is saved (raw StreamField JSON) does not pass through
its block's ``get_prep_value``: Wagtail writes it back as it was given. ``SafeStreamBlock``, the top-level block
of the report's StreamFields, therefore cleans the whole stored form on every save (and every revision, which
serialises through the same method), whichever way its children got there.
"""

from django.utils.encoding import force_str
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock

from .sanitise import (
    clean_choice,
    clean_choices,
    clean_raw,
    safe_url,
    strip_markup,
    validate_plain_text,
    validate_safe_url,
    values_of_choices,
)


def served_as_stored(self, value, context=None):
    """A block's API representation: its cleaned stored form (``get_prep_value``), as Wagtail's default is, stated
    on the blocks that clean so that they keep serving cleaned values whatever a base class does. Their cleaning
    runs once: through ``super().get_api_representation()`` it ran in ``get_prep_value`` and then again."""
    return self.get_prep_value(value)


class PlainCharBlock(blocks.CharBlock):
    """A one-line plain-text field: markup is refused in the admin and removed wherever else it comes from."""

    def __init__(self, *args, validators=(), **kwargs):
        super().__init__(*args, validators=(*validators, validate_plain_text), **kwargs)

    def get_prep_value(self, value):
        return strip_markup(super().get_prep_value(value))

    get_api_representation = served_as_stored


class PlainTextBlock(blocks.TextBlock):
    """A multi-line plain-text field, with the rules of ``PlainCharBlock``."""

    def __init__(self, *args, validators=(), **kwargs):
        super().__init__(*args, validators=(*validators, validate_plain_text), **kwargs)

    def get_prep_value(self, value):
        return strip_markup(super().get_prep_value(value))

    get_api_representation = served_as_stored


class SafeURLBlock(blocks.URLBlock):
    """A web address: http, https, mailto, tel or relative; anything else is refused, stored and served empty."""

    def __init__(self, *args, validators=(), **kwargs):
        super().__init__(*args, validators=(*validators, validate_safe_url), **kwargs)

    # A missing value stays missing (null), as before; only an unsafe address becomes empty.
    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return safe_url(value) if value else value

    get_api_representation = served_as_stored


class SafeEmbedBlock(EmbedBlock):
    """An embed whose address must be safe: an unsafe stored address reads as no embed at all."""

    def to_python(self, value):
        return super().to_python(safe_url(value) if isinstance(value, str) else value)

    def get_prep_value(self, value):
        return safe_url(super().get_prep_value(value))


class StaticChoicesMixin:
    """Choices given as a list (not a callable) cannot change: their values are worked out once. (Wagtail hands
    the form field a callable in every case, so each read of a stored value would evaluate the choices again.)"""

    def __init__(self, choices=None, *args, **kwargs):
        super().__init__(choices, *args, **kwargs)
        given = self.choices if choices is None else choices
        self.static_choice_values = None
        self.static_choice_keys = None
        if not callable(given):
            self.static_choice_values = frozenset(values_of_choices(given))
            # Wagtail's normalize_choice, as a lookup: the text of a stored value -> the first choice key it
            # matches, option groups included.
            keys = {}
            for key, label in given:
                for inner in label if isinstance(label, list | tuple) else [(key, label)]:
                    keys.setdefault(force_str(inner[0]), inner[0])
            self.static_choice_keys = keys

    def normalize_choice(self, value):
        if self.static_choice_keys is None or value is None:
            return super().normalize_choice(value)
        return self.static_choice_keys.get(force_str(value), value)


class SafeChoiceBlock(StaticChoicesMixin, blocks.ChoiceBlock):
    """A choice whose stored value is stored and served only when it is one of the choices (else the default).

    The admin's select already refuses other values; this covers values written without it.
    """

    def get_prep_value(self, value):
        return clean_choice(self, super().get_prep_value(value))

    get_api_representation = served_as_stored


class SafeMultipleChoiceBlock(StaticChoicesMixin, blocks.MultipleChoiceBlock):
    """Several choices; values that are not among them are neither stored nor served."""

    def get_prep_value(self, value):
        return clean_choices(self, super().get_prep_value(value))

    get_api_representation = served_as_stored


class SafeStreamBlock(blocks.StreamBlock):
    """A top-level StreamBlock that stores only cleaned content (see the module docstring).

    Iterating it gives its ``(name, block)`` pairs, like the list of block types it is made from.
    """

    def get_prep_value(self, value):
        return clean_raw(self, super().get_prep_value(value))

    def __iter__(self):
        return iter(self.child_blocks.items())

    class Meta:
        # The admin opens a stored stream with its blocks collapsed to one summary line each: a report is
        # read and reordered at a glance, and a block opens with a click (blocks an editor adds, and blocks
        # with errors, open by themselves).
        collapsed = True
