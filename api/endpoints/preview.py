"""Preview for the front-end: a draft, by token, in exactly the shape the live API gives.

``/api/v2/page_preview/?content_type=cms.eventreportpage&token=…`` (the wagtail-headless-preview convention)
and ``/api/v2/snippet_preview/?content_type=cms.person&token=…`` answer with what the live detail endpoints
would answer for the previewed object — the same endpoint classes, serializers and shapes — with two
differences: the object is the editor's snapshot (``cms.models.preview``), and the snippets it refers to are
shown as their latest drafts. Nothing here is cached, and every response says so: ``Cache-Control: private,
no-store``, ``X-Robots-Tag: noindex, nofollow``, ``Referrer-Policy: no-referrer``. A token that is missing,
expired, tampered with or for another object is a JSON 4xx (``cms.models.preview.PreviewError``); live content
is never shown in its place.
"""

from rest_framework.response import Response
from wagtail.api.v2.serializers import DetailUrlField

from cms.models import preview

from .. import shapes
from ..resolver import Resolver
from .base import error_body
from .pages import DeliveryPageSerializer, PagesEndpoint
from .snippets import ContactsEndpoint, OrganisationsEndpoint, PeopleEndpoint, ProjectsEndpoint

PARAMETERS = ("content_type", "token")


class PreviewResolver(Resolver):
    """Loads what a previewed object refers to as the live API would, except that snippets are shown as
    their latest revision (a person's new role, saved as a draft, shows in the preview of the report that
    names them) and drafts count as showable. Pages, images and documents follow the live rules."""

    def __init__(self, language=None):
        super().__init__(language)
        # The previewed object itself: shown as the editor left it, never swapped for its latest revision.
        self.pinned = set()

    def _fits(self, obj):
        obj.api_preview = True  # drafts are shown (api.shapes.showable); only this response's objects
        return self.language is None or obj.locale.language_code == self.language

    def _choose(self, obj, alternatives):
        if obj is None:
            return None
        chosen = obj if self._fits(obj) else alternatives.get((obj.translation_key, self.language)) or obj
        chosen.api_fallback = self.language is not None and chosen.locale.language_code != self.language
        return chosen

    def resolve(self):
        super().resolve()
        # Swap each loaded snippet for its latest draft (one query per model for the revisions).
        for key in ("cms.person", "cms.contactcard", "cms.organisation", "cms.topic", "cms.project"):
            objects = [obj for obj in self.loaded[key].values() if obj is not None and (key, obj.pk) not in self.pinned]
            if not objects:
                continue
            drafts = preview.latest_versions(objects)
            changed = False
            for pk, obj in list(self.loaded[key].items()):
                draft = drafts.get(obj.pk, obj) if obj is not None else None
                if draft is not obj:
                    draft.api_fallback = getattr(obj, "api_fallback", False)
                    draft.api_preview = True
                    self.loaded[key][pk] = draft
                    changed = True
            if changed:
                self._after_drafts(key)
        self._link_foreign_keys()

    def _after_drafts(self, key):
        """A draft may point at other objects than the live version did (a new organisation, a new photo)."""
        after = self.after_loading(key)
        if after is None:
            return
        for obj in list(filter(None, self.loaded[key].values())):
            after(obj)
        if any(self.wanted.values()):
            super().resolve()


class PreviewMixin:
    """The preview action: read the token, then answer as the live detail view of the same endpoint."""

    preview_kind = None  # "page" or "snippet"
    detail_query_parameters = (*PARAMETERS, "_")

    @classmethod
    def cache_scopes(cls, action, kwargs, request):
        return None  # never cached, by the API's cache or anyone else's

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.resolver = PreviewResolver()

    def preview_view(self, request):
        self.check_detail_parameters()
        try:
            obj = preview.read(request.GET.get("token"), request.GET.get("content_type"), self.preview_kind)
        except preview.PreviewError as exc:
            return self.private(Response(error_body(exc.message), status=exc.status))
        with shapes.memoised():
            data = self.represent_preview(obj)
        return self.private(Response(data))

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors raised before the view (bad parameters) get the headers too.
        return self.private(super().finalize_response(request, response, *args, **kwargs))

    @staticmethod
    def private(response):
        return preview.add_private_headers(response)


class UnsavedDetailUrlField(DetailUrlField):
    """A page being created has no id yet, so no detail URL: null (and ``id`` is null too)."""

    def get_attribute(self, instance):
        return None if instance.pk is None else super().get_attribute(instance)


class PreviewPageSerializer(DeliveryPageSerializer):
    detail_url = UnsavedDetailUrlField(read_only=True)


class PagePreviewEndpoint(PreviewMixin, PagesEndpoint):
    preview_kind = "page"
    base_serializer_class = PreviewPageSerializer

    def represent_preview(self, page):
        self._specific_object = page  # what get_serializer_class() and the fields ask for
        self.resolver.language = page.locale.language_code
        serializer = self.get_serializer(page)
        self.prime([page], serializer.fields)
        return serializer.data


SNIPPET_ENDPOINTS = {
    endpoint.model._meta.label_lower: endpoint
    for endpoint in (PeopleEndpoint, OrganisationsEndpoint, ContactsEndpoint, ProjectsEndpoint)
}


class SnippetPreviewEndpoint(PreviewMixin, PeopleEndpoint):
    """One endpoint for the snippet types with an endpoint of their own (people, organisations, contact cards,
    projects); each is shaped by its own live endpoint's ``shape``."""

    preview_kind = "snippet"

    def represent_preview(self, obj):
        live = SNIPPET_ENDPOINTS[obj._meta.label_lower]
        self.model = live.model
        self.resolver.pinned.add((obj._meta.label_lower, obj.pk))
        obj.api_preview = True
        self.prime_snippets([obj])
        return self.represent(obj, shape=live.shape)
