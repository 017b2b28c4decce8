"""api.encoding writes the bytes DRF's encoder wrote before it, for any data a response can hold."""

import datetime
import decimal
import json
import uuid

from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.utils.encoders import JSONEncoder

from api import encoding


def drf(data):
    return json.dumps(data, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


lazy_text = lazy(str, str)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    # No block or field gives a float (nor a decimal, which DRF writes as one); were one to, within this range
    # both write it the same, while outside it Python writes exponents as e-06 and orjson as e-6 (both JSON).
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or 1e-4 <= abs(x) < 1e16),
    # Any text without lone surrogates (which neither encoder can write as UTF-8): control characters, quotes,
    # backslashes, line and paragraph separators, astral characters.
    st.text(alphabet=st.characters(exclude_categories=["Cs"])),
    st.text(max_size=20).map(mark_safe),
    st.text(max_size=20).map(lazy_text),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(datetime.UTC)),
    st.times(),
    st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=3).filter(
        lambda x: x == 0 or abs(x) >= decimal.Decimal("0.001")
    ),
    st.uuids(),
)
keys = st.one_of(st.text(alphabet=st.characters(exclude_categories=["Cs"])), st.integers(-1000, 1000))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5)),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_same_bytes_as_drfs_encoder(data):
    assert encoding.dumps(data) == drf(data)


def test_known_differences_of_orjson_are_written_as_drf_writes_them():
    moment = datetime.datetime(2026, 12, 7, 10, 30, 15, 123456, tzinfo=datetime.UTC)
    data = {
        "at": moment,
        "day": datetime.date(2026, 12, 7),
        "time": datetime.time(9, 5, 1, 654321),
        "amount": decimal.Decimal("1.50"),
        "id": uuid.UUID("7726c926-e300-4191-a000-00000000be0c"),
        "text": "Rēzekne — “forums”\u2028\x00",
    }
    body = encoding.dumps(data)
    assert body == drf(data)
    assert b'"2026-12-07T10:30:15.123456Z"' in body  # UTC as Z: DRF's form (orjson writes +00:00)
    assert b'"amount":1.5' in body  # a decimal as DRF's float (orjson refuses decimals)
    assert b"\\u0000" in body
