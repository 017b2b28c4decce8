"""Query and header parameters. Each endpoint describes its own (``parameter_docs()`` next to its
``known_query_parameters``); this module turns them into OpenAPI parameter objects and fails the build on an
accepted parameter that nobody described."""

from .jsonschema import integer, string


def query_parameter(name, schema, description):
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def id_parameter():
    return {"name": "id", "in": "path", "required": True, "description": "The object's id.", "schema": integer()}


def query_parameters(endpoint, names, described=None):
    """Parameter objects for ``names``, from the endpoint's own descriptions."""
    described = endpoint.parameter_docs() if described is None else described
    parameters = []
    for name in sorted(set(names) - endpoint.undocumented_parameters):
        if name not in described:
            raise TypeError(f"{endpoint.__name__} accepts ?{name}= but its parameter_docs() does not describe it")
        schema, description = described[name]
        parameters.append(query_parameter(name, schema, description))
    return parameters


CONDITIONAL_PARAMETERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The ETag of a response you have: 304 Not Modified when it is still current.",
        "schema": string(),
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": "The Last-Modified of a response you have: 304 Not Modified when nothing changed since.",
        "schema": string(),
    },
]
