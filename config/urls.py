from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import health, metrics

# Errors under /api/ are JSON in every settings module through api.errors.ApiErrorMiddleware (which replaces
# Django's 404 page there, DEBUG's included); this handler only covers a fault in a middleware around it.
handler500 = "api.errors.server_error"

urlpatterns = [
    # Operations (cms.health, cms.metrics): outside language prefixes and the API, never cached.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # The API lives outside language prefixes: LocaleMiddleware must never redirect it.
    path("api/v2/", include("api.urlconf")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    from . import demo_frontend

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    # The demo has no front-end of its own: a stand-in for its preview route (CMS_FRONTEND_PREVIEW_URL in dev).
    urlpatterns.append(path("demo-frontend/preview/", demo_frontend.preview, name="demo-frontend-preview"))

# Pages are served per language tree: Latvian (the source) without a prefix, /en/, /ltg/ for translations.
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
