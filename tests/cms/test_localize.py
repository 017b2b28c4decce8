"""The guards of the wagtail-localize wrappers (cms/localize/): start-up is refused when the code they wrap is
not the code they were verified on. What the wrappers do is tested in tests/cms/test_localisation.py."""

import dataclasses
import importlib
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from wagtail_localize.models import TranslationSource

from cms import localize
from cms.localize import guard, rights

ROOT = Path(__file__).resolve().parents[2]


def parent_and_name(path):
    """The object that holds a patched function (its module or class), and its name there."""
    module_name, _, qualname = path.partition(":")
    owner, _, name = qualname.rpartition(".")
    return (guard.resolve(f"{module_name}:{owner}") if owner else importlib.import_module(module_name)), name


def refusal():
    with pytest.raises(ImproperlyConfigured) as excinfo:
        localize.check_upstream()
    return str(excinfo.value)


def test_the_installed_wagtail_localize_is_the_one_verified():
    assert localize.upstream_problems() == []
    localize.check_upstream()
    # install() runs again without wrapping twice: the wrapper still wraps the upstream function itself.
    localize.install()
    wrapper = TranslationSource.create_or_update_translation
    assert wrapper.installed_by_cms and not getattr(wrapper.__wrapped__, "installed_by_cms", False)


def test_the_fingerprint_ignores_comments_formatting_and_the_docstring_but_not_code():
    plain = "def check(user, instance):\n    return user.is_staff and instance.live\n"
    reworded = (
        'def check(user, instance):\n    """Who may edit."""\n    # staff only\n'
        "    return (user.is_staff\n            and instance.live)\n"
    )
    changed = "def check(user, instance):\n    return user.is_staff or instance.live\n"
    assert guard.source_fingerprint(plain) == guard.source_fingerprint(reworded)
    assert guard.source_fingerprint(plain) != guard.source_fingerprint(changed)


@pytest.mark.parametrize("patch", localize.UPSTREAM, ids=lambda patch: patch.path.rpartition(":")[2])
def test_a_changed_upstream_function_is_refused_naming_it(monkeypatch, patch):
    owner, name = parent_and_name(patch.path)

    def changed(*args, **kwargs):  # stands for the new release's code
        return None

    current = getattr(owner, name)
    if getattr(current, "installed_by_cms", False):
        # As after an upgrade: our wrapper is installed over upstream code that is not the code verified.
        monkeypatch.setattr(current, "__wrapped__", changed)
    else:
        monkeypatch.setattr(owner, name, changed)
    message = refusal()
    assert f"{patch.path} changed: fingerprint {guard.fingerprint(changed)}, verified {patch.fingerprint}" in message
    assert patch.relies_on in message
    assert "Re-verify" in message and "UPSTREAM" in message


def test_a_fingerprint_recorded_wrongly_is_refused_by_install(monkeypatch):
    first, *rest = localize.UPSTREAM
    monkeypatch.setattr(localize, "UPSTREAM", (dataclasses.replace(first, fingerprint="0" * 16), *rest))
    # Already installed at start-up: install() checks before returning early.
    with pytest.raises(ImproperlyConfigured, match="TranslationSource.create_or_update_translation changed"):
        localize.install()


@pytest.mark.parametrize("version", ["1.14.4", "1.15.0", "2.0"])
def test_a_release_outside_the_verified_range_is_refused(monkeypatch, version):
    real_version = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: version if name == "wagtail-localize" else real_version(name)
    )
    message = refusal()
    assert f"wagtail-localize {version} is installed" in message
    assert "verified on 1.14.5 up to (not including) 1.15" in message
    for patch in localize.UPSTREAM:
        assert patch.path in message


def test_a_missing_attribute_is_refused(monkeypatch):
    monkeypatch.delattr(TranslationSource, "get_translated_instance")
    assert "TranslationSource.get_translated_instance no longer exists" in refusal()


def test_a_view_that_stops_calling_the_rights_check_is_refused(monkeypatch):
    # As if a view that was verified to call user_can_edit_instance no longer did.
    monkeypatch.setattr(rights, "PERMISSION_CALLERS", rights.PERMISSION_CALLERS | {"edit_translation"})
    message = refusal()
    assert "the views calling wagtail_localize.views.edit_translation.user_can_edit_instance changed" in message
    assert "'edit_translation'" in message


def test_every_view_that_checks_rights_is_known():
    assert rights.permission_callers() == rights.PERMISSION_CALLERS


def test_the_site_does_not_start_on_an_unverified_release():
    """The real start-up: ``manage.py check`` (like runserver and migrate) stops in CmsConfig.ready()."""
    code = (
        "import importlib.metadata as metadata\n"
        "real = metadata.version\n"
        "metadata.version = lambda name: '1.15.0' if name == 'wagtail-localize' else real(name)\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check'])\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert "wagtail-localize 1.15.0 is installed" in result.stderr
    assert "System check identified" not in result.stdout
