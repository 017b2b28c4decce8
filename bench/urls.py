"""The project's URLs plus the benchmark's own, mounted before Wagtail's catch-all page route."""

from django.urls import path

from api import cache as api_cache
from config.urls import urlpatterns as project_urlpatterns

from . import views
from .stock import stock_ids_router, stock_router

# The cold scenarios send a unique ``_`` per request so that each one misses the response cache. The product
# leaves ``_`` out of the cache key (a cache-buster must not grow the cache); the benchmark puts it back in,
# which costs the same key computation.
api_cache.IGNORED_PARAMETERS = frozenset()

urlpatterns = [
    path("bench/stock/", stock_router.urls),
    path("bench/stock-ids/", stock_ids_router.urls),
    path("bench/trivial/detail/", views.trivial_detail),
    path("bench/trivial/listing/", views.trivial_listing),
    path("bench/publish/person/<int:pk>/", views.publish_person_name),
    *project_urlpatterns,
]
