"""Translators stay in their languages.

wagtail-localize checks translators' rights with one function (model permissions only); it is extended here with
the per-group language limits of ``cms.GroupLocalePermission``.
"""

import ast
import functools
import importlib
import inspect

from wagtail.models import TranslatableMixin

from .guard import Upstream, mark

UPSTREAM = (
    Upstream(
        "wagtail_localize.views.edit_translation:user_can_edit_instance",
        "6d426a812f5bc34e",
        "the one rights check of the translation views, called as a module global (see PERMISSION_CALLERS), "
        "arguments (user, instance), True when the user may edit",
    ),
)
ATTRIBUTES = ()

# The views that call ``user_can_edit_instance`` through the module global: replacing the module attribute reaches
# exactly these. A view that stops calling it (or calls a copy) would escape the language limits.
PERMISSION_CALLERS = frozenset(
    {
        "apply_machine_translation",
        "download_pofile",
        "edit_override",
        "edit_string_translation",
        "preview_translation",
        "stop_translation",
        "upload_pofile",
    }
)

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def permission_callers():
    """The functions and methods of the views module that call ``user_can_edit_instance`` by its global name (read
    from the source: DRF's ``api_view`` keeps no reference to the function it wraps)."""
    module = importlib.import_module("wagtail_localize.views.edit_translation")
    tree = ast.parse(inspect.getsource(module))
    definitions = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            definitions += [(f"{node.name}.{item.name}", item) for item in node.body if isinstance(item, _FUNCTIONS)]
        elif isinstance(node, _FUNCTIONS):
            definitions.append((node.name, node))
    return {
        name
        for name, definition in definitions
        if any(isinstance(n, ast.Name) and n.id == "user_can_edit_instance" for n in ast.walk(definition))
        and name != "user_can_edit_instance"
    }


def extra_problems():
    try:
        callers = permission_callers()
    except (ImportError, OSError, SyntaxError) as error:
        return [f"the translation views cannot be inspected ({error})."]
    if callers != PERMISSION_CALLERS:
        return [
            "the views calling wagtail_localize.views.edit_translation.user_can_edit_instance changed: "
            f"now {sorted(callers)}, verified {sorted(PERMISSION_CALLERS)}; the language limits reach only "
            "the views that call it through the module."
        ]
    return []


def install():
    from wagtail_localize.views import edit_translation

    from cms.models.permissions import user_can_edit_locale

    original = edit_translation.user_can_edit_instance
    if getattr(original, "installed_by_cms", False):
        return

    @mark
    @functools.wraps(original)
    def user_can_edit_instance(user, instance):
        if isinstance(instance, TranslatableMixin) and not user_can_edit_locale(user, instance.locale_id):
            return False
        return original(user, instance)

    edit_translation.user_can_edit_instance = user_can_edit_instance
