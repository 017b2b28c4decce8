"""Load everything a response refers to in one query per model, and only what is public.

The serialiser first walks the raw JSON of the StreamFields it is about to render (and the page fields that
point at snippets or images), noting every referenced id. ``resolve()`` then loads each model once, in
dependency order (people and contact cards point at organisations and images; organisations and projects at
logos), with
the privacy rules applied: unpublished snippets, non-live or private pages and documents in private collections
come back as ``None`` and are dropped by the blocks that embed them.
"""

import functools
from collections import defaultdict
from collections.abc import Sequence
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import Q
from django.dispatch import receiver
from wagtail import blocks as wagtail_blocks
from wagtail.documents import get_document_model as _get_document_model
from wagtail.images import get_image_model as _get_image_model
from wagtail.models import Page

from blocks.choosers import prefetched_objects
from cms import fallbacks, publishing

from . import locales, richtext
from .privacy import media_queryset, media_rule, page_rule
from .shapes import rendition_specs

PAGE = "wagtailcore.page"


# The image and document models, looked up once: the resolver asks for them for every reference it notes, and
# while the swappable settings are left unset each lookup is a failed attribute access on the settings.
@functools.cache
def get_image_model():
    return _get_image_model()


@functools.cache
def get_document_model():
    return _get_document_model()


@receiver(setting_changed)
def _swapped(setting, **kwargs):
    if setting in {"WAGTAILIMAGES_IMAGE_MODEL", "WAGTAILDOCS_DOCUMENT_MODEL"}:
        get_image_model.cache_clear()
        get_document_model.cache_clear()


def model_key(model):
    """One key per model; any page type is a page. Accepts a class or an "app_label.Model" string."""
    key = _model_keys.get(model)
    if key is None:
        cls = apps.get_model(model) if isinstance(model, str) else model
        key = _model_keys[model] = PAGE if issubclass(cls, Page) else cls._meta.label_lower
    return key


# Asked for every reference of every block: a model's key is worked out once.
_model_keys = {}


def _walker(block):
    """A function ``walk(resolver, raw)`` noting every reference in the stored (JSON) value of ``block``, or
    None when nothing under the block can refer to anything (headings, quotes, dates: most of a report). Made
    once per block definition, so that walking a stored stream costs a call per value that can hold a
    reference, not a pass over every block's definition."""
    found = _walkers.get(id(block))
    if found is None:
        found = _walkers[id(block)] = (block, _make_walker(block))  # the block is kept: its id stays its own
    return found[1]


_walkers = {}


def _make_walker(block):
    if isinstance(block, wagtail_blocks.ChooserBlock):

        def chooser(resolver, raw):
            resolver.want(block.target_model, raw)

        return chooser
    if isinstance(block, wagtail_blocks.RichTextBlock):
        return lambda resolver, raw: resolver.want_rich_text(raw)
    if isinstance(block, wagtail_blocks.StreamBlock):
        children = {name: walk for name, child in block.child_blocks.items() if (walk := _walker(child))}
        if not children:
            return None

        def stream(resolver, raw):
            # A stored stream is a list, or Wagtail's view of one (``StreamValue.raw_data``).
            for child in raw if isinstance(raw, Sequence) and not isinstance(raw, str) else ():
                if isinstance(child, dict):
                    walk = children.get(child.get("type"))
                    value = child.get("value")
                    if walk is not None and value is not None:
                        walk(resolver, value)

        return stream
    if isinstance(block, wagtail_blocks.StructBlock):
        children = [(name, walk) for name, child in block.child_blocks.items() if (walk := _walker(child))]
        if not children:
            return None

        def struct(resolver, raw):
            if isinstance(raw, dict):
                for name, walk in children:
                    value = raw.get(name)
                    if value is not None:
                        walk(resolver, value)

        return struct
    if isinstance(block, wagtail_blocks.ListBlock):
        item_walk = _walker(block.child_block)
        if item_walk is None:
            return None

        def items(resolver, raw):
            for item in raw if isinstance(raw, Sequence) and not isinstance(raw, str) else ():
                # Items are stored as {"type": "item", "value": …, "id": …} since Wagtail 2.16, bare before.
                value = item["value"] if isinstance(item, dict) and "value" in item and "id" in item else item
                if value is not None:
                    item_walk(resolver, value)

        return items
    return None


def unordered(queryset):
    """``queryset`` without the model's default order: the resolver files every row by its key, so an order is
    only work (Django compiling it, the database sorting by it)."""
    return queryset.order_by()


class Resolver:
    def __init__(self, language=None):
        # The language of the response: snippets are shown in it when a live translation exists, otherwise
        # in the source language with ``fallback`` set. None: show each snippet as it is (snippet endpoints).
        self.language = language
        self.wanted = defaultdict(set)
        self.loaded = defaultdict(dict)
        # Pages are also wanted by relation: the translations and the parent of the pages being shown.
        self.wanted_translation_keys, self.translations = set(), defaultdict(list)
        self.wanted_parent_paths, self.parents = set(), {}
        # Pages wanted as themselves, never swapped for their translation (what an alias mirrors).
        self.wanted_exact, self.exact_pages = set(), {}
        self._locales = None

    def with_locale(self, obj):
        """``obj`` with its ``Locale`` attached from the site's locales (``api.locales``), read once per
        response: rows are loaded without joining it."""
        if self._locales is None:
            self._locales = locales.by_id()
        locales.attach(obj, self._locales)
        return obj

    def want_page_context(self, page):
        """The live translations and the parent of a page being serialised (for ``meta``)."""
        if page.translation_key not in self.translations:
            self.wanted_translation_keys.add(page.translation_key)
        parent_path = page.path[: -page.steplen]
        if parent_path and parent_path not in self.parents:
            self.wanted_parent_paths.add(parent_path)

    def want_exact_page(self, pk):
        if pk not in self.exact_pages:
            self.wanted_exact.add(pk)

    def exact_page(self, pk):
        return self.exact_pages.get(pk)

    # --- collecting ----------------------------------------------------------------------------------
    def want(self, model, pk):
        if pk in (None, ""):
            return
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return
        key = model_key(model)
        if pk not in self.loaded[key]:
            self.wanted[key].add(pk)

    def want_rich_text(self, source):
        for kind, pk in richtext.references(source):
            self.want(PAGE if kind == "page" else get_document_model(), pk)

    def want_stream(self, block, raw):
        """Walk a block definition alongside its raw JSON value and note every reference."""
        walk = _walker(block)
        if walk is not None and raw is not None:
            walk(self, raw)

    def want_stream_value(self, stream_value):
        self.want_stream(stream_value.stream_block, stream_value.raw_data)

    # --- loading -------------------------------------------------------------------------------------
    def resolve(self):
        from cms.models import ContactCard, Organisation, Person, Project, Topic

        image_model, document_model = get_image_model(), get_document_model()
        # Order matters: each step may want objects of the steps after it.
        # Organisations come along in the same query (most speakers' organisation is their own);
        # ``shapes`` drops any that is not live.
        self._load_snippets(Person, ("organisation",), after=self._after_person)
        self._load_snippets(ContactCard, ("organisation",), after=self._after_contact)
        self._load_snippets(Topic)
        self._load_snippets(Project, after=self._after_logo)
        self._load_snippets(Organisation, after=self._after_logo)
        self._load_pages()
        self._load_documents(document_model)
        images = self._load(image_model, media_queryset(image_model), public=media_rule())
        self._load_renditions(image_model, images)
        self._link_foreign_keys()

    def _load(self, model, queryset, after=None, public=None):
        key = model_key(model)
        ids = self.wanted.pop(key, set()) - set(self.loaded[key])
        if not ids:
            return
        found = {obj.pk: obj for obj in unordered(queryset.filter(pk__in=ids)) if public is None or public(obj)}
        for pk in ids:
            self.loaded[key][pk] = found.get(pk)
        if after:
            for obj in found.values():
                after(obj)
        return list(found.values())

    def _load_renditions(self, image_model, images):
        """The allow-listed renditions of the images just loaded, as rows (file name, width, height) keyed by
        spec and focal point key, in one query: a shape needs only those, and building a model instance (with
        its file object) per rendition cost more than the rest of the image. ``api.shapes`` makes any that is
        missing through Wagtail."""
        if not images:
            return
        specs = list(rendition_specs().values())
        rows = unordered(
            image_model.get_rendition_model().objects.filter(
                image_id__in=[image.pk for image in images], filter_spec__in=specs
            )
        )
        by_image = defaultdict(dict)
        for image_id, spec, focal_point_key, name, width, height in rows.values_list(
            "image_id", "filter_spec", "focal_point_key", "file", "width", "height"
        ):
            by_image[image_id][(spec, focal_point_key)] = (name, width, height)
        for image in images:
            image.api_renditions = by_image[image.pk]

    def _load_snippets(self, model, related=(), after=None):
        """Load snippets by id and pick, for each, what the response shows: the live version in the
        response language, else the live one referenced, else the live source-language version
        (``api_fallback`` set when it is not in the response language), else nothing."""
        key = model_key(model)
        ids = self.wanted.pop(key, set()) - set(self.loaded[key])
        if not ids:
            return
        rows = {
            obj.pk: self._with_locales(obj, related)
            for obj in unordered(model.objects.filter(pk__in=ids).select_related(*related))
        }
        wrong = {obj.translation_key for obj in rows.values() if not self._fits(obj)}
        alternatives = {}
        if wrong:
            languages = {self.language or settings.LANGUAGE_CODE, settings.LANGUAGE_CODE}
            others = publishing.public_snippets(model).filter(
                translation_key__in=wrong, locale__language_code__in=languages
            )
            for other in unordered(others.select_related(*related)):
                self._with_locales(other, related)
                alternatives[(other.translation_key, other.locale.language_code)] = other
        for pk in ids:
            chosen = self._choose(rows.get(pk), alternatives)
            self.loaded[key][pk] = chosen
            if chosen is not None and after:
                after(chosen)

    def _with_locales(self, obj, related):
        self.with_locale(obj)
        for name in related:
            self.with_locale(getattr(obj, name))
        return obj

    def _fits(self, obj):
        return publishing.is_public(obj) and (self.language is None or obj.locale.language_code == self.language)

    def _choose(self, obj, alternatives):
        if obj is None:
            return None
        if self._fits(obj):
            chosen = obj
        else:
            chosen = (
                alternatives.get((obj.translation_key, self.language))
                or (obj if publishing.is_public(obj) else None)
                or alternatives.get((obj.translation_key, settings.LANGUAGE_CODE))
            )
        if chosen is not None:
            chosen.api_fallback = self.language is not None and chosen.locale.language_code != self.language
        return chosen

    def _load_pages(self):
        """Link targets, translations and parents in one query; privacy is applied in Python."""
        ids = self.wanted.pop(PAGE, set()) - set(self.loaded[PAGE])
        exact = self.wanted_exact - set(self.exact_pages)
        keys, paths = self.wanted_translation_keys, self.wanted_parent_paths
        if not (ids or exact or keys or paths):
            return
        query = Q(pk__in=ids | exact) | Q(translation_key__in=keys) | Q(path__in=paths)
        pages = unordered(fallbacks.with_alias_source(Page.objects.filter(query, live=True)))
        is_public = page_rule()
        found = [self.with_locale(page) for page in pages if is_public(page)]
        by_pk = {page.pk: page for page in found}
        for pk in exact:
            self.exact_pages[pk] = by_pk.get(pk)
        by_pk.update(self._same_language_versions([by_pk[pk] for pk in ids if pk in by_pk]))
        for pk in ids:
            self.loaded[PAGE][pk] = by_pk.get(pk)
        for page in found:
            self._mark_fallback(page)
        for key in keys:
            self.translations[key] = sorted(
                (page for page in found if page.translation_key == key), key=lambda page: page.locale.language_code
            )
        for path in paths:
            self.parents[path] = next((page for page in found if page.path == path), None)
        self.wanted_translation_keys, self.wanted_parent_paths, self.wanted_exact = set(), set(), set()

    def _mark_fallback(self, page):
        """A page reference is a fallback when it is not in the response language, or mirrors another language."""
        other_language = self.language is not None and page.locale.language_code != self.language
        page.api_fallback = other_language or fallbacks.is_fallback(page)

    def _same_language_versions(self, targets):
        """Links and page choosers lead to the target's live translation in the response language, when
        there is one (a translated report links to translated pages). Costs a query only when needed."""
        elsewhere = [page for page in targets if self.language and page.locale.language_code != self.language]
        if not elsewhere:
            return {}
        translations = Page.objects.filter(
            translation_key__in={page.translation_key for page in elsewhere},
            locale__language_code=self.language,
            live=True,
        )
        translations = unordered(fallbacks.with_alias_source(translations))
        is_public = page_rule()
        by_key = {page.translation_key: self.with_locale(page) for page in translations if is_public(page)}
        for page in by_key.values():
            self._mark_fallback(page)
        return {page.pk: by_key[page.translation_key] for page in elsewhere if page.translation_key in by_key}

    def _load_documents(self, document_model):
        key = model_key(document_model)
        ids = self.wanted.pop(key, set()) - set(self.loaded[key])
        if not ids:
            return
        documents = unordered(media_queryset(document_model).filter(pk__in=ids))
        is_public = media_rule()
        public = {doc.pk: doc for doc in documents if is_public(doc)}
        for pk in ids:
            self.loaded[key][pk] = public.get(pk)

    def _after_person(self, person):
        self.adopt("cms.organisation", person.organisation)
        self.want(get_image_model(), person.photo_id)
        self.want_rich_text(person.bio)
        self.want_stream_value(person.links)

    def _after_contact(self, card):
        self.adopt("cms.organisation", card.organisation)

    def adopt(self, key, obj):
        """Keep an object that is already at hand (through a join, or the endpoint's own query)."""
        key = model_key(key)
        if obj is None or obj.pk in self.loaded[key]:
            return
        self.with_locale(obj)
        if not self._fits(obj):
            self.want(key, obj.pk)  # resolved with the language and fallback rules
            return
        obj.api_fallback = False
        self.loaded[key][obj.pk] = obj
        self.wanted[key].discard(obj.pk)
        after = self.after_loading(key)
        if after:
            after(obj)

    def after_loading(self, key):
        """What to do with a loaded snippet of ``key``: want what it points at (None when it points at nothing)."""
        return {
            "cms.person": self._after_person,
            "cms.contactcard": self._after_contact,
            "cms.organisation": self._after_logo,
            "cms.project": self._after_logo,
        }.get(key)

    def _after_logo(self, obj):
        """Organisations and projects show their logo."""
        self.want(get_image_model(), obj.logo_id)

    def _link_foreign_keys(self):
        """Point loaded objects' foreign keys at the loaded (or dropped) targets, so shapes query nothing."""
        image_key = model_key(get_image_model())
        for person in filter(None, self.loaded["cms.person"].values()):
            _set_fk(person, "organisation", self.loaded["cms.organisation"])
            _set_fk(person, "photo", self.loaded[image_key])
        for card in filter(None, self.loaded["cms.contactcard"].values()):
            _set_fk(card, "organisation", self.loaded["cms.organisation"])
        for org in filter(None, self.loaded["cms.organisation"].values()):
            _set_fk(org, "logo", self.loaded[image_key])
        for project in filter(None, self.loaded["cms.project"].values()):
            _set_fk(project, "logo", self.loaded[image_key])

    # --- reading -------------------------------------------------------------------------------------
    def get(self, model, pk):
        if pk in (None, ""):
            return None
        key = model_key(model)
        pk = int(pk)
        if pk not in self.loaded[key]:
            # Not collected beforehand (should not happen in the API): load it alone rather than guess.
            self.want(key, pk)
            self.resolve()
        return self.loaded[key].get(pk)

    @contextmanager
    def active(self):
        token = prefetched_objects.set(self)
        try:
            yield self
        finally:
            prefetched_objects.reset(token)


def _set_fk(obj, name, loaded):
    field = obj._meta.get_field(name)
    target_id = getattr(obj, field.attname)
    field.set_cached_value(obj, loaded.get(target_id) if target_id is not None else None)
