"""What every delivery endpoint shares: strict query parameters, JSON errors, no sessions, caching.

Stock API v2 answers some bad input with a 500 (a huge ``offset``, an odd ``search_operator``, a very long
search) and silently ignores unknown parameters on detail views. Here every parameter is checked before any
query runs, and every error is a JSON body with a 4xx status.
"""

import functools
import hashlib
import inspect
import logging
from http import HTTPStatus
from typing import Annotated, TypedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import BaseAPIViewSet
from wagtail.coreutils import get_content_languages
from wagtail.fields import StreamField

from cms.changes import PAGE, tag

from .. import cache as api_cache
from .. import encoding, shapes
from ..declare import Doc
from ..logging import current_request_id, loggable_path
from ..resolver import Resolver

logger = logging.getLogger(__name__)

MAX_OFFSET = 10_000
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 25
SEARCH_OPERATORS = {"and", "or"}


class Error(TypedDict):
    """The body of every error under /api/, whatever its status and whatever raised it (``api.errors``)."""

    message: Annotated[str, Doc("What was wrong, in English.")]
    request_id: Annotated[
        str,
        Doc(
            "The request's id, also in the X-Request-ID response header and in every log line of the request: "
            "quote it when you report a problem."
        ),
    ]


def error_body(message):
    """The one place an error body is built: the endpoints, the other API views and ``api.errors`` use it."""
    return Error(message=message, request_id=current_request_id())


def status_message(status_code):
    """The message of an error whose own text is not fit to pass on (an HTML page, an exception, DRF's text in
    the request's language): the status's phrase, in lower case as the API's other messages."""
    try:
        return HTTPStatus(status_code).phrase.lower()
    except ValueError:
        return "error"


def _check_serializer_factory():
    """Wagtail's per-request serializer factory, which applies fields=, is a private classmethod: checked
    here, so that a Wagtail upgrade that changes it fails at import rather than silently."""
    factory = getattr(BaseAPIViewSet, "_get_serializer_class", None)
    expected = ["router", "model", "fields_config", "show_details", "nested"]
    if factory is None or list(inspect.signature(factory).parameters) != expected:
        raise ImportError("wagtail.api.v2.views.BaseAPIViewSet._get_serializer_class changed: see api.endpoints.base")


_check_serializer_factory()

# What fields= never removes (fields=_, fields=-id): what identifies an item, its id and meta.type and
# meta.detail_url — Wagtail's own minimum for nested objects. The OpenAPI document requires exactly these
# (``api.openapi.pages``); every other key may be removed, and the defaults are said in each item's description.
ALWAYS_PRESENT_FIELDS = ("id", "type", "detail_url")


class DeliveryEndpointMixin:
    # JSON only: no browsable HTML API, no sessions (what a logged-in editor sees is what the public sees).
    renderer_classes = [JSONRenderer]
    authentication_classes = []
    permission_classes = []

    # --- query parameters ----------------------------------------------------------------------------
    # Accepted by every endpoint but without effect on the output, so not offered to clients: ``_`` is a
    # cache-buster, ``format`` picks a renderer (there is only JSON) and ``rich_text_format`` is ignored
    # because our rich text is always HTML with front-end links (``api.richtext``).
    undocumented_parameters = frozenset({"_", "format", "rich_text_format"})

    @classmethod
    def parameter_docs(cls):
        """Schema and description of each query parameter this endpoint knows (``known_query_parameters``);
        the checks below enforce what they say. ``api.openapi`` fails the build on one left undescribed."""
        limit_max = getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20)
        return {
            "limit": (
                {"type": "integer", "minimum": 0, "maximum": limit_max, "default": min(20, limit_max)},
                f"Items per response (at most {limit_max}).",
            ),
            "offset": ({"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}, "Items to skip."),
            "fields": (
                {"type": "string"},
                "Fields to add to the defaults, comma-separated (fields=body,topics); * for all, _ to start from "
                "none (fields=_,title), -name to remove one. id, meta.type and meta.detail_url are never removed; "
                "each item's description lists its defaults.",
            ),
            "search": ({"type": "string", "maxLength": MAX_SEARCH_LENGTH}, "Full-text search."),
            "search_operator": (
                {"type": "string", "enum": sorted(SEARCH_OPERATORS)},
                "How search words combine (default: or).",
            ),
            "order": ({"type": "string"}, "Field name, - for descending, or random."),
        }

    def check_common_parameters(self):
        params = self.request.GET
        for name in ("offset", "limit"):
            if name in params:
                value = params[name]
                if not value.isdigit():
                    raise BadRequestError(f"{name} must be a non-negative integer")
                if name == "offset" and int(value) > MAX_OFFSET:
                    raise BadRequestError(f"offset cannot be higher than {MAX_OFFSET}")
        if "search" in params:
            search = params["search"]
            if len(search) > MAX_SEARCH_LENGTH or len(search.split()) > MAX_SEARCH_WORDS:
                raise BadRequestError(
                    f"search is limited to {MAX_SEARCH_LENGTH} characters and {MAX_SEARCH_WORDS} words"
                )
        if "locale" in params and params["locale"] not in get_content_languages():
            languages = ", ".join(get_content_languages())
            raise BadRequestError(f"unknown locale: {params['locale']} (available: {languages})")
        if "search_operator" in params and params["search_operator"] not in SEARCH_OPERATORS:
            raise BadRequestError("search_operator must be 'and' or 'or'")
        for name, value in params.items():
            if "\x00" in value or "\x00" in name:
                raise BadRequestError("null characters are not allowed in query parameters")

    def check_detail_parameters(self):
        """Detail views accept only what changes their output (stock v2 ignores the rest silently)."""
        unknown = set(self.request.GET) - set(self.detail_query_parameters)
        if unknown:
            raise BadRequestError("query parameter is not allowed on a detail view: " + ", ".join(sorted(unknown)))

    detail_query_parameters = ("fields", "locale", "_")

    # --- errors --------------------------------------------------------------------------------------
    def handle_exception(self, exc):
        if isinstance(exc, Http404):
            return Response(error_body("not found"), status=status.HTTP_404_NOT_FOUND)
        if isinstance(exc, BadRequestError):
            return Response(error_body(str(exc)), status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, ValidationError | ValueError | OverflowError | DataError):
            # Bad input that reached a conversion or the database: say so, never a 500 or a traceback.
            # The path and the parameters' names only: a value may be a preview token, and the exception's
            # message may quote the value.
            logger.info(
                "Rejected API input %s (parameters: %s): %s",
                loggable_path(self.request.path),
                ", ".join(sorted(self.request.GET)) or "none",
                type(exc).__name__,
            )
            return Response(error_body("invalid query parameter value"), status=status.HTTP_400_BAD_REQUEST)
        if isinstance(exc, PermissionDenied):
            return Response(error_body("forbidden"), status=status.HTTP_403_FORBIDDEN)
        if isinstance(exc, APIException):
            # DRF's own (405 for another method, 406 for an Accept without JSON): said in English, whatever the
            # request's language (DRF's text is translated when it is raised). Its headers (Allow) are added
            # by finalize_response.
            return Response(error_body(status_message(exc.status_code)), status=exc.status_code)
        # Anything else is a fault, not bad input: re-raised, it reaches api.errors.ApiErrorMiddleware, which
        # logs it with its traceback and answers a JSON 500 (in every settings module, DEBUG included).
        return super().handle_exception(exc)

    # --- serialisation -------------------------------------------------------------------------------
    @classmethod
    def _get_serializer_class(cls, router, model, fields_config, show_details=False, nested=False):
        # Named last, so added whatever came before (``_`` or ``-id`` included); nested items (fields=
        # hero_image(_)) go through the child endpoint's own factory, so keep them too.
        fields_config = [*fields_config, *((name, False, None) for name in ALWAYS_PRESENT_FIELDS)]
        return _serializer_class(cls, router, model, _frozen(fields_config), show_details, nested)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["resolver"] = self.resolver
        # What blocks take from the delivery layer (shapes, rich text) when they are serialised.
        return shapes.block_context(context)

    def initial(self, request, *args, **kwargs):
        # DRF answers a ?format= without a renderer as "not found", as if the object did not exist: it is bad
        # input, said before content negotiation.
        if request.GET.get("format", "json") != "json":
            raise BadRequestError("format must be json (the only representation)")
        super().initial(request, *args, **kwargs)
        self.resolver = Resolver()
        # The router accepts only digits; an id longer than a bigint cannot exist (and would overflow).
        if len(str(kwargs.get("pk", ""))) > 18:
            raise Http404
        self.check_common_parameters()

    def prime(self, objects, field_names):
        """Note what the objects' serialised fields refer to, then load it all (one query per model)."""
        names = set(field_names)
        for obj in objects:
            self.prime_object(obj, names)
        self.resolver.resolve()

    def prime_object(self, obj, names):
        for field in _stream_fields(type(obj)):
            if field.name in names:
                self.resolver.want_stream_value(getattr(obj, field.attname))

    # --- caching -------------------------------------------------------------------------------------
    @classmethod
    def cache_scopes(cls, action, kwargs, request):
        """What a cached response of this action shows (see ``api.cache``); None: do not cache it."""
        return None

    def cached_response(self, request, build):
        """Serve from the server-side cache, or build and serve (the middleware stores what was built);
        with ETag, Last-Modified and cache tags."""
        scopes = self.cache_scopes(self.action, self.kwargs, request)
        if not scopes:
            return self.uncached_response(request, build)
        entry, stamp, key = api_cache.lookup(scopes, request)
        if entry is not None:
            return api_cache.respond(request, entry)
        with shapes.memoised():
            data = build()
        # Block values may be dates, times or decimals (e.g. a follow-up's DateBlock): encoded as DRF encodes them.
        body = encoding.dumps(data)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        entry = {"body": body, "etag": etag, "lm": self.last_modified(), "stamp": stamp, "tags": self.cache_tags()}
        response = api_cache.respond(request, entry)
        if api_cache.storable(request):
            # Stored by the middleware once the response is final (so a hit repeats DRF's headers too).
            response.api_cache_entry = (key, entry)
            response.api_cache_headers = frozenset(name.lower() for name in response.headers)
        return response

    def uncached_response(self, request, build):
        from django.http import HttpResponse

        with shapes.memoised():
            data = build()
        body = encoding.dumps(data)
        response = HttpResponse(body, content_type="application/json")
        response["Cache-Control"] = "no-store"
        return response

    def cache_tags(self):
        """Every object the response shows (the change log's tags), and the listing it belongs to."""
        tags = {tag(key, pk) for key, objects in self.resolver.loaded.items() for pk, obj in objects.items() if obj}
        tags |= {tag(PAGE, page.pk) for pages in self.resolver.translations.values() for page in pages}
        tags |= {tag(PAGE, page.pk) for page in self.resolver.parents.values() if page is not None}
        tags |= set(getattr(self, "_own_tags", ()))
        return sorted(tags)

    def last_modified(self):
        times = [
            obj.last_published_at
            for objects in self.resolver.loaded.values()
            for obj in objects.values()
            if obj is not None and getattr(obj, "last_published_at", None)
        ]
        times += [t for t in getattr(self, "_own_last_modified", []) if t]
        return max(times).timestamp() if times else None


def _frozen(fields_config):
    """``fields=`` as Wagtail parses it (lists of (name, negated, sub-fields)), hashable."""
    if not fields_config:
        return ()
    return tuple((name, negated, _frozen(sub_fields)) for name, negated, sub_fields in fields_config)


def _thawed(fields_config):
    return [(name, negated, _thawed(sub_fields) or None) for name, negated, sub_fields in fields_config]


# Wagtail builds a serializer class (and nested ones) for every request; the class depends only on the endpoint,
# the model and ``fields=``, so the latest ones are kept. Bounded: each ``fields=`` combination makes one.
# A ``fields=`` that is refused raises, and what raises is not kept.
@functools.lru_cache(maxsize=256)
def _serializer_class(endpoint, router, model, fields_config, show_details, nested):
    return super(DeliveryEndpointMixin, endpoint)._get_serializer_class(
        router, model, _thawed(fields_config), show_details=show_details, nested=nested
    )


@functools.cache
def _stream_fields(model):
    """A model's StreamFields (looked for on every object of every response)."""
    return tuple(field for field in model._meta.concrete_fields if isinstance(field, StreamField))
