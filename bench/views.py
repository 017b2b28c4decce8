"""Bench-only views: the trivial baseline, and a way to publish a change inside a server worker.

The trivial views answer with the exact bytes and headers of our API's detail and listing responses, held in
memory: no DRF, no cache lookup, no database. They are ordinary views behind the whole middleware stack, so
"ratio vs trivial" compares the API with what a plain Django response costs (an API cache hit answered by a
middleware ahead of sessions and auth can beat it). They honour ``If-None-Match`` with a 304 just as cheaply,
so 304 is compared with 304.

The bytes are taken once per worker process, on the first request, from our own view through Django's test
client (the paths come from ``BENCH_DETAIL_PATH`` and ``BENCH_LISTING_PATH``, set by ``bench.run``).
"""

import os

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotModified, JsonResponse
from django.test import Client
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

COPIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Allow", "Cache-Tag", "Surrogate-Key")
NOT_MODIFIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Allow")
_captured = {}


def _capture(name):
    path = os.environ[f"BENCH_{name.upper()}_PATH"]
    response = Client(HTTP_HOST="127.0.0.1").get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}; the trivial view has nothing to serve")
    headers = {header: response[header] for header in COPIED_HEADERS if response.has_header(header)}
    return response.content, headers


def _trivial(request, name):
    if name not in _captured:
        _captured[name] = _capture(name)
    body, headers = _captured[name]
    if request.META.get("HTTP_IF_NONE_MATCH") == headers.get("ETag"):
        response = HttpResponseNotModified()
        for header in NOT_MODIFIED_HEADERS:
            if header in headers:
                response[header] = headers[header]
        return response
    response = HttpResponse(body, content_type="application/json")
    for header, value in headers.items():
        response[header] = value
    return response


def trivial_detail(request):
    return _trivial(request, "detail")


def trivial_listing(request):
    return _trivial(request, "listing")


@csrf_exempt
@require_POST
def publish_person_name(request, pk):
    """Rename a person and publish the change through a revision, as an editor would in the admin.

    Runs in whichever worker takes the request, so it shows whether the other workers' caches learn about it.
    """
    from cms.models import Person

    name = request.POST.get("name", "")
    if not name:
        return HttpResponseBadRequest("name is required")
    person = Person.objects.get(pk=pk)
    person.name = name
    person.save_revision().publish()
    return JsonResponse({"id": person.pk, "name": person.name, "pid": os.getpid()})
