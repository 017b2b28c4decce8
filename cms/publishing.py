"""Publishing never leaves out, without a word, what a page or snippet shows.

The public API shows a chosen snippet (a speaker's person, a contact card, an organiser, a project, a topic, a
person's organisation) only while it is public (``is_public``: live; ``api.filters`` and ``api.resolver`` ask
here). On a page in another language it shows the snippet's live version in that language, or else the live
one in the source language. The preview and the admin show drafts too, so a report published while it shows a
person saved only as a draft would lose her in the API without anyone being told. ``unpublished_shown_by``
answers, for a page or a snippet (as stored, as a revision has it, or as an edit form holds it), which
snippets publishing it would leave out. Every way of publishing asks it:

- the edit forms of pages and snippets, when publishing, scheduling, or approving the last step of a workflow
  (``PublishingRuleFormMixin``): a form error that names them, and nothing is saved; or, when the editor chose
  “Publish with the chosen drafts”, they are published first (``publish_together``, from the
  ``before_publish_page``/``before_publish`` hooks in ``cms.wagtail_hooks``, which also refuse anything the
  form let through);
- approving a workflow from the dashboard (``cms.wagtail_hooks.WorkflowActionView``), and the end of any
  workflow (``publish_workflow_state``, through ``cms.workflows`` for ``WAGTAIL_FINISH_WORKFLOW_ACTION``);
- bulk publishing (``refuse_bulk_publish``, a ``before_bulk_action`` hook);
- scheduled publishing (the ``publish_scheduled`` command), where nobody can be asked: the revision is not
  published, its schedule is cleared and the object's history says why (``refuse_scheduled``).

The same forms keep what is chosen in the content's own language: the choices offered are the ones in that
language, and a snippet of another language is refused with a form error (``PublishingRuleFormMixin``).
"""

import contextlib
import copy
import logging
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel, get_all_child_relations
from wagtail import blocks
from wagtail.blocks import StreamValue
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, Locale, Page, RevisionMixin, TranslatableMixin

logger = logging.getLogger(__name__)

# The value of ``action-publish`` posted by “Publish with the chosen drafts” (any other value: plain publish).
PUBLISH_WITH = "publish-with-chosen"
# The history entry of a scheduled publication that was not made (registered in ``cms.wagtail_hooks``).
REFUSED_LOG_ACTION = "cms.publish.refused"


# --- What is public -------------------------------------------------------------------------------------------


def is_public(obj):
    """Whether the API may show ``obj``: a snippet is public while it is live (one never published, unpublished
    or expired is not); an object without drafts always is."""
    return not isinstance(obj, DraftStateMixin) or bool(obj.live)


def public_snippets(model):
    """The public snippets of ``model``, as a queryset: what the snippet endpoints list and filters match."""
    return model._default_manager.filter(live=True)


def watched_models():
    """The models whose objects the API leaves out when they are not public: every snippet with drafts."""
    from wagtail.snippets.models import get_snippet_models

    return frozenset(
        model for model in get_snippet_models() if issubclass(model, DraftStateMixin) and not issubclass(model, Page)
    )


# --- What an object chooses ------------------------------------------------------------------------------------


def references_of(obj):
    """``(model, pk)`` of every snippet ``obj`` chooses, as it is in memory: in its StreamFields, foreign keys,
    many-to-many fields and child objects (organisers, projects, sessions…)."""
    found = set()
    _object_references(obj, found, watched_models())
    return found


def _object_references(obj, found, watched):
    for field in obj._meta.get_fields():
        if isinstance(field, StreamField):
            value = getattr(obj, field.attname)
            if isinstance(value, StreamValue):
                _stream_references(value.stream_block, value.raw_data, found, watched)
        elif not field.concrete or field.related_model not in watched:
            continue
        elif field.many_to_one:
            _add(found, field.related_model, getattr(obj, field.attname), watched)
        elif field.many_to_many and (obj.pk is not None or isinstance(obj, ClusterableModel)):
            # A parental many-to-many field holds its value in memory (a revision's, a form's) before saving.
            for item in getattr(obj, field.name).all():
                _add(found, field.related_model, item.pk, watched)
    if isinstance(obj, ClusterableModel):
        for relation in get_all_child_relations(obj):
            for child in getattr(obj, relation.get_accessor_name()).all():
                _object_references(child, found, watched)


def _add(found, model, pk, watched):
    if model in watched and pk not in (None, ""):
        with contextlib.suppress(TypeError, ValueError):
            found.add((model, int(pk)))


def _stream_references(block, raw, found, watched):
    """Walk a block definition alongside its stored (JSON) value, as the API does (``api.resolver``)."""
    if raw is None or isinstance(raw, (str, bytes)):
        if isinstance(block, blocks.ChooserBlock):
            _add(found, block.target_model, raw, watched)
        return
    if isinstance(block, blocks.StreamBlock):
        for child in raw:
            if isinstance(child, dict) and child.get("type") in block.child_blocks:
                _stream_references(block.child_blocks[child["type"]], child.get("value"), found, watched)
    elif isinstance(block, blocks.StructBlock):
        if isinstance(raw, dict):
            for name, child_block in block.child_blocks.items():
                _stream_references(child_block, raw.get(name), found, watched)
    elif isinstance(block, blocks.ListBlock):
        for item in raw if isinstance(raw, list) else []:
            # Items are stored as {"type": "item", "value": …, "id": …}, or (older content) as plain values.
            value = item["value"] if isinstance(item, dict) and "value" in item and "id" in item else item
            _stream_references(block.child_block, value, found, watched)
    elif isinstance(block, blocks.ChooserBlock):
        _add(found, block.target_model, raw, watched)


def references_in_form(form):
    """``(form, field name, model, pk)`` of every snippet chosen in a validated edit form and in its child forms
    (an organiser row, a project row), leaving out rows being deleted and empty extra rows."""
    watched = watched_models()
    yield from _form_references(form, watched)


def _form_references(form, watched):
    for name, value in form.cleaned_data.items():
        found = set()
        _value_references(value, found, watched)
        for model, pk in sorted(found, key=lambda ref: (ref[0]._meta.label, ref[1])):
            yield form, name, model, pk
    for formset in getattr(form, "formsets", {}).values():
        for child in formset.forms:
            cleaned = getattr(child, "cleaned_data", None)
            if cleaned is None or cleaned.get("DELETE"):
                continue
            if child.instance.pk is None and not child.has_changed():
                continue
            yield from _form_references(child, watched)


def _value_references(value, found, watched):
    if isinstance(value, Model):
        _add(found, type(value), value.pk, watched)
    elif isinstance(value, StreamValue):
        _stream_references(value.stream_block, value.raw_data, found, watched)
    elif isinstance(value, (QuerySet, list, tuple)):
        for item in value:
            _value_references(item, found, watched)


# --- The rule ---------------------------------------------------------------------------------------------------


def unpublished_shown_by(obj, references=None):
    """The snippets that publishing ``obj`` (a page or a snippet) would leave out of the API, as stored rows:

    - those it chooses that are not public and have no public version in its language or in the source
      language (which the API would show in their place);
    - those that the snippets it shows choose in turn: a live person's draft organisation, and a draft
      person's organisation (publishing her needs it too).

    ``references``: what it chooses, when that is not read from ``obj`` itself (an edit form's choices).
    Sorted by kind and name, as an editor reads them."""
    language = _language_of(obj)
    watched = watched_models()
    wanted = references_of(obj) if references is None else set(references)
    found = {}
    seen = set()
    while wanted:
        wanted -= seen
        seen |= wanted
        following = set()
        by_model = defaultdict(set)
        for model, pk in wanted:
            by_model[model].add(pk)
        for model, pks in by_model.items():
            rows = list(model._default_manager.filter(pk__in=pks))
            standing_in = _public_versions(model, [row for row in rows if not is_public(row)], language)
            for row in rows:
                if is_public(row):
                    shown = row
                elif isinstance(row, TranslatableMixin) and row.translation_key in standing_in:
                    shown = standing_in[row.translation_key]
                else:
                    # What publishing it would make live: its latest version.
                    shown = row.get_latest_revision_as_object() if isinstance(row, RevisionMixin) else row
                    found[(model, row.pk)] = row
                _object_references(shown, following, watched)
        wanted = following
    return sorted(found.values(), key=lambda row: (str(row._meta.verbose_name), str(row), row.pk))


def _language_of(obj):
    if isinstance(obj, TranslatableMixin) and obj.locale_id:
        return Locale.objects.get(pk=obj.locale_id).language_code
    return settings.LANGUAGE_CODE


def _public_versions(model, rows, language):
    """For each of ``rows`` (not public), by translation key, the public version the API shows instead: the
    one in ``language``, else the one in the source language."""
    if not rows or not issubclass(model, TranslatableMixin):
        return {}
    preference = [language, settings.LANGUAGE_CODE]
    versions = public_snippets(model).filter(
        translation_key__in={row.translation_key for row in rows}, locale__language_code__in=preference
    )
    found = {}
    for version in sorted(versions.select_related("locale"), key=lambda v: preference.index(v.locale.language_code)):
        found.setdefault(version.translation_key, version)
    return found


# --- Saying so --------------------------------------------------------------------------------------------------


def describe(obj):
    """“person “Maija Hartmane””: the kind and name of a snippet, for sentences."""
    return gettext("%(kind)s “%(name)s”") % {"kind": obj._meta.verbose_name, "name": str(obj)}


def describe_all(objects):
    return ", ".join(describe(obj) for obj in objects)


def refusal_message(objects):
    return gettext(
        "It shows items that are not published, which the public site would leave out: %(items)s. Publish them "
        "first, or choose “%(action)s”."
    ) % {"items": describe_all(objects), "action": PUBLISH_WITH_LABEL}


def approval_refusal_message(objects):
    return gettext(
        "Approving publishes it, but it shows items that are not published, which the public site would leave "
        "out: %(items)s. Publish them first, then approve."
    ) % {"items": describe_all(objects)}


PUBLISH_WITH_LABEL = _("Publish with the chosen drafts")


# --- Publishing them together ----------------------------------------------------------------------------------


def publish_together_problems(objects, user):
    """Why ``user`` cannot publish ``objects`` (from ``unpublished_shown_by``) together with what shows them: one
    message for each that cannot be, none when all can."""
    from wagtail.permissions import policy_registry

    problems = []
    for obj in objects:
        # The snippet's permission policy, which also holds translators to their languages (cms.localize.rights).
        if not policy_registry.get(obj).user_has_permission_for_instance(user, "publish", obj):
            problems.append(gettext("You may not publish %(item)s.") % {"item": describe(obj)})
            continue
        version = obj.get_latest_revision_as_object() if isinstance(obj, RevisionMixin) else obj
        try:
            # A draft may have been saved unfinished (Wagtail does not hold drafts to required fields).
            version.full_clean()
        except ValidationError:
            problems.append(
                gettext("%(item)s is not complete: open it, finish it and publish it on its own.")
                % {"item": capfirst(describe(obj))}
            )
    return problems


def publish_together(objects, user):
    """Publish ``objects`` (from ``unpublished_shown_by``), each as its latest version, what they point at first
    (an organisation before the people and contact cards that name it)."""
    watched = watched_models()
    for obj in sorted(objects, key=lambda obj: _points_at_depth(type(obj), watched)):
        revision = obj.latest_revision if obj.latest_revision_id else obj.save_revision(user=user, log_action=True)
        revision.publish(user=user)


def _points_at_depth(model, watched, trail=()):
    """0 for a model that chooses no other snippet model, else one more than the deepest it chooses."""
    targets = {
        field.related_model
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model in watched
    } - {model, *trail}
    return 1 + max((_points_at_depth(target, watched, (*trail, model)) for target in targets), default=-1)


# --- The edit forms --------------------------------------------------------------------------------------------


def publishing_intent(form):
    """What the posted form asks: "publish" (publish now or schedule, or approve a workflow's last step, which
    publishes), PUBLISH_WITH (“Publish with the chosen drafts”), or None (save a draft, submit, …)."""
    data = form.data
    action = data.get("action-publish")
    if action:
        return PUBLISH_WITH if action == PUBLISH_WITH else "publish"
    if data.get("action-workflow-action") and data.get("workflow-action-name") == "approve":
        return "approve" if _approval_publishes(form.instance) else None
    return None


def _approval_publishes(obj):
    state = getattr(obj, "current_workflow_state", None) if obj.pk else None
    return state is not None and state.is_at_final_task


class PublishingRuleFormMixin:
    """For the admin form of a page or snippet: the snippets offered are the ones in its language (and what it
    already has, so nothing disappears unseen), one of another language is refused, and publishing (now,
    scheduled, or by approving the last step of a workflow) is refused while it shows unpublished snippets,
    unless the editor chose “Publish with the chosen drafts” and may publish them all."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.content_locale = _locale_of(self.instance)
        # Filled by is_valid(): what publishing would leave out (for messages and the action menu).
        self.unpublished_snippets = []
        if self.content_locale is None:
            return
        _offer_only_locale(self, self.content_locale)
        for formset in getattr(self, "formsets", {}).values():
            for child in formset.forms:
                _offer_only_locale(child, self.content_locale)

    def is_valid(self):
        if not super().is_valid():
            return False
        # Views ask more than once (Wagtail's create and edit actions validate the form again): check once.
        if not getattr(self, "_publishing_rule_checked", False):
            self._publishing_rule_checked = True
            if self.content_locale is not None:
                self._refuse_other_languages()
            intent = publishing_intent(self)
            if intent and not self.errors:
                self._apply_publishing_rule(intent)
        return super().is_valid()

    def _refuse_other_languages(self):
        references = list(references_in_form(self))
        by_model = defaultdict(set)
        for _form, _name, model, pk in references:
            if issubclass(model, TranslatableMixin):
                by_model[model].add(pk)
        rows = {}
        for model, pks in by_model.items():
            for row in model._default_manager.filter(pk__in=pks).select_related("locale"):
                rows[(model, row.pk)] = row
        for form, name, model, pk in references:
            row = rows.get((model, pk))
            if row is None or row.locale_id == self.content_locale.pk:
                continue
            form.add_error(
                name,
                ValidationError(
                    gettext(
                        "%(item)s is in %(language)s: choose what is in %(content_language)s, the language of this "
                        "content."
                    )
                    % {
                        "item": capfirst(describe(row)),
                        "language": _language_name(row.locale),
                        "content_language": _language_name(self.content_locale),
                    },
                    code="other_language",
                ),
            )

    def _apply_publishing_rule(self, intent):
        references = {(model, pk) for _form, _name, model, pk in references_in_form(self)}
        self.unpublished_snippets = unpublished_shown_by(self.instance, references=references)
        if not self.unpublished_snippets:
            return
        if intent == "approve":
            message = approval_refusal_message(self.unpublished_snippets)
            self.add_error(None, ValidationError(message, code="unpublished"))
        elif intent == PUBLISH_WITH:
            for problem in publish_together_problems(self.unpublished_snippets, self.for_user):
                self.add_error(None, ValidationError(problem, code="cannot_publish_with"))
        else:
            self.add_error(None, ValidationError(refusal_message(self.unpublished_snippets), code="unpublished"))


def _language_name(locale):
    """The language's name in the admin's language (“angļu”), as ``cms.localize.rights.language_name`` gives it
    (not imported: the models import this module, and that one imports the models)."""
    try:
        return str(get_language_info(locale.language_code)["name_translated"])
    except KeyError:
        return locale.get_display_name() or locale.language_code


def _locale_of(obj):
    if isinstance(obj, TranslatableMixin) and obj.locale_id:
        return Locale.objects.get(pk=obj.locale_id)
    return None


def _offer_only_locale(form, locale):
    """List, in every field choosing translatable snippets from a list (the report's topics), the ones in
    ``locale`` and those already chosen. Only the list is narrowed: the field still accepts any, so that one of
    another language gets the form's own message (``_refuse_other_languages``) rather than Django's “not one of
    the available choices”. (Chooser widgets list nothing: their chooser keeps to the language, ``cms.choosers``.)"""
    watched = watched_models()
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None or queryset.model not in watched or not issubclass(queryset.model, TranslatableMixin):
            continue
        if not hasattr(field.widget, "choices"):
            continue
        chosen = _pks(form.initial.get(name))
        listed = copy.copy(field)
        # The copy shares the field's widget: setting its queryset gives the widget the copy's choices, and the
        # field keeps its own queryset.
        listed.queryset = queryset.filter(Q(locale=locale) | Q(pk__in=chosen))
        if listed.widget is not field.widget or field.queryset is not queryset:
            raise RuntimeError("Django's ModelChoiceField no longer shares its widget with a copy")


def _pks(value):
    if value in (None, ""):
        return []
    if isinstance(value, Model):
        return [value.pk]
    if isinstance(value, (str, int)):
        return [value]
    # A list, a queryset, or modelcluster's in-memory FakeQuerySet of a parental many-to-many field.
    return [pk for item in value for pk in _pks(item)]


# --- Paths without a form --------------------------------------------------------------------------------------


class UnpublishedSnippetsError(PermissionDenied):
    """Publishing refused: what it publishes shows snippets the public site would leave out (``objects``)."""

    def __init__(self, message, objects):
        super().__init__(message)
        self.objects = objects


def publish_workflow_state(workflow_state, user=None):
    """What ends an approved workflow (``WAGTAIL_FINISH_WORKFLOW_ACTION``): Wagtail's publishing of the latest
    revision, refused while it shows unpublished snippets. Raised inside the approval's transaction, the refusal
    undoes the approval too: the task stays waiting for review."""
    from wagtail.workflows import publish_workflow_state as publish

    revision = workflow_state.content_object.get_latest_revision()
    shown = unpublished_shown_by(revision.as_object())
    if shown:
        raise UnpublishedSnippetsError(approval_refusal_message(shown), shown)
    publish(workflow_state, user=user)


def refuse_bulk_publish(request, action_type, objects, action):
    """The ``before_bulk_action`` hook: bulk publishing is refused as a whole when any page it would publish (with
    its draft subpages, when those are included) shows unpublished snippets; the message names them."""
    if action_type != "publish":
        return None
    pages = [obj for obj in objects if isinstance(obj, Page)]
    form = action.cleaned_form  # Wagtail sets it (form_valid) before it runs the before_bulk_action hooks
    if form is not None and form.cleaned_data.get("include_descendants"):
        for page in list(pages):
            pages += list(page.get_descendants().not_live().specific())
    refusals = []
    for page in pages:
        shown = unpublished_shown_by(page.specific.get_latest_revision_as_object())
        if shown:
            refusals.append(
                gettext("“%(title)s” shows items that are not published: %(items)s.")
                % {"title": page.get_admin_display_title(), "items": describe_all(shown)}
            )
    if not refusals:
        return None
    from django.contrib import messages
    from django.shortcuts import redirect

    messages.error(
        request,
        gettext("Nothing was published: the public site would leave out items these pages show. %(details)s")
        % {"details": " ".join(refusals)},
    )
    return redirect(action.next_url)


def refuse_scheduled(revision):
    """For the ``publish_scheduled`` command: if ``revision`` shows unpublished snippets, do not publish it, clear
    its schedule and record why in the object's history (and the log); True when refused."""
    from wagtail.log_actions import log

    obj = revision.as_object()
    shown = unpublished_shown_by(obj)
    if not shown:
        return False
    revision.approved_go_live_at = None
    revision.save(update_fields=["approved_go_live_at"])
    items = [{"model": row._meta.label_lower, "id": row.pk, "name": str(row)} for row in shown]
    log(instance=obj, action=REFUSED_LOG_ACTION, data={"items": items}, revision=revision)
    logger.warning(
        "Scheduled publishing of %s %s refused: it shows unpublished %s",
        obj._meta.label,
        obj.pk,
        ", ".join(f"{item['model']}:{item['id']}" for item in items),
    )
    return True


def describe_logged(items):
    """The items of a refusal's history entry (``refuse_scheduled``), described in the reader's language."""
    described = []
    for item in items:
        try:
            kind = apps.get_model(item["model"])._meta.verbose_name
        except (LookupError, KeyError, ValueError):
            kind = item.get("model", "")
        described.append(gettext("%(kind)s “%(name)s”") % {"kind": kind, "name": item.get("name", "")})
    return ", ".join(described)
