"""The OpenAPI 3.1 description of the delivery API, generated from the code that produces the output.

The front-end team codes against this document, so it must not drift from what the API returns. Nothing
in it is written twice; it is derived when the document is built:

- the shapes (person, image, link…), page field values, ``meta`` fields, errors and the change feed, from
  their declarations (``TypedDict``s: ``api.shapes``, ``api.fields``, ``api.changes``; see ``api.declare``),
  by ``jsonschema``;
- the StreamField block schemas, by walking the block definitions (``blocks``);
- the page, snippet and media items, from each endpoint's field configuration (``pages``);
- the query parameters, from each endpoint's ``parameter_docs()`` next to its ``known_query_parameters``
  (``parameters``);
- the paths, from the router (``document``); responses and headers (``responses``).

Anything the builder cannot map (a new block class, a field without ``returns``, an undescribed query
parameter, a new endpoint) makes the build fail instead of being described wrongly. ``tests/api/
test_openapi.py`` validates real responses against every schema, and objects are closed
(``additionalProperties: false``), so a key added on either side fails the tests.

The document is built once per process: it depends only on code and settings. Treat it as read-only.
"""

import functools

from django.utils import translation


@functools.cache
def openapi_document():
    """The OpenAPI document of the delivery API (English descriptions, whatever the request's language)."""
    from .document import Builder

    with translation.override("en"):
        return Builder().build()
