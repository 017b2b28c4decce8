from django.db import migrations

# api.filters matches person= and organisation= through Wagtail's reference index: the rows that refer to one
# object (to_content_type_id, to_object_id), and from each the referring page (base_content_type_id,
# object_id). Wagtail's index on the target holds only the first two, so every matching row was also read
# from the table (at 10,000 reports, some 1,800 pages of it for one organisation). This index holds all four,
# so the rows' referrers come from the index alone. On Wagtail's table, so created here by name and dropped
# with the migration.
NAME = "cms_referenceindex_target_referrer"


def create(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("wagtailcore", "ReferenceIndex")._meta.db_table)
    if schema_editor.connection.vendor == "postgresql":
        columns = "(to_content_type_id, to_object_id) INCLUDE (base_content_type_id, object_id)"
    else:
        columns = "(to_content_type_id, to_object_id, base_content_type_id, object_id)"
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} {columns}")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0013_archive_indexes"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
