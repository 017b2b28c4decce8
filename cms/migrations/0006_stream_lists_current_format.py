"""Rewrites stored StreamField values holding ListBlocks in the pre-2.16 plain-list form (see blocks.formats):
wagtail-localize does not offer their text for translation. Values already current are not touched."""

from django.db import migrations
from wagtail.fields import StreamField

from blocks.formats import current_format


def forwards(apps, schema_editor):
    for model in apps.get_app_config("cms").get_models():
        fields = [field for field in model._meta.concrete_fields if isinstance(field, StreamField)]
        if not fields:
            continue
        for obj in model._base_manager.only("pk", *(field.name for field in fields)).iterator():
            changed = {}
            for field in fields:
                value = getattr(obj, field.attname)
                normalised = current_format(value) if hasattr(value, "raw_data") else None
                if normalised is not None:
                    changed[field.name] = normalised
            if changed:
                model._base_manager.filter(pk=obj.pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [("cms", "0005_preview_snapshots")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
