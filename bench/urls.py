"""The project's URLs plus the benchmark's own, mounted before Wagtail's catch-all page route."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

from . import views
from .stock import stock_router

urlpatterns = [
    path("bench/stock/", stock_router.urls),
    path("bench/trivial/detail/", views.trivial_detail),
    path("bench/trivial/listing/", views.trivial_listing),
    path("bench/publish/person/<int:pk>/", views.publish_person_name),
    *project_urlpatterns,
]
