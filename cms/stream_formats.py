"""Every StreamField of the project's models is saved in the current format (see ``blocks.formats``): whatever
wrote the value (an import, a script, an old revision being published), lists are stored as items with ids, so that
wagtail-localize offers their text for translation."""

from django.apps import apps
from django.db.models.signals import pre_save
from wagtail.fields import StreamField

from blocks.formats import current_format


def stream_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, StreamField)]


def _save_in_current_format(sender, instance, update_fields=None, **kwargs):
    for field in stream_fields(sender):
        if update_fields is not None and field.name not in update_fields:
            continue
        value = getattr(instance, field.attname)
        if value is None or not hasattr(value, "raw_data"):
            continue
        normalised = current_format(value)
        if normalised is not None:
            setattr(instance, field.attname, normalised)


def connect():
    for model in apps.get_app_config("cms").get_models():
        if stream_fields(model):
            pre_save.connect(
                _save_in_current_format, sender=model, dispatch_uid=f"cms-stream-format-{model._meta.label}"
            )
