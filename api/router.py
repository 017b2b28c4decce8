"""The one router of the public delivery API, mounted at ``/api/v2/``.

The namespace must be ``wagtailapi_v2``: Wagtail's front-end cache integration reverses
``wagtailapi_v2:pages:detail`` when pages are published.
"""

from wagtail.api.v2.router import WagtailAPIRouter

from .endpoints.media import DocumentsEndpoint, ImagesEndpoint
from .endpoints.pages import PagesEndpoint
from .endpoints.snippets import ContactsEndpoint, OrganisationsEndpoint, PeopleEndpoint, ProjectsEndpoint


class DeliveryRouter(WagtailAPIRouter):
    """Wagtail's router, keeping a public record of its endpoints (the OpenAPI document walks them)."""

    def __init__(self, url_namespace):
        super().__init__(url_namespace)
        self.endpoints = {}

    def register_endpoint(self, name, cls):
        super().register_endpoint(name, cls)
        self.endpoints[name] = cls


api_router = DeliveryRouter("wagtailapi_v2")
api_router.register_endpoint("pages", PagesEndpoint)
api_router.register_endpoint("images", ImagesEndpoint)
api_router.register_endpoint("documents", DocumentsEndpoint)
api_router.register_endpoint("people", PeopleEndpoint)
api_router.register_endpoint("organisations", OrganisationsEndpoint)
api_router.register_endpoint("contacts", ContactsEndpoint)
api_router.register_endpoint("projects", ProjectsEndpoint)


def urlpatterns():
    """The router's URL patterns, outside ``ATOMIC_REQUESTS``: delivery only reads, and a transaction per
    request would only cost round trips."""
    from django.db import connections, transaction

    patterns, app_name, namespace = api_router.urls
    resolvers = [patterns]
    while resolvers:
        for pattern in resolvers.pop():
            if hasattr(pattern, "url_patterns"):
                resolvers.append(pattern.url_patterns)
            else:
                for alias in connections:
                    transaction.non_atomic_requests(using=alias)(pattern.callback)
    return patterns, app_name, namespace
