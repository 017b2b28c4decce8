"""The change log: for any edit, which public things change — recorded in the edit's own transaction.

This is the one module that answers "what does this edit affect". Every kind of edit that can change what the
public sees ends here (signals wired in ``CmsConfig.ready``):

- pages: publish (also translations, alias updates and scheduled publishing), unpublish (also expiry),
  delete, move, slug change, view restriction added, changed or removed;
- snippets (people, organisations, contact cards, topics, projects): publish, unpublish, delete;
- images and documents: save (title, alt text, file, collection), delete;
- collections: view restriction added, changed or removed, and any other save (a move changes what is private);
- sites and locales (they change every URL), and translation sources being synchronised (``translation_status``).

For each edit the log computes the affected set with a bounded number of queries, whatever the number of
referrers: the edited objects (a snippet together with its translations, since pages in other languages may
show it as their fallback), the whole subtree for a move, slug or privacy change, then every page and snippet
referring to any of those, level by level over Wagtail's reference index (a page shows a person, who shows an
organisation, which shows a logo: three levels), plus translations, children and aliases of the changed pages
(their ``meta`` names them). The result is a ``ChangeEvent`` row written in the same transaction as the edit; a
rolled-back edit leaves none. ``change_committed`` announces each event after commit. Listeners (the API's
cache, the front-end hooks) know nothing of the edit itself: the event is all they get.

The reference index must be current when an edit is recorded: Wagtail updates it in a task, so the default
task backend must run tasks immediately (a system check says so); background work gets a backend of its own.
"""

import base64
import binascii
import functools
import threading
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.db import models, transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.dispatch import Signal
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    DraftStateMixin,
    Locale,
    Page,
    PageViewRestriction,
    ReferenceIndex,
    Site,
    TranslatableMixin,
)

from .frontend import frontend_url_for, site_roots

# Sent after commit, once per event: ``sender=ChangeEvent, event=<ChangeEvent>``.
change_committed = Signal()
# Sent after commit for a subtree edit (a move, a view restriction, a collection saved) that is not announced
# because nothing public was reached: ``sender=None, kind=<the event kind it would have had>``. What is private
# has still changed place: a private section moved elsewhere keeps its restriction at its new path, and whoever
# keeps the restricted paths (the API, ``api.privacy``) must read them again.
private_structure_changed = Signal()

PAGE = "wagtailcore.page"
# How far references are followed: page → person → organisation → logo.
REFERENCE_DEPTH = 3
URL_BATCH = 10_000

# Every kind of change event, as the change feed names them.
KINDS = (
    "page.published",
    "page.unpublished",
    "page.deleted",
    "page.moved",
    "page.privacy",
    "snippet.published",
    "snippet.unpublished",
    "snippet.deleted",
    "image.saved",
    "image.deleted",
    "document.saved",
    "document.deleted",
    "collection.privacy",
    "collection.saved",
    "site.changed",
    "translation.synced",
)

# Listing tags: a change to any page, or to a snippet of the kind, changes these listings.
PAGES_LISTING = "pages"
SNIPPET_LISTINGS = {
    "cms.person": "people",
    "cms.organisation": "organisations",
    "cms.contactcard": "contacts",
    "cms.project": "projects",
}


def snippet_models():
    from .models import ContactCard, Organisation, Person, Project, Topic

    return (Person, Organisation, ContactCard, Topic, Project)


def object_key(obj_or_model, pk=None):
    """``app_label.model`` of an object's base model (every page is ``wagtailcore.page``)."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    if issubclass(model, Page):
        return PAGE
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    if issubclass(model, get_image_model()):
        return get_image_model()._meta.label_lower
    if issubclass(model, get_document_model()):
        return get_document_model()._meta.label_lower
    return model._meta.label_lower


def tag(key, pk):
    """A cache tag naming one object: ``page-12``, ``person-3``, ``image-5``, ``document-2``…"""
    return f"{_tag_name(key)}-{pk}"


@functools.cache
def _tag_name(key):
    # Once per key: a response carries a tag for every object it shows, and the swappable image and document
    # models are looked up in the settings each time they are asked for.
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    if key == PAGE:
        return "page"
    if key == get_image_model()._meta.label_lower:
        return "image"
    if key == get_document_model()._meta.label_lower:
        return "document"
    return key.rsplit(".", 1)[-1]


# --- what an edit affects ------------------------------------------------------------------------------
@dataclass
class Affected:
    """What one edit changes. ``pages`` and ``snippets`` are what responses must be rebuilt for (whether
    public now or not); ``tags`` name the changed objects for tag-purging caches; ``urls`` are the front-end
    URLs to purge (those public now and those that were public before, e.g. a moved page's old address)."""

    pages: set = field(default_factory=set)
    snippets: set = field(default_factory=set)  # {("cms.person", 3), …}
    media: set = field(default_factory=set)  # {("wagtailimages.image", 5), …}
    tags: set = field(default_factory=set)
    urls: set = field(default_factory=set)
    public_pages: set = field(default_factory=set)
    # The snippets the public may know of: the changed ones and those live now (``snippets`` also holds
    # drafts, followed for the pages that choose them). Purges name only these.
    public_snippets: set = field(default_factory=set)
    everything: bool = False

    def as_json(self):
        return {
            "pages": sorted(self.pages),
            "public_pages": sorted(self.public_pages),
            "public_snippets": sorted(f"{key}:{pk}" for key, pk in self.public_snippets),
            "snippets": sorted(f"{key}:{pk}" for key, pk in self.snippets),
            "media": sorted(f"{key}:{pk}" for key, pk in self.media),
            "tags": sorted(self.tags),
            "urls": sorted(self.urls),
            "everything": self.everything,
        }


def restricted_page_paths():
    return list(PageViewRestriction.objects.values_list("page__path", flat=True))


def restricted_collection_paths():
    return list(CollectionViewRestriction.objects.values_list("collection__path", flat=True))


def _under(path, prefixes):
    return any(path.startswith(prefix) for prefix in prefixes)


def page_is_public(page, restricted=None):
    restricted = restricted_page_paths() if restricted is None else restricted
    return page.live and not _under(page.path, restricted)


def media_is_public(item, restricted=None, path=None):
    """``path``: the collection's path when the caller has it fresh (collection paths move when a sibling is
    added, so the change log reads it from the database rather than trust an instance in memory)."""
    restricted = restricted_collection_paths() if restricted is None else restricted
    # With no private collection the item's own collection is not read (nor loaded).
    return not restricted or not _under(item.collection.path if path is None else path, restricted)


def collection_path(collection_id):
    return Collection.objects.filter(pk=collection_id).values_list("path", flat=True).first() or ""


def _content_type_id(key):
    return ContentType.objects.get_for_model(apps.get_model(key)).pk


class AffectedSet:
    """Builds an ``Affected`` in a constant number of queries (one per step, each batched)."""

    def __init__(self, restricted=None):
        # Restricted page paths to judge which URLs are public; a privacy edit leaves its own out, so that
        # the URLs public before *or* after the edit are purged.
        self.restricted = restricted
        self.affected = Affected()
        self.changed_pages = {}  # pk -> (path, depth, translation_key): pages edited themselves
        self.subtree_paths = []
        self.old_urls = set()

    # --- input ---------------------------------------------------------------------------------------
    def page(self, page):
        self.changed_pages[page.pk] = (page.path, page.depth, page.translation_key)
        self.affected.pages.add(page.pk)
        self.affected.tags.add(tag(PAGE, page.pk))

    def subtree(self, page):
        """The page and every page below it change (their URLs or their privacy)."""
        self.page(page)
        self.subtree_paths.append(page.path)

    def snippet(self, obj):
        key = object_key(obj)
        self.affected.snippets.add((key, obj.pk))
        self.affected.tags.add(tag(key, obj.pk))

    def media(self, obj):
        key = object_key(obj)
        self.affected.media.add((key, obj.pk))
        self.affected.tags.add(tag(key, obj.pk))

    def media_in_collection(self, path):
        """Every image and document in the collection at ``path`` or below it (privacy follows the tree)."""
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model

        for model in (get_image_model(), get_document_model()):
            key = object_key(model)
            for pk in model.objects.filter(collection__path__startswith=path).values_list("pk", flat=True):
                self.affected.media.add((key, pk))
                self.affected.tags.add(tag(key, pk))

    def everything(self):
        self.affected.everything = True

    # --- computing -----------------------------------------------------------------------------------
    def compute(self):
        affected = self.affected
        self.subtree_pages = set()
        if self.subtree_paths:
            for pk, live in Page.objects.filter(self._subtree_q()).values_list("pk", "live"):
                self.subtree_pages.add(pk)
                if live:
                    affected.tags.add(tag(PAGE, pk))
            affected.pages |= self.subtree_pages
        self._snippet_translations()
        self._referrers()
        self._related_pages()
        if affected.pages or affected.everything:
            affected.tags.add(PAGES_LISTING)
        for key, _pk in affected.snippets:
            if key in SNIPPET_LISTINGS:
                affected.tags.add(SNIPPET_LISTINGS[key])
        self._urls()
        return affected

    def _subtree_q(self, prefix=""):
        query = Q()
        for path in self.subtree_paths:
            query |= Q(**{f"{prefix}path__startswith": path})
        return query

    def _snippet_translations(self):
        """A snippet in every language: a page whose own language has no live copy shows the source's."""
        by_model = {}
        for key, pk in self.affected.snippets:
            by_model.setdefault(key, set()).add(pk)
        for key, pks in by_model.items():
            model = apps.get_model(key)
            if not issubclass(model, TranslatableMixin):
                continue
            same = model.objects.filter(translation_key__in=model.objects.filter(pk__in=pks).values("translation_key"))
            if issubclass(model, DraftStateMixin):
                rows = same.values_list("pk", "live")
            else:
                rows = ((pk, True) for pk in same.values_list("pk", flat=True))
            for pk, live in rows:
                # A translation that is not live is followed to the pages that choose it (they show the source
                # instead), but gets no tag: tags go out in the feed and in purges, and would name a draft.
                self.affected.snippets.add((key, pk))
                if live or pk in pks:
                    self.affected.tags.add(tag(key, pk))

    def _referrers(self):
        """Pages and snippets referring to what changed, through the reference index and many-to-many
        relations (which the index does not record), following snippets up to ``REFERENCE_DEPTH`` levels."""
        page_ct = _content_type_id(PAGE)
        frontier = set(self.affected.snippets) | set(self.affected.media)
        # A subtree (any size) is referred to by a subquery, not by a list of its ids.
        frontier |= {(PAGE, pk) for pk in self.affected.pages - self.subtree_pages}
        seen = set(frontier)
        subtree = None
        if self.subtree_paths:
            subtree = Page.objects.filter(self._subtree_q()).annotate(pk_text=Cast("pk", CharField()))
        snippet_keys = {model._meta.label_lower: model for model in snippet_models()}
        snippet_cts = {_content_type_id(key): key for key in snippet_keys}
        for _level in range(REFERENCE_DEPTH):
            if not frontier and subtree is None:
                break
            by_key = {}
            for key, pk in frontier:
                by_key.setdefault(key, set()).add(str(pk))
            query = Q()
            for key, pks in by_key.items():
                query |= Q(to_content_type_id=_content_type_id(key), to_object_id__in=sorted(pks))
            if subtree is not None:
                query |= Q(to_content_type_id=page_ct, to_object_id__in=subtree.values("pk_text"))
                subtree = None  # pages do not pass references on: only the first level asks for them
            found = set(ReferenceIndex.objects.filter(query).values_list("base_content_type_id", "object_id"))
            found |= self._many_to_many_referrers(by_key, page_ct)
            next_frontier = set()
            for content_type_id, object_id in found:
                if content_type_id == page_ct:
                    self.affected.pages.add(int(object_id))
                elif content_type_id in snippet_cts:
                    marker = (snippet_cts[content_type_id], int(object_id))
                    self.affected.snippets.add(marker)
                    if marker not in seen:
                        seen.add(marker)
                        next_frontier.add(marker)
            frontier = next_frontier

    def _many_to_many_referrers(self, by_key, page_ct):
        """Pages that point at a changed snippet through a many-to-many field (a report's topics)."""
        found = set()
        for key, pks in by_key.items():
            if key == PAGE:
                continue
            target = apps.get_model(key)
            for relation in _page_many_to_many(target):
                through = relation.remote_field.through
                source = relation.m2m_field_name()
                target_name = relation.m2m_reverse_field_name()
                rows = through.objects.filter(**{f"{target_name}__in": [int(pk) for pk in pks]})
                found |= {(page_ct, str(pk)) for pk in rows.values_list(f"{source}_id", flat=True)}
        return found

    def _related_pages(self):
        """Translations, children and aliases of the pages edited: their ``meta`` names those pages."""
        if not self.changed_pages:
            return
        query = Q(alias_of_id__in=list(self.changed_pages))
        query |= Q(translation_key__in={key for _path, _depth, key in self.changed_pages.values()})
        for path, depth, _key in self.changed_pages.values():
            query |= Q(path__startswith=path, depth=depth + 1)
        self.affected.pages.update(Page.objects.filter(query).values_list("pk", flat=True))

    def _urls(self):
        """Front-end URLs of the affected pages that are public (judged with ``self.restricted``), plus the
        old URLs given by the edit; ``public_pages`` are those public now."""
        restricted_now = restricted_page_paths()
        restricted = restricted_now if self.restricted is None else self.restricted
        rows, roots = [], site_roots()
        pages = sorted(self.affected.pages)
        for start in range(0, len(pages), URL_BATCH):  # one query up to URL_BATCH pages (SQLite's bind limit)
            batch = pages[start : start + URL_BATCH]
            rows += Page.objects.filter(pk__in=batch, live=True).values_list("pk", "path", "url_path")
        for pk, path, url_path in rows:
            if not _under(path, restricted_now):
                self.affected.public_pages.add(pk)
            if not _under(path, restricted):
                self.affected.urls.add(frontend_url_for(url_path, roots))
        self.affected.urls |= self.old_urls
        self.affected.urls.discard(None)
        self._public_snippets()

    def _public_snippets(self):
        by_model = {}
        for key, pk in self.affected.snippets:
            if tag(key, pk) in self.affected.tags:
                self.affected.public_snippets.add((key, pk))  # a changed one: the event is about it
            else:
                by_model.setdefault(key, set()).add(pk)
        for key, pks in by_model.items():
            model = apps.get_model(key)
            rows = model.objects.filter(pk__in=pks)
            if issubclass(model, DraftStateMixin):
                rows = rows.filter(live=True)
            self.affected.public_snippets.update((key, pk) for pk in rows.values_list("pk", flat=True))


@functools.cache
def _page_many_to_many(target):
    relations = []
    for model in apps.get_models():
        if not issubclass(model, Page):
            continue
        for relation in model._meta.local_many_to_many:
            if relation.related_model is target:
                relations.append(relation)
    return tuple(relations)


# --- cursors -------------------------------------------------------------------------------------------
# Where a reader of the change feed stands: opaque to readers, given by the feed and by each webhook.
def encode_cursor(event_id):
    return base64.urlsafe_b64encode(f"c1:{event_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    version, _sep, number = text.partition(":")
    if version != "c1" or not number.isdigit() or len(number) > 18:
        return None
    return int(number)


# --- recording -----------------------------------------------------------------------------------------
def last_event(key, pk):
    from .models import ChangeEvent

    return ChangeEvent.objects.filter(object_type=key, object_id=str(pk)).order_by("-id").first()


_UNREAD = object()


def record(kind, obj, builder, *, public, url_path="", always=False, was_public=True, previous=_UNREAD):
    """Write the event for an edit of ``obj`` in the current transaction; announce it after commit.

    An edit of something that was private before and is private after changes nothing public: no event
    (the feed must not even say that it exists). Whether it was public is what its last event said, or,
    for an object without one, ``was_public``. ``always`` is for subtree edits (moves, privacy), whose root
    may be private while pages below it are not.
    """
    from .models import ChangeEvent

    key = object_key(obj)
    if previous is _UNREAD:
        previous = last_event(key, obj.pk)
    before = previous.public if previous is not None else was_public
    if not (public or always or before):
        return None
    affected = builder.compute()
    if previous is not None and previous.public and previous.url_path and (not public or previous.url_path != url_path):
        affected.urls.add(frontend_url_for(previous.url_path))  # the address the public knew
    affected.urls.discard(None)
    if always and not (public or before) and not (affected.urls or affected.public_pages):
        # A subtree edit below a private root that reached no public page and no address the public knew
        # (e.g. restricting a draft): an event would only announce that the root exists. The private part of the
        # tree did change, though.
        transaction.on_commit(lambda: private_structure_changed.send(sender=None, kind=kind))
        return None
    locale = obj.locale if getattr(obj, "locale_id", None) else None
    specific = obj.specific_class if isinstance(obj, Page) else type(obj)
    event = ChangeEvent.objects.create(
        kind=kind,
        object_type=key,
        specific_type=specific._meta.label if specific is not None else "",
        object_id=str(obj.pk),
        locale=locale.language_code if locale is not None else "",
        translation_key=getattr(obj, "translation_key", None),
        public=public,
        url_path=url_path if public else "",
        affected=affected.as_json(),
    )
    transaction.on_commit(lambda: _committed(event))
    return event


def _committed(event):
    from .metrics import change_events

    change_events.labels(type=event.kind).inc()
    change_committed.send(sender=type(event), event=event)


def record_page(
    kind, page, *, subtree=False, old_public_urls=(), ignore_restriction=None, public=None, was_public=True
):
    """A page changed. Its subtree changes too when its URL or privacy changed (``subtree``), or when its
    URL differs from the one last recorded (a slug change on publish: the old URLs are purged as well).
    ``was_public``: for a page without events, whether the public could have seen it before this edit."""
    restricted_now = restricted_page_paths()
    restricted = [path for path in restricted_now if path != ignore_restriction]
    public = page_is_public(page, restricted_now) if public is None else public
    builder = AffectedSet(restricted)
    previous = last_event(PAGE, page.pk)
    url_changed = previous is not None and previous.url_path and previous.url_path != page.url_path
    if url_changed or (previous is None and not page.is_leaf()):
        # A slug change: every page below has a new URL too (with nothing recorded yet, assume so).
        subtree = True
        if url_changed:
            old_root, roots = previous.url_path, site_roots()
            rows = Page.objects.filter(path__startswith=page.path, live=True).values_list("path", "url_path")
            for path, url_path in rows:
                if url_path.startswith(page.url_path) and not _under(path, restricted):
                    builder.old_urls.add(frontend_url_for(old_root + url_path[len(page.url_path) :], roots))
    builder.old_urls.update(old_public_urls)
    if subtree:
        builder.subtree(page)
    else:
        builder.page(page)
    return record(
        kind,
        page,
        builder,
        public=public,
        url_path=page.url_path,
        always=subtree,
        previous=previous,
        was_public=was_public,
    )


def public_subtree_urls(page):
    """Front-end URLs of the live, public pages at and below ``page`` (before an edit changes them)."""
    restricted, roots = restricted_page_paths(), site_roots()
    rows = Page.objects.filter(path__startswith=page.path, live=True).values_list("path", "url_path")
    return {frontend_url_for(url_path, roots) for path, url_path in rows if not _under(path, restricted)}


def record_snippet(kind, obj, *, public, was_public=True):
    builder = AffectedSet()
    builder.snippet(obj)
    return record(kind, obj, builder, public=public, was_public=was_public)


def record_media(kind, obj, *, public, was_public=True):
    builder = AffectedSet()
    builder.media(obj)
    return record(kind, obj, builder, public=public, was_public=was_public)


# --- signal handlers -----------------------------------------------------------------------------------
# Per thread: page id -> public URLs of its subtree before the move (from pre_page_move to post_page_move).
_moving = threading.local()


def _on_page_published(sender, instance, **kwargs):
    # A first publish into a private section is no news: the public never saw the page, before or after.
    first = instance.first_published_at is not None and instance.first_published_at == instance.last_published_at
    record_page("page.published", instance, was_public=not first)


def _on_page_unpublished(sender, instance, **kwargs):
    # Also sent while a page is being deleted (Wagtail unpublishes it first, uncommitted, on a fresh copy that
    # still says live): either way it is no longer public.
    record_page("page.unpublished", instance, public=False)


def _on_page_will_move(sender, instance, **kwargs):
    _moving.urls = {instance.pk: public_subtree_urls(instance)}


def _on_page_moved(sender, instance, **kwargs):
    before = getattr(_moving, "urls", {}).pop(instance.pk, ())
    record_page("page.moved", instance, subtree=True, old_public_urls=before)


def _on_page_created(sender, instance, created=False, raw=False, **kwargs):
    # Pages created live without a publish (aliases, which have no revisions; imports) are news as well.
    if created and not raw and instance.live:
        record_page("page.published", instance, was_public=False)


def _on_page_deleted(sender, instance, **kwargs):
    # Before the delete: the reference index rows pointing at the page go with it.
    if type(instance) is not Page:
        return
    builder = AffectedSet()
    builder.page(instance)
    was_public = page_is_public(instance)
    if was_public:
        builder.old_urls.add(frontend_url_for(instance.url_path))
    record("page.deleted", instance, builder, public=False, was_public=was_public)


def _on_page_restriction(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        # The URLs to purge are those public before or after: the subtree, minus other restrictions. Without an
        # event of its own, the page was public before exactly when it is live and no other restriction
        # covers it (a draft never was).
        others = [path for path in restricted_page_paths() if path != page.path]
        record_page(
            "page.privacy", page, subtree=True, ignore_restriction=page.path, was_public=page_is_public(page, others)
        )


def _on_snippet_published(sender, instance, **kwargs):
    if isinstance(instance, snippet_models()):
        record_snippet("snippet.published", instance, public=instance.live)


def _on_snippet_unpublished(sender, instance, **kwargs):
    if isinstance(instance, snippet_models()):
        record_snippet("snippet.unpublished", instance, public=False)


def _on_snippet_deleted(sender, instance, **kwargs):
    # A draft that was never published is no news: the public never saw it.
    record_snippet("snippet.deleted", instance, public=False, was_public=instance.live)


def _media_kind(instance, what):
    from wagtail.images import get_image_model

    return f"{'image' if isinstance(instance, get_image_model()) else 'document'}.{what}"


def _on_media_saved(sender, instance, created=False, raw=False, **kwargs):
    if not raw:
        public = media_is_public(instance, path=collection_path(instance.collection_id))
        record_media(_media_kind(instance, "saved"), instance, public=public, was_public=not created)


def _on_media_deleted(sender, instance, **kwargs):
    was_public = media_is_public(instance, path=collection_path(instance.collection_id))
    record_media(_media_kind(instance, "deleted"), instance, public=False, was_public=was_public)


def _on_collection_restriction(sender, instance, **kwargs):
    collection = Collection.objects.filter(pk=instance.collection_id).first()
    if collection is not None:
        _record_collection("collection.privacy", collection, collection.path)


def _on_collection_saved(sender, instance, created=False, raw=False, **kwargs):
    # Collections are kept sorted by name: adding, renaming or moving one can move its siblings' paths, and
    # privacy is judged by path. Everything under the parent may have moved.
    if raw:
        return
    path = collection_path(instance.pk)
    parent = path[: -Collection.steplen] if len(path) > Collection.steplen else path
    _record_collection("collection.saved", instance, parent)


def _on_collection_deleted(sender, instance, **kwargs):
    parent = instance.path[: -Collection.steplen] if len(instance.path) > Collection.steplen else instance.path
    _record_collection("collection.saved", instance, parent)


def _record_collection(kind, collection, path):
    builder = AffectedSet()
    builder.media_in_collection(path)
    public = not _under(collection_path(collection.pk) or collection.path, restricted_collection_paths())
    record(kind, collection, builder, public=public, always=True)


def _on_site_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    builder = AffectedSet()
    builder.everything()
    record("site.changed", instance, builder, public=True)


def _on_translation_source_saved(sender, instance, raw=False, **kwargs):
    # ``meta.translation_status`` of every translation compares against the source's last synchronisation.
    if raw:
        return
    model = instance.specific_content_type.model_class()
    if model is None or not issubclass(model, Page):
        return
    pages = list(Page.objects.filter(translation_key=instance.object_id))
    source = next((page for page in pages if page.locale_id == instance.locale_id), None)
    if source is None:
        return
    builder = AffectedSet()
    for page in pages:
        builder.page(page)
    record("translation.synced", source, builder, public=page_is_public(source), url_path=source.url_path)


def connect():
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.signals import (
        page_published,
        page_unpublished,
        post_page_move,
        pre_page_move,
        published,
        unpublished,
    )
    from wagtail_localize.models import TranslationSource

    signals = models.signals
    uid = "cms-changes-"
    page_published.connect(_on_page_published, dispatch_uid=uid + "page-published")
    page_unpublished.connect(_on_page_unpublished, dispatch_uid=uid + "page-unpublished")
    pre_page_move.connect(_on_page_will_move, dispatch_uid=uid + "page-will-move")
    post_page_move.connect(_on_page_moved, dispatch_uid=uid + "page-moved")
    signals.pre_delete.connect(_on_page_deleted, sender=Page, dispatch_uid=uid + "page-deleted")
    for model in apps.get_models():
        if issubclass(model, Page):
            signals.post_save.connect(_on_page_created, sender=model, dispatch_uid=uid + f"new-{model._meta.label}")
    for model, handler in (
        (PageViewRestriction, _on_page_restriction),
        (CollectionViewRestriction, _on_collection_restriction),
    ):
        signals.post_save.connect(handler, sender=model, dispatch_uid=uid + f"saved-{model.__name__}")
        signals.post_delete.connect(handler, sender=model, dispatch_uid=uid + f"deleted-{model.__name__}")
    published.connect(_on_snippet_published, dispatch_uid=uid + "snippet-published")
    unpublished.connect(_on_snippet_unpublished, dispatch_uid=uid + "snippet-unpublished")
    for model in snippet_models():
        signals.pre_delete.connect(_on_snippet_deleted, sender=model, dispatch_uid=uid + f"del-{model.__name__}")
    for model in (get_image_model(), get_document_model()):
        signals.post_save.connect(_on_media_saved, sender=model, dispatch_uid=uid + f"saved-{model.__name__}")
        signals.pre_delete.connect(_on_media_deleted, sender=model, dispatch_uid=uid + f"del-{model.__name__}")
    signals.post_save.connect(_on_collection_saved, sender=Collection, dispatch_uid=uid + "collection-saved")
    signals.post_delete.connect(_on_collection_deleted, sender=Collection, dispatch_uid=uid + "collection-deleted")
    for model in (Site, Locale):
        signals.post_save.connect(_on_site_changed, sender=model, dispatch_uid=uid + f"saved-{model.__name__}")
        signals.post_delete.connect(_on_site_changed, sender=model, dispatch_uid=uid + f"del-{model.__name__}")
    signals.post_save.connect(
        _on_translation_source_saved, sender=TranslationSource, dispatch_uid=uid + "translation-source"
    )


# --- retention -----------------------------------------------------------------------------------------
def retention_days():
    return getattr(settings, "CMS_CHANGE_EVENTS_RETENTION_DAYS", 30)


def prune(now=None):
    """Delete events older than the retention period, keeping each object's latest event (it holds the URL
    the public last saw, which the next event of that object compares against)."""
    import datetime

    from django.db.models import Max
    from django.utils import timezone

    from .models import ChangeEvent

    days = retention_days()
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    latest = ChangeEvent.objects.values("object_type", "object_id").annotate(last=Max("id")).values("last")
    deleted, _ = ChangeEvent.objects.filter(created_at__lt=cutoff).exclude(id__in=latest).delete()
    return deleted


# --- checks --------------------------------------------------------------------------------------------
IMMEDIATE_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"


@checks.register()
def check_reference_index_is_immediate(app_configs=None, **kwargs):
    """Wagtail updates the reference index in a task of the default backend; the change log reads the index
    during the edit, so that backend must run tasks at once."""
    tasks = getattr(settings, "TASKS", None)
    if tasks is None:
        # Unset (a fresh Wagtail site), django_tasks runs every task in its immediate default backend.
        tasks = {"default": {"BACKEND": IMMEDIATE_BACKEND}}
    backend = tasks.get("default", {}).get("BACKEND", "")
    if backend.endswith("ImmediateBackend"):
        return []
    return [
        checks.Error(
            "TASKS['default'] must be django_tasks' ImmediateBackend.",
            hint="Wagtail updates its reference index through the default task backend, and the change log "
            "reads that index while an edit is saved. Give background work a backend alias of its own.",
            id="cms.E001",
        )
    ]
