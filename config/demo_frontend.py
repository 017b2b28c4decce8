"""A stand-in for the municipality's front-end, for the demo only (DEBUG): its preview route.

The real front-end lives elsewhere; without it the demo's preview frame would show a connection error. This
page does what the front-end's preview route must do (docs/frontend-integration.md): read ``content_type`` and
``token`` from its query, ask the preview API, and render the answer, never cached.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def preview(request):
    response = render(request, "demo_frontend_preview.html")
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    # The admin frames this page in its preview panel.
    response.xframe_options_exempt = True
    return response
