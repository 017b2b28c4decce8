"""The report form of issue 14: a hero image may be marked decorative, and follow-up activities and contact cards
have one home each, their own streams (``follow_ups``, ``contacts``), no longer also the body.

Blocks of those two types written into a body move, in their order and with their ids, to the end of the page's
``follow_ups`` / ``contacts`` (after the ones already there; a block whose value is already there is not added a
second time). Moved are:

- every report row, in every language (its live content, or the draft of a page never published);
- every revision of a report: the latest draft an editor continues from, revisions waiting in a workflow or for
  their scheduled publishing, and older ones, which the history's "compare" and "revert" load;
- wagtail-localize's copy of each source (``TranslationSource``) and the contexts of translated strings
  (``TranslationContext``), so that translations already made stay attached to the moved blocks.

Without this the body's block list, which no longer knows those types, would drop them when read: content would
be lost. The reverse migration leaves them where they are (the body no longer offers them).
"""

import json
import uuid

import wagtail.fields
from django.db import migrations, models

# The streams a body block of each type moves to.
HOMES = {"follow_up": "follow_ups", "contact": "contacts"}
# wagtail-localize hashes a context's path with uuid5 in this namespace (TranslationContext._get_path_id); the
# migration checks each row against it before renaming, and stops rather than write a hash that does not match.
LOCALIZE_PATH_NAMESPACE = uuid.UUID("fcab004a-2b50-11ea-978f-2e728ce88125")


def move_blocks(streams):
    """Moves the body's follow-up and contact blocks in ``streams`` (a dict of stream name to a list of raw
    blocks) to their own streams. Returns {moved block id: (stream, id there)}, empty when nothing moved."""
    body = streams.get("body") or []
    kept, moved = [], {}
    for block in body:
        home = HOMES.get(block.get("type"))
        if home is None:
            kept.append(block)
            continue
        target = streams.setdefault(home, [])
        if any(other.get("type") == block["type"] and other.get("value") == block.get("value") for other in target):
            continue  # the same card or the same activity is already there: listing it twice would show it twice
        ids = {other.get("id") for other in target}
        block_id = block.get("id")
        new_id = block_id if block_id and block_id not in ids else str(uuid.uuid4())
        target.append({**block, "id": new_id})
        if block_id:
            moved[block_id] = (home, new_id)
    if len(kept) != len(body):
        streams["body"] = kept
    return moved


def _load(value):
    """A stream as stored in a revision or a translation source: JSON text (or, written by some tool, a list)."""
    if value is None or value == "":
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def _move_in_serialized(content):
    """``move_blocks`` on a serialized page (a revision's content, a translation source's content): its streams
    are JSON text and stay so. Returns what ``move_blocks`` returns."""
    if not content.get("body"):
        return {}
    streams = {name: _load(content.get(name)) for name in ("body", *HOMES.values())}
    moved = move_blocks(streams)
    if moved or len(streams["body"]) != len(_load(content["body"])):
        for name, blocks in streams.items():
            content[name] = json.dumps(blocks)
    return moved


def forwards(apps, schema_editor):
    EventReportPage = apps.get_model("cms", "EventReportPage")
    # Read with this migration's state of the body, which still knows the two block types.
    for page in EventReportPage._base_manager.only("pk", "body", *HOMES.values()).iterator():
        streams = {name: list(getattr(page, name).raw_data) for name in ("body", *HOMES.values())}
        before = len(streams["body"])
        move_blocks(streams)
        if len(streams["body"]) != before:
            EventReportPage._base_manager.filter(pk=page.pk).update(**streams)

    ContentType = apps.get_model("contenttypes", "ContentType")
    report_type = ContentType.objects.filter(app_label="cms", model="eventreportpage").first()
    if report_type is None:  # a database without a report has nothing more to move
        return

    Revision = apps.get_model("wagtailcore", "Revision")
    for revision in Revision.objects.filter(content_type=report_type).only("pk", "content").iterator():
        before = json.dumps(revision.content, sort_keys=True)
        _move_in_serialized(revision.content)
        if json.dumps(revision.content, sort_keys=True) != before:
            Revision.objects.filter(pk=revision.pk).update(content=revision.content)

    TranslationSource = apps.get_model("wagtail_localize", "TranslationSource")
    TranslationContext = apps.get_model("wagtail_localize", "TranslationContext")
    sources = TranslationSource.objects.filter(specific_content_type=report_type)
    for source in sources.only("pk", "object_id", "content_json").iterator():
        content = json.loads(source.content_json)
        before = source.content_json
        moved = _move_in_serialized(content)
        if moved:
            _rename_contexts(TranslationContext, source.object_id, moved)
        new_json = json.dumps(content)
        if json.loads(new_json) != json.loads(before):
            TranslationSource.objects.filter(pk=source.pk).update(content_json=new_json)


def _rename_contexts(TranslationContext, object_id, moved):
    """Gives the contexts of strings in moved blocks their new paths (``body.<id>…`` → ``follow_ups.<id>…``), so
    that the translations made in them are found again when the source is next synchronised."""
    for old_id, (home, new_id) in moved.items():
        old_prefix = f"body.{old_id}"
        contexts = TranslationContext.objects.filter(object_id=object_id, path__startswith=old_prefix)
        for context in contexts.iterator():
            if context.path != old_prefix and not context.path.startswith(old_prefix + "."):
                continue  # another block whose id merely begins with this one's
            if context.path_id != uuid.uuid5(LOCALIZE_PATH_NAMESPACE, context.path):
                raise RuntimeError(
                    f"wagtail-localize no longer hashes context paths as this migration expects ({context.path!r}); "
                    "update LOCALIZE_PATH_NAMESPACE before migrating"
                )
            path = f"{home}.{new_id}" + context.path[len(old_prefix) :]
            field_path = context.field_path
            if field_path.startswith("body."):
                field_path = f"{home}." + field_path[len("body.") :]
            TranslationContext.objects.filter(pk=context.pk).update(
                path=path, path_id=uuid.uuid5(LOCALIZE_PATH_NAMESPACE, path), field_path=field_path
            )


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0009_safe_content'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('wagtailcore', '0098_apitoken'),
        ('wagtail_localize', '0016_rename_page_revision_translationlog_revision'),
    ]

    operations = [
        migrations.AddField(
            model_name='eventreportpage',
            name='hero_image_decorative',
            field=models.BooleanField(default=False, help_text='Tick only if the image adds no information; it then needs no alt text.', verbose_name='Decorative image'),
        ),
        # Before the body's block list changes: read with it, the moved types are still known.
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='eventreportpage',
            name='body',
            field=wagtail.fields.StreamField([('paragraph', 0), ('heading', 3), ('image', 9), ('quote', 12), ('speaker', 19), ('talk', 26), ('discussion', 40), ('document', 44), ('video', 46)], blank=True, block_lookup={0: ('blocks.text.ParagraphBlock', (), {}), 1: ('blocks.safe.PlainCharBlock', (), {'label': 'Heading', 'max_length': 255}), 2: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('h2', 'Level 2'), ('h3', 'Level 3'), ('h4', 'Level 4')], 'label': 'Level'}), 3: ('wagtail.blocks.StructBlock', [[('text', 1), ('level', 2)]], {}), 4: ('blocks.choosers.ImageChooserBlock', (), {'label': 'Image'}), 5: ('blocks.safe.PlainCharBlock', (), {'help_text': 'Describe what the image shows for people who cannot see it.', 'label': 'Alt text', 'max_length': 255, 'required': False}), 6: ('wagtail.blocks.BooleanBlock', (), {'help_text': 'Tick only if the image adds no information; it then needs no alt text.', 'label': 'Decorative image', 'required': False}), 7: ('blocks.safe.PlainCharBlock', (), {'label': 'Caption', 'max_length': 500, 'required': False}), 8: ('blocks.safe.PlainCharBlock', (), {'help_text': 'Photographer or source, e.g. “Foto: Rēzeknes novada pašvaldība”.', 'label': 'Credit', 'max_length': 255, 'required': False}), 9: ('wagtail.blocks.StructBlock', [[('image', 4), ('alt_text', 5), ('decorative', 6), ('caption', 7), ('credit', 8)]], {}), 10: ('blocks.safe.PlainTextBlock', (), {'label': 'Quotation'}), 11: ('blocks.safe.PlainCharBlock', (), {'help_text': 'Who said it, as it should be printed, e.g. “Dana Bārbale, Ogre municipality”.', 'label': 'Attribution', 'max_length': 255, 'required': False}), 12: ('wagtail.blocks.StructBlock', [[('text', 10), ('attribution', 11)]], {}), 13: ('blocks.choosers.SnippetChooserBlock', ('cms.Person',), {'label': 'Person', 'required': False}), 14: ('blocks.safe.PlainCharBlock', (), {'help_text': 'When the report names nobody, e.g. “biedrības pārstāvis”, “bankas speciāliste”.', 'label': 'Who, when not named', 'max_length': 255, 'required': False}), 15: ('wagtail.blocks.MultipleChoiceBlock', [], {'choices': [('opening', 'Opened the event'), ('welcome', 'Welcome address'), ('speaker', 'Speaker'), ('lecturer', 'Lecturer'), ('moderator', 'Moderator'), ('panellist', 'Panellist'), ('host', 'Host'), ('technical_host', 'Technical host'), ('closing', 'Closed the event'), ('quoted', 'Quoted only'), ('present', 'Present, did not speak')], 'label': 'Part in the event'}), 16: ('blocks.safe.PlainCharBlock', (), {'help_text': "Job title as it was at the time, e.g. “LSUA project manager”. Empty: the person's current title.", 'label': 'Role at the event', 'max_length': 255, 'required': False}), 17: ('blocks.choosers.SnippetChooserBlock', ('cms.Organisation',), {'help_text': "Empty: the person's current organisation.", 'label': 'Organisation at the event', 'required': False}), 18: ('blocks.safe.PlainTextBlock', (), {'help_text': 'One or two sentences on what they said or did.', 'label': 'Contribution', 'required': False}), 19: ('wagtail.blocks.StructBlock', [[('person', 13), ('description', 14), ('parts', 15), ('role', 16), ('organisation', 17), ('contribution', 18)]], {}), 20: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('talk', 'Talk'), ('presentation', 'Presentation')], 'label': 'Kind'}), 21: ('blocks.base.ApiListBlock', (19,), {'label': 'Speakers', 'min_num': 1}), 22: ('blocks.safe.PlainCharBlock', (), {'label': 'Title', 'max_length': 255, 'required': False}), 23: ('blocks.text.RichTextBlock', (), {'features': ['bold', 'italic', 'link', 'ol', 'ul'], 'label': 'Summary', 'required': False}), 24: ('blocks.choosers.DocumentChooserBlock', (), {'label': 'Slides', 'required': False}), 25: ('blocks.safe.SafeURLBlock', (), {'label': 'Recording', 'required': False}), 26: ('wagtail.blocks.StructBlock', [[('kind', 20), ('speakers', 21), ('title', 22), ('summary', 23), ('slides', 24), ('recording_url', 25)]], {}), 27: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('breakout_groups', 'Breakout groups'), ('panel', 'Panel discussion'), ('plenary', 'Plenary discussion'), ('workshop', 'Workshop'), ('networking', 'Networking'), ('rotation', 'Rotating tables (world café)'), ('other', 'Other')], 'label': 'Method'}), 28: ('wagtail.blocks.IntegerBlock', (), {'help_text': 'Groups, tables or panels, whatever the method, when the report gives a number.', 'label': 'Number of groups or tables', 'min_value': 0, 'required': False}), 29: ('wagtail.blocks.IntegerBlock', (), {'help_text': 'Only when the questions themselves are not listed below.', 'label': 'Number of questions', 'min_value': 0, 'required': False}), 30: ('blocks.base.ApiListBlock', (19,), {'default': [], 'label': 'Moderators', 'min_num': 0}), 31: ('blocks.base.ApiListBlock', (19,), {'default': [], 'label': 'Panellists', 'min_num': 0}), 32: ('blocks.text.RichTextBlock', (), {'features': ['bold', 'italic', 'link', 'ol', 'ul'], 'label': 'How it went', 'required': False}), 33: ('blocks.safe.PlainTextBlock', (), {'label': 'Question'}), 34: ('blocks.safe.PlainTextBlock', (), {'label': 'Outcome'}), 35: ('blocks.base.ApiListBlock', (34,), {'default': [], 'help_text': 'One conclusion, proposal or answer per item.', 'label': 'Outcomes', 'min_num': 0}), 36: ('wagtail.blocks.StructBlock', [[('question', 33), ('outcomes', 35)]], {}), 37: ('blocks.base.ApiListBlock', (36,), {'default': [], 'label': 'Questions', 'min_num': 0}), 38: ('blocks.text.RichTextBlock', (), {'features': ['bold', 'italic', 'link', 'ol', 'ul'], 'label': 'Overall conclusions', 'required': False}), 39: ('blocks.choosers.DocumentChooserBlock', (), {'label': 'Summary document', 'required': False}), 40: ('wagtail.blocks.StructBlock', [[('title', 22), ('method', 27), ('group_count', 28), ('question_count', 29), ('moderators', 30), ('panellists', 31), ('description', 32), ('questions', 37), ('conclusions', 38), ('summary_document', 39)]], {}), 41: ('blocks.choosers.DocumentChooserBlock', (), {'label': 'Document'}), 42: ('blocks.safe.PlainCharBlock', (), {'help_text': "Leave empty to use the document's own title.", 'label': 'Title', 'max_length': 255, 'required': False}), 43: ('blocks.safe.PlainTextBlock', (), {'label': 'Description', 'required': False}), 44: ('wagtail.blocks.StructBlock', [[('document', 41), ('title', 42), ('description', 43)]], {}), 45: ('blocks.safe.SafeEmbedBlock', (), {'help_text': 'Link to the video, e.g. on YouTube or Vimeo.', 'label': 'Video URL'}), 46: ('wagtail.blocks.StructBlock', [[('embed', 45), ('title', 22), ('caption', 7)]], {})}, verbose_name='report'),
        ),
    ]
