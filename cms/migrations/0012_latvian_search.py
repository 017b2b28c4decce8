"""PostgreSQL full-text search for Latvian (and Latgalian, English, Russian) text: a text search configuration,
and the search index's vectors kept where ranking reads them cheaply. Nothing on other databases (SQLite's FTS5
tokenizer already folds case and Latin diacritics).

``simple_unaccent`` is PostgreSQL's ``simple`` (lower case, no stemming, no stop words: there is no Latvian
stemmer, and one language's stemmer would mangle the others) with ``unaccent`` before it for words with letters
outside ASCII, so that "rezekne" finds "Rēzekne". ``WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"]`` names it
(config.settings); index entries written before it keep the old configuration's lexemes until
``manage.py update_index`` rebuilds them (docs/deployment.md).

``unaccent`` is a trusted extension from PostgreSQL 13: the database's owner may create it, no superuser needed.
Where it cannot be created (an older server, a managed service that lists its extensions), create it once
beforehand (``CREATE EXTENSION unaccent;``) in a schema on the search path; this migration then only uses it.

The search index's ``title`` and ``body`` tsvectors are kept in the row (``STORAGE MAIN``) rather than in the
TOAST table, where a body of a few hundred words goes otherwise: ranking reads every matching entry's vectors,
and fetching each from TOAST made a search that matches every one of 10,000 reports three times dearer (92 ms of
SQL against 28 ms with the vectors in the row). It applies to entries written from now on: ``update_index``
rewrites them all. (A vector too long for a row still goes to TOAST: MAIN only makes that the last resort.) The
delivery API's search uses the GIN indexes the backend keeps on ``title`` and on ``body`` (``api.search``).
"""

from django.db import migrations

CONFIG = "simple_unaccent"
# The parser's token types that can hold letters outside ASCII (asciiword and the like need no unaccent).
NON_ASCII_TOKENS = "word, hword, hword_part, numword, numhword, hword_numpart"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s AND pg_ts_config_is_visible(oid)", [CONFIG])
        exists = cursor.fetchone() is not None
    if not exists:
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple)")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {NON_ASCII_TOKENS} WITH unaccent, simple"
        )
    schema_editor.execute(
        f"ALTER TABLE {table} ALTER COLUMN title SET STORAGE MAIN, ALTER COLUMN body SET STORAGE MAIN"
    )


def drop(apps, schema_editor):
    # The extension stays: other schemas or tools may use it, and dropping it needs more rights than creating.
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table)
    schema_editor.execute(
        f"ALTER TABLE {table} ALTER COLUMN title SET STORAGE EXTENDED, ALTER COLUMN body SET STORAGE EXTENDED"
    )
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0011_blocks_collapsed_in_the_editor"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
