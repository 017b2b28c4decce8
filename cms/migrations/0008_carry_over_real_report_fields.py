"""Carries existing content into the fields of 0007 without loss:

- every report's dates were exact days: the days it covers (``starts_on``/``ends_on``) are its start and end;
- every contact card's phone gets its E.164 form (a number that does not parse keeps an empty one; the number as
  written is untouched);
- speakers stored with one ``part`` are stored with ``parts`` (blocks.formats), in live rows; revisions are read
  in either form.
"""

from django.db import migrations
from wagtail.fields import StreamField

from blocks.formats import current_format


def forwards(apps, schema_editor):
    from cms.validators import phone_e164

    EventReportPage = apps.get_model("cms", "EventReportPage")
    for page in EventReportPage._base_manager.only("pk", "start_date", "end_date").iterator():
        ends = page.end_date if page.end_date and page.start_date and page.end_date >= page.start_date else page.start_date
        EventReportPage._base_manager.filter(pk=page.pk).update(starts_on=page.start_date, ends_on=ends)

    ContactCard = apps.get_model("cms", "ContactCard")
    for card in ContactCard._base_manager.exclude(phone="").only("pk", "phone").iterator():
        try:
            e164 = phone_e164(card.phone)
        except Exception:  # noqa: BLE001  (a number the old, looser check accepted; shown as written)
            e164 = ""
        ContactCard._base_manager.filter(pk=card.pk).update(phone_e164=e164)

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
    dependencies = [("cms", "0007_content_model_real_reports")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
