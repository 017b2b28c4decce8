"""Every setting the code reads is documented in the README (its configuration tables)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ("api", "blocks", "cms", "frontend_hooks", "config")
SETTING = re.compile(r"\bCMS_[A-Z][A-Z0-9_]*[A-Z0-9]\b")


def settings_read_by_the_code():
    names = set()
    for package in CODE:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                names |= set(SETTING.findall(path.read_text()))
    return names


def test_every_setting_is_in_the_readme():
    readme = set(SETTING.findall((ROOT / "README.md").read_text()))
    found = settings_read_by_the_code()
    assert found, "the scan found no settings at all"
    assert not found - readme, f"settings missing from the README: {sorted(found - readme)}"
