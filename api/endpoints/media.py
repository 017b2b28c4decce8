"""Wagtail's images and documents endpoints, with the delivery rules: JSON errors, bounded input, caching
headers, search that cannot choke (``api.search``), and no image or document from a private collection."""

from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from ..privacy import public_media_q
from ..search import with_search_filter
from .base import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS, DeliveryEndpointMixin


class ImagesEndpoint(DeliveryEndpointMixin, ImagesAPIViewSet):
    detail_query_parameters = ("fields", "_")
    filter_backends = with_search_filter(ImagesAPIViewSet.filter_backends)
    search_limits = (MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS)

    def get_queryset(self):
        return super().get_queryset().filter(public_media_q())

    def detail_view(self, request, pk):
        self.check_detail_parameters()
        return super().detail_view(request, pk)


class DocumentsEndpoint(DeliveryEndpointMixin, DocumentsAPIViewSet):
    detail_query_parameters = ("fields", "_")
    filter_backends = with_search_filter(DocumentsAPIViewSet.filter_backends)
    search_limits = (MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS)

    def get_queryset(self):
        return super().get_queryset().filter(public_media_q())

    def detail_view(self, request, pk):
        self.check_detail_parameters()
        return super().detail_view(request, pk)
