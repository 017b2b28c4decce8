"""Server-side cache of serialised API responses, and its invalidation.

Each response is stored under a key that contains a *generation* number of what it shows: the page for a
detail response, "listings" for page listings, "snippets" for the snippet endpoints. Invalidating means
bumping a generation, which orphans every cached variant (any query string) at once; orphans expire.

What to bump is found with Wagtail's reference index: when a person, contact card, organisation, image or
document changes, every page that embeds it (directly, or through a person that embeds the organisation or
photo) gets a new generation. Pages linking to a page that changes are bumped as well.
"""

import hashlib
import threading
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, ReferenceIndex, TranslatableMixin
from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

from . import generations

LISTINGS = "listings"
SNIPPETS = "snippets"


def _alias():
    return getattr(settings, "CMS_API_CACHE", "default")


def _cache():
    return caches[_alias()]


def _generation_key(scope):
    return f"api:gen:{scope}"


def _new_generation():
    return uuid.uuid4().hex[:16]


class _LocalResponses:
    """Responses this process has served recently, kept as they are (no unpickling, no network).

    Only a copy: an entry is used when its stamp equals the current generations of the shared cache, so
    invalidation stays correct across processes. With Redis, those generations are mirrored in the process
    too (``api.generations``), and a hit needs no network at all.
    """

    def __init__(self, max_entries=256):
        self.max_entries = max_entries
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, stamp):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry["stamp"] != stamp:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


local_responses = _LocalResponses(getattr(settings, "CMS_API_LOCAL_RESPONSES", 256))


def lookup(scopes, full_path):
    """The stored response for ``full_path`` if it is current, and the stamp to store a new one with.

    Returns ``(entry or None, stamp, key)``. The stamp is the current generation of each scope, from this
    process's mirror or read in one round trip; an entry is current only if it was stored under the same
    stamp. The stamp is taken *before* a response is built, so a publish during the build leaves the new
    entry already outdated instead of filing old content under a new stamp. A missing generation (never set,
    or evicted) gets a fresh random value: a number that could come back after eviction might revive a stale
    response.
    """
    cache = _cache()
    key = "api:resp:" + hashlib.sha256(full_path.encode()).hexdigest()[:40]
    generation_keys = [_generation_key(scope) for scope in scopes]
    stamp = _stamp(cache, generation_keys)
    entry = local_responses.get(key, stamp)
    if entry is None:
        entry = cache.get(key)
        if entry is not None and entry.get("stamp") == stamp:
            local_responses.put(key, entry)
        else:
            entry = None
    return entry, stamp, key


def _stamp(cache, generation_keys):
    mirror = generations.mirror_for(_alias(), cache)
    if mirror is not None:
        found = mirror.get(generation_keys)
        if found is not None:
            return tuple(found[generation_key] for generation_key in generation_keys)
        token = mirror.token()
    found = cache.get_many(generation_keys)
    for generation_key in generation_keys:
        if generation_key not in found:
            cache.add(generation_key, _new_generation(), None)
            found[generation_key] = cache.get(generation_key)
    if mirror is not None:
        mirror.fill(token, found)
    return tuple(found[generation_key] for generation_key in generation_keys)


def store(key, entry):
    _cache().set(key, entry, getattr(settings, "CMS_API_CACHE_TIMEOUT", 24 * 3600))
    local_responses.put(key, entry)


def bump(*scopes):
    cache = _cache()
    new = {_generation_key(scope): _new_generation() for scope in scopes}
    cache.set_many(new, None)
    mirror = generations.mirror_for(_alias(), cache)
    if mirror is not None:
        mirror.announce(new)


def bump_pages(page_ids):
    bump(LISTINGS, *(f"page:{pk}" for pk in set(page_ids)))


# --- what depends on what --------------------------------------------------------------------------------
def _pages_referencing(objects, depth=2):
    """Ids of pages that show any of ``objects``, following references through snippets (person → photo)."""
    page_ids, frontier, seen = set(), list(objects), set()
    for _ in range(depth):
        next_frontier = []
        for obj in frontier:
            marker = (obj._meta.label_lower, obj.pk)
            if marker in seen:
                continue
            seen.add(marker)
            for ref in ReferenceIndex.get_references_to(obj).select_related("base_content_type"):
                model = ref.base_content_type.model_class()
                if model is None:
                    continue
                if issubclass(model, Page):
                    page_ids.add(int(ref.object_id))
                else:
                    referrer = model._default_manager.filter(pk=ref.object_id).first()
                    if referrer is not None:
                        next_frontier.append(referrer)
        frontier = next_frontier
    return page_ids


def invalidate_object(obj):
    """Something shown by pages changed: bump those pages, the listings and the snippet endpoints."""
    objects = [obj]
    if not isinstance(obj, Page) and isinstance(obj, TranslatableMixin):
        # A page in another language may show this one as the fallback for its own, unpublished copy.
        objects = list(type(obj)._default_manager.filter(translation_key=obj.translation_key))
    page_ids = _pages_referencing(objects)
    if isinstance(obj, Page):
        page_ids.add(obj.pk)
        # meta.translations and meta.parent of related pages name this one.
        page_ids.update(obj.get_translations(inclusive=False).values_list("pk", flat=True))
        page_ids.update(obj.get_children().values_list("pk", flat=True))
    bump_pages(page_ids)
    if not isinstance(obj, Page):
        bump(SNIPPETS)


def _on_commit(obj):
    # After commit: a response rebuilt between the bump and the commit would cache the old content.
    transaction.on_commit(lambda: invalidate_object(obj))


def _page_changed(sender, instance, **kwargs):
    _on_commit(instance)


def _snippet_changed(sender, instance, **kwargs):
    from cms.models import ContactCard, Organisation, Person, Topic

    if isinstance(instance, ContactCard | Organisation | Person | Topic):
        _on_commit(instance)


def _media_changed(sender, instance, **kwargs):
    _on_commit(instance)


def _page_moved(sender, instance, **kwargs):
    _on_commit(instance)


def connect_signals():
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from cms.models import ContactCard, Organisation, Person, Topic

    page_published.connect(_page_changed, dispatch_uid="api-cache-page-published")
    page_unpublished.connect(_page_changed, dispatch_uid="api-cache-page-unpublished")
    post_page_move.connect(_page_moved, dispatch_uid="api-cache-page-moved")
    post_delete.connect(_page_deleted, dispatch_uid="api-cache-page-deleted")
    published.connect(_snippet_changed, dispatch_uid="api-cache-snippet-published")
    unpublished.connect(_snippet_changed, dispatch_uid="api-cache-snippet-unpublished")
    for model in (ContactCard, Organisation, Person, Topic):
        post_delete.connect(_snippet_changed, sender=model, dispatch_uid=f"api-cache-deleted-{model.__name__}")
    for model in (get_image_model(), get_document_model()):
        post_save.connect(_media_changed, sender=model, dispatch_uid=f"api-cache-saved-{model.__name__}")
        post_delete.connect(_media_changed, sender=model, dispatch_uid=f"api-cache-deleted-{model.__name__}")


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        page_ids = {instance.pk}
        # The reference index rows of a deleted page's referrers still exist at this point.
        for ref in ReferenceIndex.get_references_to(instance).select_related("base_content_type"):
            model = ref.base_content_type.model_class()
            if model is not None and issubclass(model, Page):
                page_ids.add(int(ref.object_id))
        transaction.on_commit(lambda: bump_pages(page_ids))
