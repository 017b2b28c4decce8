"""The delivery API's URLconf, for a site's urls.py: ``path("api/v2/", include("api.urlconf"))``.

Mount it outside ``i18n_patterns``: LocaleMiddleware must never redirect the API. The names (``api-schema``,
``api-docs``, ``api-changes`` and the router's ``wagtailapi_v2`` namespace, which Wagtail's front-end cache
integration reverses) are global, as the OpenAPI document expects. (``api.urls`` builds the URLs *in* API
output; it is not a URLconf.)
"""

from django.urls import path

from .changes import changes_view
from .router import urlpatterns as router_urlpatterns
from .schema_views import docs_view, schema_view

urlpatterns = [
    path("schema/", schema_view, name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
    path("changes/", changes_view, name="api-changes"),
    path("", router_urlpatterns()),
]
