"""The pages endpoint: Wagtail API v2 conventions, display-ready event reports, filters, caching."""

import copy

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet, TextField, prefetch_related_objects
from django.http import Http404
from wagtail.api.conf import APIField
from wagtail.api.v2.filters import OrderingFilter
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.utils import BadRequestError, page_models_from_string
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.coreutils import get_content_languages
from wagtail.fields import StreamField
from wagtail.models import Locale, Page, Site, get_page_models

from cms import fallbacks
from cms.changes import PAGE, PAGES_LISTING, tag
from cms.models import EventOrganiser, EventProject, EventReportPage

from .. import cache as api_cache
from .. import fields
from ..filters import EVENT_FILTERS, EventReportFilter, NullsLastOrderingFilter
from ..privacy import page_is_public, public_pages_q
from ..search import with_search_filter
from .base import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS, DeliveryEndpointMixin


class DeliveryPageSerializer(PageSerializer):
    """Wagtail's page serializer with the delivery fields, and its fields worked out once per serializer class:
    DRF builds them for every serializer it makes, introspecting the model's fields each time, and a class is
    made for a model and a ``fields=`` (``endpoints.base``). Each serializer gets copies, as DRF gives it copies
    of the declared fields."""

    def get_fields(self):
        made = type(self).__dict__.get("_api_fields")
        if made is None:
            made = super().get_fields()
            type(self)._api_fields = made
        return copy.deepcopy(made)

    detail_url = fields.DetailUrlField(read_only=True)
    html_url = fields.HtmlUrlField(read_only=True)
    parent = fields.ParentField(read_only=True)
    alias_of = fields.AliasOfField(read_only=True)
    fallback = fields.FallbackField(read_only=True)
    translations = fields.TranslationsField(read_only=True)
    translation_status = fields.TranslationStatusField(read_only=True)
    jsonld = fields.JsonLdField(read_only=True)


# --- the endpoint ---------------------------------------------------------------------------------------
CARD_FIELDS = ["lead", "start_date", "end_date", "date_precision", "date_text", "event_format", "hero_image"]

# ``meta.total_count`` of a page listing counts the matches up to this many: an exact count reads every match
# (at 10,000 reports, a third of a listing's cost on SQLite and as much again as the rest of the SQL on
# PostgreSQL), a count up to a limit stops there. The same limit as a search's candidates (``api.search``).
COUNT_LIMIT = 1000


class _CountedUpTo:
    """What Wagtail's paginator pages (it asks for ``count()`` and a slice): ``queryset`` counted up to
    ``COUNT_LIMIT``."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self):
        # Unordered: which matches are counted does not matter, and an order would have to be sorted first.
        return self.queryset.order_by()[:COUNT_LIMIT].count()

    def __getitem__(self, key):
        return self.queryset[key]


def _organisers():
    # Without the locales: the resolver attaches them (``api.locales``) when it adopts the rows.
    return Prefetch("organisers", queryset=EventOrganiser.objects.select_related("organisation"))


def _projects():
    return Prefetch("projects", queryset=EventProject.objects.select_related("project"))


# Page id -> the page's specific model, for the detail view (``PagesEndpoint._load_specific_object``): bounded
# (forgotten all at once when full, and learnt again from the requests that follow).
_page_models = {}
PAGE_MODELS_KEPT = 20000


def _remember_page_model(pk, model):
    if len(_page_models) >= PAGE_MODELS_KEPT:
        _page_models.clear()
    _page_models[pk] = model


class PagesEndpoint(DeliveryEndpointMixin, PagesAPIViewSet):
    base_serializer_class = DeliveryPageSerializer
    filter_backends = with_search_filter(
        [
            EventReportFilter,
            *(NullsLastOrderingFilter if f is OrderingFilter else f for f in PagesAPIViewSet.filter_backends),
        ]
    )
    search_limits = (MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS)
    # ``site`` is not offered: the API serves one public site, whose page trees are all of its locales.
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(EVENT_FILTERS) - {"site"}
    meta_fields = PagesAPIViewSet.meta_fields + [
        "fallback",
        "translation_key",
        "translations",
        "translation_status",
        "jsonld",
    ]
    detail_only_fields = ["parent", "translation_key", "translations", "translation_status", "jsonld"]
    detail_query_parameters = ("fields", "_")

    # Fields per page type: the JSON contract (see docs/api.md). Names are stable; renaming one breaks clients.
    model_fields = {
        EventReportPage: [
            ("lead", None),
            ("event_name", None),
            ("event_kind", None),
            ("event_kind_text", None),
            (
                "publication_date",
                fields.PreciseDateField(
                    "publication_date_precision",
                    "The date printed on the report, at its precision; null when the report prints none (the "
                    "JSON-LD datePublished then uses the day it was first published here, unless the report was "
                    "taken from elsewhere: see provenance).",
                ),
            ),
            (
                "publication_date_precision",
                fields.KnownPrecisionField("publication_date", "publication_date_precision"),
            ),
            ("publication_date_text", None),
            ("byline", fields.BylineField()),
            ("provenance", fields.ProvenanceField()),
            (
                "start_date",
                fields.PreciseDateField(
                    "date_precision",
                    "The first day of the event, at its precision (2021-05: some time in May 2021); null when the "
                    "report gives no date.",
                ),
            ),
            (
                "end_date",
                fields.PreciseDateField(
                    "date_precision",
                    "The last day, at the same precision, for an event on several days (or months); else null.",
                ),
            ),
            ("date_precision", fields.KnownPrecisionField("start_date", "date_precision")),
            ("date_text", None),
            ("sessions", fields.SessionsField()),
            ("event_format", None),
            ("venue", fields.VenueField()),
            ("online_platform", None),
            ("online_url", None),
            ("free_of_charge", None),
            ("participants", fields.ParticipantsField()),
            ("organisers", fields.OrganisersField()),
            ("projects", fields.ProjectsField()),
            ("related_events", fields.RelatedEventsField()),
            ("topics", fields.TopicsField()),
            ("hero_image", fields.ImageField(alt_field="hero_image_alt", decorative_field="hero_image_decorative")),
            ("body", fields.StreamField()),
            ("follow_ups", fields.StreamField()),
            ("contacts_intro", None),
            ("contacts", fields.StreamField()),
            ("resources", fields.StreamField()),
        ],
    }

    @classmethod
    def parameter_docs(cls):
        """Schema and description of each query parameter (``api.openapi`` documents every known one)."""
        locales = list(get_content_languages())
        page_id = {"type": "integer", "minimum": 1}
        page_or_root = {"oneOf": [page_id, {"type": "string", "const": "root"}]}
        types = ", ".join(model._meta.label for model in get_page_models())
        return {
            **super().parameter_docs(),
            "type": (
                {"type": "string"},
                "Page type(s), app_label.Model, comma-separated. Needed for a type's own fields (fields=, order=, "
                "exact-match filters on its stored fields such as ?slug=) and for the event filters. Types: "
                f"{types}.",
            ),
            "child_of": (page_or_root, "Direct children of the page with this id (or root)."),
            "ancestor_of": (page_id, "Ancestors of the page with this id."),
            "descendant_of": (page_or_root, "Pages below the page with this id (or root)."),
            "translation_of": (page_id, "Translations of the page with this id (not the page itself)."),
            "locale": ({"type": "string", "enum": locales}, "Pages in this language only. An unknown locale is a 404."),
            "search": (
                {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
                f"Full-text search (at most {MAX_SEARCH_LENGTH} characters and {MAX_SEARCH_WORDS} words).",
            ),
            "order": (
                {"type": "string"},
                "Field name(s), comma-separated, - for descending (e.g. -start_date), or random (not with offset). "
                "Dates order by their first day (2021-05 as 2021-05-01); reports without a date (or publication "
                "date) come last in either direction.",
            ),
            **EVENT_FILTERS,
        }

    @classmethod
    def get_body_fields(cls, model):
        extra = [APIField(name, serializer=serializer) for name, serializer in cls._fields_for(model)]
        # Wagtail's body_fields mixes names and APIFields; its own conversion is private.
        base = [field if isinstance(field, APIField) else APIField(field) for field in cls.body_fields]
        return base + extra

    @classmethod
    def _fields_for(cls, model):
        for klass in model.__mro__:
            if klass in cls.model_fields:
                return cls.model_fields[klass]
        return []

    @classmethod
    def get_listing_default_fields(cls, model):
        defaults = super().get_listing_default_fields(model) + ["fallback"]
        # A listing of reports returns what a card needs without a fields= parameter.
        if issubclass(model, EventReportPage):
            defaults += CARD_FIELDS
        return defaults

    @staticmethod
    def _public(queryset):
        # The tree's root node is not content (it has no URL); every public live page below it is.
        return queryset.live().filter(public_pages_q()).exclude(depth=1)

    def get_base_queryset(self):
        return self._public(Page.objects.all())

    def get_queryset(self):
        """Wagtail's choice of model for ``type=`` (same errors), with the conditions stated on that model's
        own queryset: Wagtail's ``Model.objects.filter(pk__in=<every public page>)`` makes each listing read
        the whole tree. Every condition is on a field the search backends index (``live``, ``path``,
        ``depth``), so ``?search=`` can take the queryset as it is. Made once per request: Wagtail asks for it
        again to learn the model of the serializer."""
        if getattr(self, "_base_queryset", None) is None:
            self._base_queryset = self._make_queryset()
        return self._base_queryset

    def get_serializer_class(self):
        # Asked for by the listing (which fields it shows) and by every get_serializer(); the same all request.
        if getattr(self, "_serializer_class", None) is None:
            self._serializer_class = super().get_serializer_class()
        return self._serializer_class

    def _make_queryset(self):
        try:
            requested = self.request.GET.get("type")
            models = page_models_from_string(requested) if requested else ()
        except (LookupError, ValueError) as e:
            raise BadRequestError("type doesn't exist") from e
        if len(models) == 1:
            queryset = self._public(models[0].objects.all())
        elif models:
            queryset = self.get_base_queryset().type(*models)
        else:
            queryset = self.get_base_queryset()
        # ``locale`` is a default listing field: one join rather than a query per item.
        return queryset.select_related("locale")

    @classmethod
    def unshown_columns(cls, model, shown):
        """The page type's StreamFields and long texts that no field in ``shown`` presents: a listing leaves
        them unread (a report's body is most of its row). Only the type's own columns: Page's (``url_path``
        for ``html_url``, ``search_description``) are small or read by several fields."""
        return [
            field.attname
            for field in model._meta.concrete_fields
            if field.model is not Page and isinstance(field, StreamField | TextField) and field.name not in shown
        ]

    def get_object(self):
        # Memoised: Wagtail's get_serializer_class() asks for the object again to learn its type.
        if not hasattr(self, "_specific_object"):
            self._specific_object = self._load_specific_object()
        return self._specific_object

    def _load_specific_object(self):
        """The page from its own type's table, with its inline rows (one query per relation); its translations
        and parent come with the pages the response links to (``Resolver.want_page_context``).

        The type is known from an earlier request for the same id (``_page_models``), or read first (one more
        query). A page's type never changes, so a known one is only ever wrong for an id that another page has
        taken since: that type's table then has no row with the id, or a row of another type (every page has a
        row in the tables of the types it extends), and the type is read again."""
        pk = int(self.kwargs["pk"])
        known = _page_models.get(pk)
        page = self._specific_row(known, pk) if known is not None else None
        if page is not None and page.specific_class is not known:
            page = None
        if page is None:
            content_type_id = Page.objects.filter(pk=pk).values_list("content_type_id", flat=True).first()
            model = ContentType.objects.get_for_id(content_type_id).model_class() if content_type_id else None
            page = self._specific_row(model, pk) if model is not None and issubclass(model, Page) else None
            if page is None:
                raise Http404
            _remember_page_model(pk, type(page))
        if not page_is_public(page):
            raise Http404
        self.resolver.with_locale(page)
        self.resolver.language = page.locale.language_code
        self.resolver.want_page_context(page)
        return page

    @staticmethod
    def _specific_row(model, pk):
        queryset = fallbacks.with_alias_source(model.objects.filter(pk=pk))
        if issubclass(model, EventReportPage):
            # The byline's organisation comes along in the page's own query (adopted in prime_object).
            queryset = queryset.select_related("author_organisation").prefetch_related(
                "sessions", "audience_groups", _organisers(), _projects(), "related_events", "topics"
            )
        # Unordered: one row, by its key. The inline rows are read only when there is a row.
        rows = list(queryset.order_by())
        return rows[0] if rows else None

    def prefetch_relations(self, pages, names):
        """Inline relations asked for in a listing: one query per relation for the whole page of results."""
        organisers, projects = _organisers(), _projects()
        needs = {
            "sessions": ["sessions"],
            "participants": ["audience_groups"],
            "organisers": [organisers],
            "projects": [projects],
            "related_events": ["related_events"],
            "topics": ["topics"],
            # JSON-LD: sessions are subEvents, organisers organizers, series superEvents and programmes funders.
            "jsonld": ["sessions", organisers, projects],
        }
        lookups = {}
        for name in names:
            for lookup in needs.get(name, []):
                lookups[getattr(lookup, "prefetch_through", lookup)] = lookup
        reports = [page for page in pages if isinstance(page, EventReportPage)]
        if lookups and reports:
            prefetch_related_objects(reports, *lookups.values())

    def prime_object(self, page, names):
        super().prime_object(page, names)
        if "hero_image" in names:
            self.resolver.want(page._meta.get_field("hero_image").related_model, page.hero_image_id)
        if isinstance(page, EventReportPage):
            self._prime_report(page, names)
        if "topics" in names:
            for topic in page.topics.all():
                self.resolver.adopt("cms.topic", topic)
        if "alias_of" in names and page.alias_of_id:
            self.resolver.want_exact_page(page.alias_of_id)
        if "parent" in names or "translations" in names:
            self.resolver.want_page_context(page)

    def _prime_report(self, page, names):
        # JSON-LD reads the same rows as the fields (through the resolver), so it wants what they want.
        if names & {"organisers", "jsonld"}:
            for row in page.organisers.all():
                self.resolver.adopt("cms.organisation", row.organisation)
        if names & {"projects", "jsonld"}:
            for row in page.projects.all():
                self.resolver.adopt("cms.project", row.project)
        if names & {"related_events", "jsonld"}:
            for row in page.related_events.all():
                self.resolver.want(Page, row.report_id)
        if "jsonld" in names and "body" not in names:
            # The performers are the body's speakers (fields=-body still shows them in the JSON-LD).
            self.resolver.want_stream_value(page.body)
        if names & {"byline", "jsonld"} and page.author_organisation_id:
            if EventReportPage.author_organisation.is_cached(page):
                self.resolver.adopt("cms.organisation", page.author_organisation)
            else:
                self.resolver.want("cms.organisation", page.author_organisation_id)

    def find_object(self, queryset, request):
        """``html_path`` is a front-end path: an optional language prefix (``/en/…``), then the page's path
        below the site root of that language (wagtail#6679: stock v2 ignores the prefix)."""
        if "html_path" not in request.GET:
            return super().find_object(queryset, request)
        components = [component for component in request.GET["html_path"].split("/") if component]
        language = settings.LANGUAGE_CODE
        if components and components[0] in get_content_languages():
            language = components.pop(0)
        site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
        if site is None:
            return None
        root = site.root_page.get_translation_or_none(Locale.objects.filter(language_code=language).first())
        if root is None:
            return None
        try:
            page = root.specific.route(request, components)[0]
        except Http404:
            return None
        return page if queryset.filter(pk=page.pk).exists() else None

    # --- views ---------------------------------------------------------------------------------------
    @classmethod
    def cache_scopes(cls, action, kwargs, request):
        if action == "detail_view":
            return [f"page:{kwargs['pk']}"]
        if action == "listing_view" and request.GET.get("order") != "random":
            # A cached random order would repeat until it expires.
            return [api_cache.LISTINGS]
        return None

    def paginate_queryset(self, queryset):
        """The page of results in two steps: the ids of the page (ordered on narrow rows, which the database
        can take from its indexes), then those rows. A single query would sort, or skip past, whole rows: at
        ``offset=10000`` ten thousand of them. Counted up to ``COUNT_LIMIT``. What is not a queryset (a search
        backend's own results) is paged as Wagtail pages it."""
        if not isinstance(queryset, QuerySet):
            return fallbacks.with_alias_sources(list(super().paginate_queryset(queryset)))
        ids = list(super().paginate_queryset(_CountedUpTo(queryset.values_list("pk", flat=True))))
        rows = self._listing_rows.filter(pk__in=ids).order_by().in_bulk() if ids else {}
        # A page unpublished between the two queries is left out rather than shown.
        return [rows[pk] for pk in ids if pk in rows]

    def listing_view(self, request):
        def build():
            queryset = self.get_queryset()
            self.check_query_parameters(queryset)
            try:
                shown = self.get_serializer_class().Meta.fields
            except BadRequestError:
                shown = None  # a bad fields= is answered where it always was, after the filters' own errors
            if shown is not None:
                queryset = queryset.defer(*self.unshown_columns(queryset.model, shown))
            # The rows of the page of results are loaded from here by id, without the filters again; with their
            # alias's language (``fallback``), which the filtering, counting and paging queries do not need.
            self._listing_rows = fallbacks.with_alias_source(queryset)
            queryset = self.filter_queryset(queryset)
            page_objects = self.paginate_queryset(queryset)
            # Snippets in a listing follow ?locale= when given; otherwise each is shown as referenced.
            self.resolver.language = request.GET.get("locale")
            serializer = self.get_serializer(page_objects, many=True)
            self.prefetch_relations(page_objects, serializer.child.fields)
            self.prime(page_objects, serializer.child.fields)
            self._own_last_modified = [getattr(obj, "last_published_at", None) for obj in page_objects]
            self._own_tags = [PAGES_LISTING, *(tag(PAGE, obj.pk) for obj in page_objects)]
            return self.get_paginated_response(serializer.data).data

        return self.cached_response(request, build)

    def detail_view(self, request, pk):
        self.check_detail_parameters()

        def build():
            page = self.get_object()
            serializer = self.get_serializer(page)
            self.prime([page], serializer.fields)
            self._own_last_modified = [page.last_published_at or page.first_published_at]
            self._own_tags = [tag(PAGE, page.pk)]
            return serializer.data

        return self.cached_response(request, build)
