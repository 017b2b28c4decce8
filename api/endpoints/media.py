"""Wagtail's images and documents endpoints, with the delivery rules: JSON errors, bounded input, caching
headers, and no document from a private collection."""

from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from ..privacy import restricted_collection_paths
from .base import DeliveryEndpointMixin


class ImagesEndpoint(DeliveryEndpointMixin, ImagesAPIViewSet):
    detail_query_parameters = ("fields", "_")

    def detail_view(self, request, pk):
        self.check_detail_parameters()
        return super().detail_view(request, pk)


class DocumentsEndpoint(DeliveryEndpointMixin, DocumentsAPIViewSet):
    detail_query_parameters = ("fields", "_")

    def get_queryset(self):
        queryset = super().get_queryset()
        for path in restricted_collection_paths():
            queryset = queryset.exclude(collection__path__startswith=path)
        return queryset

    def detail_view(self, request, pk):
        self.check_detail_parameters()
        return super().detail_view(request, pk)
