"""A stand-in for the municipality's front-end, for the demo only (DEBUG): its preview route.

The real front-end lives elsewhere; without it the demo's preview frame would show a connection error. This
page does what the front-end's preview route must do (docs/frontend-integration.md): read ``content_type`` and
``token`` from its query, ask the preview API, and render the answer, never cached. It also carries Wagtail's
userbar, so that the admin's Checks panel tests the rendered report: the hand-off page frames it on the same
origin, where the panel's checker can reach it (a front-end on another origin is out of its reach).
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def preview(request):
    # Inside the admin's preview panel (the hand-off says so in the query), Wagtail's userbar renders hidden,
    # as it does in Wagtail's own previews, and only serves the panel's checks. ``in_preview_panel`` is the
    # request attribute Wagtail's userbar reads for this.
    request.in_preview_panel = request.GET.get("in_preview_panel") == "true"
    response = render(request, "demo_frontend_preview.html")
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    # The admin frames this page in its preview panel.
    response.xframe_options_exempt = True
    return response
