"""Chooser blocks that take their objects from a request-wide prefetch when one is active.

Stock choosers load each referenced object on its own, and a chosen person's photo or organisation costs a
further query per block. The delivery API collects every reference of the pages it is about to serialise,
loads each model once and activates that store; while it is active, these blocks read from it instead of the
database. The store is a context variable rather than a service in the serializer context because Wagtail
converts stored values (``to_python``/``bulk_to_python``) lazily, with no context to pass. In the API a chosen
object is represented by its shape (``services.shape_of``); outside the API (admin, preview) these blocks
behave exactly like Wagtail's own.
"""

from contextvars import ContextVar

from django.utils.functional import cached_property
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock as _DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock as _ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock as _SnippetChooserBlock

from .services import services
from .widgets import translate_labels_when_shown

# The active store: an object with ``get(model, pk)`` returning the loaded instance or None (not public).
prefetched_objects = ContextVar("prefetched_objects", default=None)


class PrefetchedChooserMixin:
    def to_python(self, value):
        store = prefetched_objects.get()
        if store is None or value is None or value == "":
            return super().to_python(value)
        return store.get(self.target_model, value)

    def bulk_to_python(self, values):
        store = prefetched_objects.get()
        if store is None:
            return super().bulk_to_python(values)
        return [store.get(self.target_model, value) if value not in (None, "") else None for value in values]

    def get_api_representation(self, value, context=None):
        given = services(context)
        if given is None:
            return super().get_api_representation(value, context)
        return given.shape_of(value, context)


class ImageChooserBlock(PrefetchedChooserMixin, _ImageChooserBlock):
    pass


class DocumentChooserBlock(PrefetchedChooserMixin, _DocumentChooserBlock):
    pass


class PageChooserBlock(PrefetchedChooserMixin, blocks.PageChooserBlock):
    pass


class SnippetChooserBlock(PrefetchedChooserMixin, _SnippetChooserBlock):
    @cached_property
    def widget(self):
        # Made once per block definition, at its first use: its labels are read in each editor's language.
        return translate_labels_when_shown(super().widget)
