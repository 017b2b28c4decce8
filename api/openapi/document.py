"""The OpenAPI document: components first (shapes, blocks, page types), then the paths of each endpoint."""

from django.conf import settings
from django.urls import reverse

from cms.models import Person

from .. import changes
from ..endpoints import preview as preview_endpoints
from ..endpoints.base import Error
from ..endpoints.media import DocumentsEndpoint, ImagesEndpoint
from ..endpoints.pages import PagesEndpoint
from ..endpoints.preview import SNIPPET_ENDPOINTS
from ..endpoints.snippets import SnippetEndpoint
from ..router import api_router
from ..shapes import SHARED, declaration_for
from .blocks import BlockSchemas
from .jsonschema import Declarations, first_paragraph, integer, ref, string
from .pages import PageSchemas, listing_envelope, media_item, snippet_item
from .parameters import id_parameter, query_parameter, query_parameters
from .responses import HEADERS, error_responses, ok, operation, with_common_responses

OPENAPI_VERSION = "3.1.1"
API_VERSION = "2"

# The shared shapes' components, for the reference page: the same object looks the same wherever it appears.
SHAPES = tuple(declaration.__name__ for declaration in SHARED) + ("Link",)


class Builder:
    """Assembles one document: components first (blocks and page types), then the paths of each endpoint."""

    def __init__(self):
        self.components = {}
        self.declarations = Declarations(self.components)
        self.blocks = BlockSchemas(self.components)
        self.paths = {}
        self.page_types = []

    def build(self):
        self.declarations.component(Error)
        # Person.links is a stream of LinkBlock: the Link shape is that block's value.
        self.components["Link"] = {
            **self.blocks.value(Person._meta.get_field("links").stream_block.child_blocks["link"])[0],
            "description": "A link as the API gives it, wherever links appear (a person's links, resources): "
            "the chosen target plus href and link_type. Links whose target is not public are left out.",
        }
        for declaration in SHARED:
            self.declarations.component(declaration)
        self.page_types = PageSchemas(self.components, self.blocks).build()
        for name, endpoint in api_router.endpoints.items():
            self.add_endpoint(name, endpoint)
        self.add_schema_views()
        self.add_change_feed()
        self.add_previews()
        responses = error_responses()
        with_common_responses(self.paths, responses)
        return {
            "openapi": OPENAPI_VERSION,
            "info": {
                "title": f"{settings.WAGTAIL_SITE_NAME}: event reports delivery API",
                "version": API_VERSION,
                "description": INFO_DESCRIPTION,
            },
            "paths": self.paths,
            "components": {"schemas": self.components, "responses": responses, "headers": HEADERS},
        }

    def add_endpoint(self, name, endpoint):
        namespace = f"{api_router.url_namespace}:{name}"
        listing = reverse(f"{namespace}:listing")
        detail = listing + "{id}/"  # Wagtail's detail pattern is <int:pk>/ right below the listing
        if issubclass(endpoint, PagesEndpoint):
            self.add_pages(name, endpoint, listing, detail, reverse(f"{namespace}:find"))
        elif issubclass(endpoint, SnippetEndpoint):
            self.add_snippets(name, endpoint, listing, detail)
        elif issubclass(endpoint, ImagesEndpoint | DocumentsEndpoint):
            self.add_media(name, endpoint, listing, detail)
        else:
            raise TypeError(f"Endpoint {name} ({endpoint.__name__}) is not described by api.openapi")

    def add_pages(self, name, endpoint, listing, detail, find):
        typed = ", ".join(f"{model.__name__}Listing with type={model._meta.label}" for model in self.page_types)
        self.paths[listing] = operation(
            endpoint,
            name,
            "listing",
            "List pages",
            "Live, public pages. Without type= items have id, meta and title only; with "
            "type=cms.EventReportPage they carry what a card needs (lead, dates, format, hero image). "
            "With type=, any stored field of the type is also an exact-match filter (e.g. ?slug=).",
            query_parameters(endpoint, endpoint.known_query_parameters),
            ok(ref("PageListing"), f"Pages ({typed}).", endpoint),
            errors=("400", "404"),
        )
        self.paths[detail] = operation(
            endpoint,
            name,
            "detail",
            "A page",
            "A live, public page with every field of its type.",
            [id_parameter()] + query_parameters(endpoint, endpoint.detail_query_parameters),
            ok(
                {"anyOf": [*(ref(model.__name__) for model in self.page_types), ref("PageDetail")]},
                "The page.",
                endpoint,
            ),
            errors=("400", "404"),
        )
        self.paths[find] = operation(
            endpoint,
            name,
            "find",
            "Find a page by its front-end path",
            "Redirects to the detail of the page at html_path (or with id); other query parameters are kept.",
            [
                query_parameter("html_path", string(), "The page's path on the front-end, e.g. /pasakumi/."),
                query_parameter("id", integer(), "A page id."),
            ],
            {
                "302": {
                    "description": "Found: the detail URL of the page is in Location.",
                    "headers": {"Location": {"description": "The detail URL.", "schema": string(format="uri")}},
                }
            },
            errors=("400", "404"),
        )

    def add_snippets(self, name, endpoint, listing, detail):
        model = endpoint.model.__name__
        shape = self.components[declaration_for(endpoint.model).__name__]
        self.components[f"{model}Detail"] = snippet_item(endpoint, shape)
        self.components[f"{model}Listing"] = listing_envelope(ref(f"{model}Detail"))
        label = str(endpoint.model._meta.verbose_name_plural)
        self.add_collection(
            name,
            endpoint,
            (listing, f"Published {label}, each in the shape it has inside reports, plus meta."),
            (detail, "Takes no query parameters."),
        )

    def add_media(self, name, endpoint, listing, detail):
        model = endpoint.model.__name__
        self.components[f"{model}ListingItem"] = media_item(endpoint, detail=False)
        self.components[f"{model}Detail"] = media_item(endpoint, detail=True)
        self.components[f"{model}Listing"] = listing_envelope(ref(f"{model}ListingItem"))
        label = str(endpoint.model._meta.verbose_name_plural)
        self.add_collection(
            name,
            endpoint,
            (
                listing,
                f"Wagtail's own {label} endpoint, for browsing; reports embed {label} in full (shape "
                f"{declaration_for(endpoint.model).__name__}). No ETag and no 304 here.",
            ),
            (detail, None),
        )

    def add_collection(self, name, endpoint, listing, detail):
        """The listing and detail paths of a snippet or media endpoint: (path, description) each."""
        model = endpoint.model.__name__
        label = str(endpoint.model._meta.verbose_name_plural)
        self.paths[listing[0]] = operation(
            endpoint,
            name,
            "listing",
            f"List {label}",
            listing[1],
            query_parameters(endpoint, endpoint.known_query_parameters),
            ok(ref(f"{model}Listing"), label.capitalize() + ".", endpoint),
            errors=("400",),
        )
        self.paths[detail[0]] = operation(
            endpoint,
            name,
            "detail",
            f"One of the {label}",
            detail[1],
            [id_parameter()] + query_parameters(endpoint, endpoint.detail_query_parameters),
            ok(ref(f"{model}Detail"), "The object.", endpoint),
            errors=("400", "404"),
        )

    def add_schema_views(self):
        self.paths[reverse("api-schema")] = {
            "get": {
                "tags": ["schema"],
                "operationId": "schema",
                "summary": "This document",
                "description": "The OpenAPI 3.1 description of the API, as JSON.",
                "responses": {
                    "200": {
                        "description": "The document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
        self.paths[reverse("api-docs")] = {
            "get": {
                "tags": ["schema"],
                "operationId": "docs",
                "summary": "This document as a web page",
                "description": "Endpoints, parameters, errors and block types, for reading in a browser.",
                "responses": {"200": {"description": "An HTML page.", "content": {"text/html": {"schema": string()}}}},
            }
        }

    def add_change_feed(self):
        self.declarations.component(changes.ChangeFeed)
        self.paths[reverse("api-changes")] = {
            "get": {
                "tags": ["changes"],
                "operationId": "changes_listing",
                "summary": "Change feed",
                "description": first_paragraph(changes),
                "parameters": [
                    query_parameter(name, schema, text) for name, (schema, text) in changes.PARAMETERS.items()
                ],
                "responses": {
                    "200": {
                        "description": "Events in order.",
                        "content": {"application/json": {"schema": ref("ChangeFeed")}},
                    },
                    "400": {"$ref": "#/components/responses/BadRequest"},
                },
            }
        }

    def add_previews(self):
        """The preview endpoints: the live detail shapes, by token; never cached, so no ETag and no 304."""
        error = {"content": {"application/json": {"schema": ref("Error")}}}
        errors = {
            "400": {"description": "content_type or token missing, unknown, or not this token's.", **error},
            "403": {"description": "The token is not valid (tampered with, or not a preview token).", **error},
            "404": {"description": "The previewed object no longer exists.", **error},
            "410": {"description": "The token (or its preview) has expired; ask the editor for a new link.", **error},
            "406": {"$ref": "#/components/responses/NotAcceptable"},
        }
        private = {
            name: {"description": description, "schema": string()}
            for name, description in (
                ("Cache-Control", "Always private, no-store."),
                ("X-Robots-Tag", "Always noindex, nofollow."),
                ("Referrer-Policy", "Always no-referrer."),
            )
        }
        pages = [*(ref(model.__name__) for model in self.page_types), ref("PageDetail")]
        snippets = [ref(f"{endpoint.model.__name__}Detail") for endpoint in SNIPPET_ENDPOINTS.values()]
        for name, kind, shapes, types in (
            ("page_preview", "a page", pages, "a page type, e.g. cms.eventreportpage"),
            ("snippet_preview", "a snippet", snippets, ", ".join(SNIPPET_ENDPOINTS)),
        ):
            self.paths[reverse(f"api-{name.replace('_', '-')}")] = {
                "get": {
                    "tags": ["preview"],
                    "operationId": name,
                    "summary": f"Preview of {kind}, by token",
                    "description": first_paragraph(preview_endpoints),
                    "parameters": [
                        query_parameter("content_type", string(), f"app_label.model, lower case: {types}."),
                        query_parameter("token", string(), "The token from the front-end preview URL."),
                    ],
                    "responses": {
                        "200": {
                            "description": "The object as the live detail endpoint shows it, from the editor's draft.",
                            "headers": private,
                            "content": {"application/json": {"schema": {"anyOf": shapes}}},
                        },
                        **errors,
                    },
                }
            }


INFO_DESCRIPTION = (
    "Headless JSON delivery of structured event reports (Wagtail API v2 conventions). Everything is public "
    "and read-only. References to content that is not public (drafts, unpublished snippets, private pages "
    "and documents) are dropped, never half-shown: a block that needs such an object is left out, an "
    "optional reference is null, a rich-text link loses its href. Stream block types (the type key) are "
    "part of the contract: renaming one is a breaking change. Every error the API answers is JSON of one "
    "shape, Error ({message, request_id}), with Cache-Control: no-store; every response carries X-Request-ID. "
    "Only what the HTTP server refuses before the API sees it (a request line or headers too long, a request "
    "it cannot parse) is a short HTML page."
)
