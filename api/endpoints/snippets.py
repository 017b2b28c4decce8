"""Public, read-only endpoints for the reusable snippets: people, organisations, contact cards, projects.

Only live (published) snippets are listed or found (``api.filters.public_snippets``, the rule the report
filters share). Each item is the same shape that appears inside a report (see ``api.shapes``), plus Wagtail-style
``meta``.

``?search=`` has no search index behind it here: every word of the search (``api.search.search_words``: quotes,
operators and punctuation only separate words) must occur, case-insensitively, in one of the endpoint's
``search_fields``; a search without a word finds nothing, as on the indexed endpoints.
"""

from wagtail.api.v2.utils import BadRequestError, get_object_detail_url
from wagtail.api.v2.views import BaseAPIViewSet
from wagtail.coreutils import get_content_languages

from cms.changes import SNIPPET_LISTINGS, object_key, tag
from cms.models import ContactCard, Organisation, Person, Project
from cms.models.snippets import ProjectKind

from .. import cache as api_cache
from .. import shapes
from ..filters import public_snippets
from ..search import contains_words
from .base import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS, DeliveryEndpointMixin

ORDERINGS = {"id": "pk", "-id": "-pk", "name": "name", "-name": "-name"}


class SnippetEndpoint(DeliveryEndpointMixin, BaseAPIViewSet):
    known_query_parameters = frozenset(["limit", "offset", "order", "search", "locale", "_"])
    detail_query_parameters = ("_",)
    search_fields = ("name",)
    shape = None
    select_related = ()

    @classmethod
    def parameter_docs(cls):
        locales = list(get_content_languages())
        return {
            **super().parameter_docs(),
            "order": ({"type": "string", "enum": list(ORDERINGS), "default": "name"}, "Sort order."),
            "search": (
                {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
                "Case-insensitive match anywhere in: " + ", ".join(cls.search_fields) + ".",
            ),
            "locale": ({"type": "string", "enum": locales}, "Only this language. An unknown locale is a 400."),
        }

    def get_queryset(self):
        return public_snippets(self.model).select_related("locale", *self.select_related)

    def filter_listing(self, queryset):
        params = self.request.GET
        unknown = set(params) - self.known_query_parameters
        if unknown:
            raise BadRequestError(
                "query parameter is not an operation or a recognised field: " + ", ".join(sorted(unknown))
            )
        if "locale" in params:  # validated against the configured languages in check_common_parameters
            queryset = queryset.filter(locale__language_code=params["locale"])
        if "search" in params:
            condition = contains_words(params["search"], self.search_fields, (MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS))
            queryset = queryset.none() if condition is None else queryset.filter(condition)
        order = params.get("order", "name")
        if order not in ORDERINGS:
            raise BadRequestError("order must be one of: " + ", ".join(ORDERINGS))
        return queryset.order_by(ORDERINGS[order], "pk")

    @classmethod
    def cache_scopes(cls, action, kwargs, request):
        return [api_cache.SNIPPETS] if action in ("listing_view", "detail_view") else None

    def represent(self, obj, shape=None):
        """``shape``: the shape function of the object's type (the preview endpoint serves every type)."""
        data = {
            "id": obj.pk,
            "meta": {
                "type": obj._meta.label,
                "detail_url": get_object_detail_url(self.request.wagtailapi_router, self.request, self.model, obj.pk),
                "locale": obj.locale.language_code,
            },
        }
        with self.resolver.active():
            shape = (shape or type(self).shape)(obj)
        data.update({key: value for key, value in shape.items() if key != "id"})
        return data

    def prime_snippets(self, objects):
        for obj in objects:
            self.resolver.adopt(obj._meta.label_lower, obj)
        self.resolver.resolve()

    def listing_view(self, request):
        def build():
            queryset = self.filter_listing(self.get_queryset())
            objects = self.paginate_queryset(queryset)
            self.prime_snippets(objects)
            self._own_last_modified = [obj.last_published_at for obj in objects]
            self._own_tags = [SNIPPET_LISTINGS[object_key(self.model)], *(tag(object_key(o), o.pk) for o in objects)]
            return self.get_paginated_response([self.represent(obj) for obj in objects]).data

        return self.cached_response(request, build)

    def detail_view(self, request, pk):
        self.check_detail_parameters()

        def build():
            obj = self.get_object()
            self.prime_snippets([obj])
            self._own_last_modified = [obj.last_published_at]
            self._own_tags = [tag(object_key(obj), obj.pk)]
            return self.represent(obj)

        return self.cached_response(request, build)

    def find_view(self, request):
        raise BadRequestError("find is only available on the pages endpoint")


class PeopleEndpoint(SnippetEndpoint):
    model = Person
    name = "people"
    search_fields = ("name", "job_title")
    select_related = ("organisation",)

    @staticmethod
    def shape(obj):
        return shapes.person(obj)


class OrganisationsEndpoint(SnippetEndpoint):
    model = Organisation
    name = "organisations"
    search_fields = ("name", "acronym", "aliases")

    @staticmethod
    def shape(obj):
        return shapes.organisation(obj)


class ContactsEndpoint(SnippetEndpoint):
    model = ContactCard
    name = "contacts"
    search_fields = ("name", "position", "unit")
    select_related = ("organisation",)

    @staticmethod
    def shape(obj):
        return shapes.contact_card(obj)


class ProjectsEndpoint(SnippetEndpoint):
    """Projects, funding programmes and event series (``kind=project|programme|series``)."""

    model = Project
    name = "projects"
    known_query_parameters = SnippetEndpoint.known_query_parameters | {"kind"}
    search_fields = ("name", "code", "funding_programme")

    @classmethod
    def parameter_docs(cls):
        return {
            **super().parameter_docs(),
            "kind": (
                {"type": "string", "enum": list(ProjectKind.values)},
                "Only this kind: project, programme (a funding programme) or series (a series of events). "
                "An unknown kind is a 400.",
            ),
        }

    def filter_listing(self, queryset):
        queryset = super().filter_listing(queryset)
        if "kind" in self.request.GET:
            kind = self.request.GET["kind"]
            if kind not in ProjectKind.values:
                raise BadRequestError("kind must be one of: " + ", ".join(ProjectKind.values))
            queryset = queryset.filter(kind=kind)
        return queryset

    @staticmethod
    def shape(obj):
        return shapes.project(obj)
