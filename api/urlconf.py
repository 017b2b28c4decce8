"""The delivery API's URLconf, for a site's urls.py: ``path("api/v2/", include("api.urlconf"))``.

Mount it outside ``i18n_patterns``: LocaleMiddleware must never redirect the API. The names (``api-schema``,
``api-docs``, ``api-changes`` and the router's ``wagtailapi_v2`` namespace, which Wagtail's front-end cache
integration reverses) are global, as the OpenAPI document expects. (``api.urls`` builds the URLs *in* API
output; it is not a URLconf.)
"""

from django.urls import path

from .changes import changes_view
from .endpoints.preview import PagePreviewEndpoint, SnippetPreviewEndpoint
from .router import api_router
from .router import urlpatterns as router_urlpatterns
from .schema_views import docs_view, schema_view


def _preview_view(endpoint):
    """A preview endpoint's view, with the router on the request as the router's own views have it (the
    serializers build detail URLs with it). Outside the router: the OpenAPI document describes it apart."""
    from django.db import transaction
    from django.views.decorators.csrf import csrf_exempt

    view = endpoint.as_view({"get": "preview_view"})

    # Token-authenticated and read-only (DRF answers other methods 405); no cookie is ever used, so the CSRF
    # check, which would answer a POST 403 first, has nothing to protect.
    @csrf_exempt
    @transaction.non_atomic_requests
    def preview_view(request, *args, **kwargs):
        request.wagtailapi_router = api_router
        return view(request, *args, **kwargs)

    preview_view.cls, preview_view.actions = endpoint, {"get": "preview_view"}
    return preview_view


urlpatterns = [
    path("page_preview/", _preview_view(PagePreviewEndpoint), name="api-page-preview"),
    path("snippet_preview/", _preview_view(SnippetPreviewEndpoint), name="api-snippet-preview"),
    path("schema/", schema_view, name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
    path("changes/", changes_view, name="api-changes"),
    path("", router_urlpatterns()),
]
