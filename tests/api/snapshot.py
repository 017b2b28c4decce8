"""Reviewed JSON contract snapshots. A diff here is an API change: review it, then regenerate with
``UPDATE_SNAPSHOTS=1 make pytest``.

Database ids, translation keys and publish times differ between runs and databases, so they are replaced by
placeholders.
"""

import json
import os
import re
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "snapshots"
_URL_ID = re.compile(r"/(pages|images|documents|people|organisations|contacts)/\d+/")
_ATTR_ID = re.compile(r'data-(page|document)-id="\d+"')
VOLATILE = {"dateModified", "last_published_at", "first_published_at"}


def normalise(value, key=None):
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if key in VOLATILE and value:
        return "<time>"
    if key == "id" and isinstance(value, int):
        return "<id>"
    if key == "translation_key" and value:
        return "<uuid>"
    if isinstance(value, str):
        value = _URL_ID.sub(r"/\1/<id>/", value)
        return _ATTR_ID.sub(r'data-\1-id="<id>"', value)
    return value


def assert_matches_snapshot(name, data):
    path = SNAPSHOTS / f"{name}.json"
    actual = normalise(data)
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"snapshot {path.name} is missing; generate and review it locally")
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n")
    expected = json.loads(path.read_text())
    assert actual == expected, f"{name} differs from the reviewed snapshot {path.name}"
