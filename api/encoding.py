"""The API's JSON, encoded once for every response body that is built (``endpoints.base``).

orjson writes exactly what ``json.dumps(data, cls=DRF's JSONEncoder, ensure_ascii=False, separators=(",", ":"))``
writes, several times faster: the same escapes, UTF-8 text, no spaces, keys in insertion order. What orjson would
write differently is handed to DRF's encoder instead: dates, times and datetimes (DRF writes UTC as ``Z``),
decimals, lazy translations and anything else it does not know. tests/api/test_encoding.py holds the two to the
same bytes for arbitrary data. One difference remains, for floats of extreme magnitude (Python writes ``1e-06``,
orjson ``1e-6``; both are JSON): no block or field of the API gives a float.
"""

import orjson
from rest_framework.utils.encoders import JSONEncoder

_drf = JSONEncoder()
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def _default(value):
    return _drf.default(value)


def dumps(data):
    """``data`` as the bytes of a JSON body."""
    return orjson.dumps(data, default=_default, option=OPTIONS)
