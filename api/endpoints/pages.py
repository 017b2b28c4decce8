"""The pages endpoint: Wagtail API v2 conventions, display-ready event reports, filters, caching."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Prefetch, Q, prefetch_related_objects
from django.db.models.functions import Cast, Length, Substr
from django.http import Http404
from django.utils import timezone
from rest_framework.fields import Field
from wagtail.api.v2.filters import BaseFilterBackend
from wagtail.api.v2.serializers import PageSerializer
from wagtail.api.v2.utils import BadRequestError, get_object_detail_url
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.models import Locale, Page, ReferenceIndex, Site
from wagtail_localize.models import Translation

from cms.changes import PAGE, PAGES_LISTING, tag
from cms.models import EventOrganiser, EventReportPage, Organisation, Person, Topic
from cms.models.pages import EventFormat

from .. import cache as api_cache
from .. import fields, shapes
from ..jsonld import event_report_jsonld
from ..privacy import page_is_public, public_pages_q
from ..urls import frontend_url
from .base import DeliveryEndpointMixin


# --- meta fields ----------------------------------------------------------------------------------------
class HtmlUrlField(Field):
    """Where the page lives on the public front-end."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        return frontend_url(page)


class ParentField(Field):
    def get_attribute(self, instance):
        return self.context["resolver"].parents.get(instance.path[: -instance.steplen])

    def to_representation(self, parent):
        return {
            "id": parent.pk,
            "meta": {
                "type": parent.specific_class._meta.label,
                "detail_url": get_object_detail_url(self.context["router"], self.context["request"], Page, parent.pk),
                "html_url": frontend_url(parent),
            },
            "title": parent.title,
        }


class AliasOfField(Field):
    def get_attribute(self, instance):
        return self.context["resolver"].get(Page, instance.alias_of_id) if instance.alias_of_id else None

    def to_representation(self, page):
        return shapes.page_ref(page)


class TranslationsField(Field):
    """Every live, public, non-alias translation of the page (the page itself included), with what a
    front-end needs for ``<link rel="alternate" hreflang>``: the source-language one is also x-default."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        router, request = self.context["router"], self.context["request"]
        return [
            {
                "locale": other.locale.language_code,
                "hreflang": other.locale.language_code,
                "x_default": other.locale.language_code == settings.LANGUAGE_CODE,
                "id": other.pk,
                "title": other.title,
                "html_url": frontend_url(other),
                "detail_url": get_object_detail_url(router, request, Page, other.pk),
            }
            for other in self.context["resolver"].translations.get(page.translation_key, [])
            if other.alias_of_id is None
        ]


class TranslationStatusField(Field):
    """``source`` for pages in the source language (or not made by translation), ``current`` when the
    translation reflects the live source, ``outdated`` when the source changed since the translation was
    last synchronised, or translators' work awaits publishing."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        if page.locale.language_code == settings.LANGUAGE_CODE:
            return "source"
        translation = (
            Translation.objects.filter(source__object_id=page.translation_key, target_locale_id=page.locale_id)
            .select_related("source__locale")
            .first()
        )
        if translation is None:
            return "source"
        source_page = next(
            (
                other
                for other in self.context["resolver"].translations.get(page.translation_key, [])
                if other.locale_id == translation.source.locale_id
            ),
            None,
        )
        source_published = source_page.last_published_at if source_page is not None else None
        if source_published and source_published > translation.source.last_updated_at:
            return "outdated"
        work, published = translation.translations_last_updated_at, translation.destination_last_updated_at
        if work and published and work > published:
            return "outdated"
        return "current"


class JsonLdField(Field):
    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        if isinstance(page, EventReportPage):
            return event_report_jsonld(page, self.context)
        return None


class DeliveryPageSerializer(PageSerializer):
    html_url = HtmlUrlField(read_only=True)
    parent = ParentField(read_only=True)
    alias_of = AliasOfField(read_only=True)
    translations = TranslationsField(read_only=True)
    translation_status = TranslationStatusField(read_only=True)
    jsonld = JsonLdField(read_only=True)


# --- event report filters -------------------------------------------------------------------------------
# ``event_format`` rather than ``format``: DRF reserves ``?format=`` for choosing a renderer.
EVENT_FILTERS = ("date_from", "date_to", "when", "event_format", "organisation", "person", "topic")


def _parse_date(name, value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as e:
        raise BadRequestError(f"{name} must be a date in the form YYYY-MM-DD") from e


def _parse_id(name, value):
    if not value.isdigit() or len(value) > 18:
        raise BadRequestError(f"{name} must be a numeric id")
    return int(value)


def _referenced_in_pages(model, pk):
    """Ids (as text) of pages whose content refers to the object, from Wagtail's reference index."""
    return ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(model),
        to_object_id=str(pk),
        base_content_type=ContentType.objects.get_for_model(Page),
    ).values("object_id")


class EventReportFilter(BaseFilterBackend):
    """date_from/date_to (events overlapping the range), when=upcoming|past, event_format, organisation,
    person (reports the person appears in), topic (slug). They need ``type=cms.EventReportPage``."""

    def filter_queryset(self, request, queryset, view):
        used = [name for name in EVENT_FILTERS if name in request.GET]
        if not used:
            return queryset
        if not issubclass(queryset.model, EventReportPage):
            raise BadRequestError(f"filter {', '.join(used)} needs type=cms.EventReportPage")
        params = request.GET
        if "date_from" in params:
            day = _parse_date("date_from", params["date_from"])
            # An event with no end date ends on its start date.
            queryset = queryset.filter(Q(end_date__gte=day) | Q(end_date__isnull=True, start_date__gte=day))
        if "date_to" in params:
            queryset = queryset.filter(start_date__lte=_parse_date("date_to", params["date_to"]))
        if "when" in params:
            today = timezone.localdate()
            if params["when"] == "upcoming":
                queryset = queryset.filter(Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today))
            elif params["when"] == "past":
                queryset = queryset.filter(Q(end_date__lt=today) | Q(end_date__isnull=True, start_date__lt=today))
            else:
                raise BadRequestError("when must be 'upcoming' or 'past'")
        if "event_format" in params and params["event_format"] not in EventFormat.values:
            # The equality filter itself is Wagtail's (FieldsFilter); an unknown value is an error, not [].
            raise BadRequestError("event_format must be one of: " + ", ".join(EventFormat.values))
        if "organisation" in params:
            pk = _parse_id("organisation", params["organisation"])
            organiser_pages = EventOrganiser.objects.filter(organisation_id=pk).values("page_id")
            referring = _referenced_in_pages(Organisation, pk)
            queryset = queryset.annotate(_pk_text=Cast("pk", CharField())).filter(
                Q(pk__in=organiser_pages) | Q(_pk_text__in=referring)
            )
        if "person" in params:
            pk = _parse_id("person", params["person"])
            queryset = queryset.annotate(_pk_text=Cast("pk", CharField())).filter(
                _pk_text__in=_referenced_in_pages(Person, pk)
            )
        if "topic" in params:
            queryset = queryset.filter(topics__slug=params["topic"], topics__live=True)
        return queryset


# --- the endpoint ---------------------------------------------------------------------------------------
CARD_FIELDS = ["lead", "start_date", "end_date", "event_format", "hero_image"]


class PagesEndpoint(DeliveryEndpointMixin, PagesAPIViewSet):
    base_serializer_class = DeliveryPageSerializer
    filter_backends = [EventReportFilter, *PagesAPIViewSet.filter_backends]
    # ``site`` is not offered: the API serves one public site, whose page trees are all of its locales.
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(EVENT_FILTERS) - {"site"}
    meta_fields = PagesAPIViewSet.meta_fields + ["translations", "translation_status", "jsonld"]
    detail_only_fields = ["parent", "translations", "translation_status", "jsonld"]
    detail_query_parameters = ("fields", "_")

    # Fields per page type: the JSON contract (see docs/api.md). Names are stable; renaming one breaks clients.
    model_fields = {
        EventReportPage: [
            ("lead", None),
            ("event_name", None),
            ("publication_date", None),
            ("start_date", None),
            ("end_date", None),
            ("sessions", fields.SessionsField()),
            ("event_format", None),
            ("venue", fields.VenueField()),
            ("online_platform", None),
            ("participants", fields.ParticipantsField()),
            ("organisers", fields.OrganisersField()),
            ("topics", fields.TopicsField()),
            ("hero_image", fields.ImageField(alt_field="hero_image_alt")),
            ("body", fields.StreamField()),
            ("follow_ups", fields.StreamField()),
            ("contacts_intro", None),
            ("contacts", fields.StreamField()),
            ("resources", fields.StreamField()),
        ],
    }

    @classmethod
    def get_body_fields(cls, model):
        from wagtail.api.conf import APIField

        extra = [APIField(name, serializer=serializer) for name, serializer in cls._fields_for(model)]
        return cls._convert_api_fields(cls.body_fields) + extra

    @classmethod
    def _fields_for(cls, model):
        for klass in model.__mro__:
            if klass in cls.model_fields:
                return cls.model_fields[klass]
        return []

    @classmethod
    def get_listing_default_fields(cls, model):
        defaults = super().get_listing_default_fields(model)
        # A listing of reports returns what a card needs without a fields= parameter.
        if issubclass(model, EventReportPage):
            defaults += CARD_FIELDS
        return defaults

    def get_base_queryset(self):
        # The tree's root node is not content (it has no URL); every public live page below it is.
        return Page.objects.live().filter(public_pages_q()).exclude(depth=1)

    def get_queryset(self):
        queryset = super().get_queryset()
        if issubclass(queryset.model, EventReportPage):
            queryset = queryset.select_related("locale")
        return queryset

    def get_object(self):
        # Memoised: Wagtail's get_serializer_class() asks for the object again to learn its type.
        if not hasattr(self, "_specific_object"):
            self._specific_object = self._load_specific_object()
        return self._specific_object

    def _load_specific_object(self):
        """Two queries: the page with its translations and parent (one round trip), then its specific row."""
        pk = int(self.kwargs["pk"])
        target = Page.objects.filter(pk=pk)
        parent_path = Substr("path", 1, Length("path") - Page.steplen)
        related = Page.objects.live().filter(
            Q(pk=pk)
            | Q(translation_key__in=target.values("translation_key"))
            | Q(path__in=target.annotate(parent_path=parent_path).values("parent_path"))
        )
        pages = list(related.select_related("locale"))
        base = next((page for page in pages if page.pk == pk), None)
        if base is None or not page_is_public(base):
            raise Http404
        self.resolver.use_page_context(base, pages)
        self.resolver.language = base.locale.language_code
        model = base.specific_class
        queryset = model.objects.select_related("locale")
        if issubclass(model, EventReportPage):
            queryset = queryset.prefetch_related(
                "sessions",
                "audience_groups",
                Prefetch("organisers", queryset=EventOrganiser.objects.select_related("organisation__locale")),
                Prefetch("topics", queryset=Topic.objects.select_related("locale")),
            )
        return queryset.get(pk=base.pk)

    def prefetch_relations(self, pages, names):
        """Inline relations asked for in a listing: one query per relation for the whole page of results."""
        organisers = Prefetch("organisers", queryset=EventOrganiser.objects.select_related("organisation__locale"))
        topics = Prefetch("topics", queryset=Topic.objects.select_related("locale"))
        needs = {
            "sessions": ["sessions"],
            "participants": ["audience_groups"],
            "organisers": [organisers],
            "topics": [topics],
            "jsonld": ["sessions", organisers],
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
        if "organisers" in names:
            for row in page.organisers.all():
                self.resolver.adopt("cms.organisation", row.organisation)
        if "topics" in names:
            for topic in page.topics.all():
                self.resolver.adopt("cms.topic", topic)
        if "alias_of" in names and page.alias_of_id:
            self.resolver.want(Page, page.alias_of_id)
        if "parent" in names or "translations" in names:
            self.resolver.want_page_context(page)

    def find_object(self, queryset, request):
        """``html_path`` is a front-end path: an optional language prefix (``/en/…``), then the page's path
        below the site root of that language (wagtail#6679: stock v2 ignores the prefix)."""
        if "html_path" not in request.GET:
            return super().find_object(queryset, request)
        components = [component for component in request.GET["html_path"].split("/") if component]
        language = settings.LANGUAGE_CODE
        if components and components[0] in dict(settings.WAGTAIL_CONTENT_LANGUAGES):
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

    def listing_view(self, request):
        def build():
            queryset = self.get_queryset()
            self.check_query_parameters(queryset)
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
