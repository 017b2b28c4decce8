"""JSON for requests under /api/ that no API view answers (e.g. /api/v2/pages/abc/, an unknown endpoint):
the front-end gets the same error body as from the endpoints, never Django's HTML page."""

from django.http import JsonResponse
from django.views import defaults


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"message": "not found"}, status=404)
    return defaults.page_not_found(request, exception)
