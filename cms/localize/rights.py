"""Translators stay in their languages.

``cms.GroupLocalePermission`` limits a group (e.g. English translators) to some languages. Each kind of content has
one mechanism that applies the limits to every action on it:

- pages: Wagtail takes every page right from ``PagePermissionPolicy.get_all_permissions_for_user``; for a limited
  user it keeps only the rights granted inside the tree of an allowed language, so every page view and action (edit,
  publish, unpublish, delete, move, copy, revert, lock, bulk actions, workflows, and wagtail-localize's page checks)
  follows the limits;
- snippets: model permissions know nothing of objects, so the viewset of every translatable snippet
  (``LanguageLimitedViewSetMixin``) checks each URL that names an object, and the add view, before the view runs;
  only the views that read stay open, and a view a later Wagtail adds is refused until it is known to only read.
  Their permission policy (``LanguagePermissionPolicy``) gives the same answers to the per-object questions Wagtail
  asks (so buttons and links into other languages are not offered, and bulk deletion leaves them out); other bulk
  actions go through ``refuse_bulk_action`` (the ``before_bulk_action`` hook);
- wagtail-localize: its translation views check rights with one function, ``user_can_edit_instance``, extended here
  with the limits; ``Translation.save_target`` publishes only for a user who may publish the target (a sync leaves
  the other languages as they are, see ``collecting_publish_refusals``); ``cms.localize.views`` stands in for the
  views that check too little (sync, convert to alias, submitting for translation), and the upstream code it relies
  on is declared here.
"""

import ast
import functools
import importlib
import inspect
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core import checks
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, URLPattern, URLResolver, reverse
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext, gettext_noop
from wagtail.models import DraftStateMixin, Locale, Page, TranslatableMixin
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from cms.models.permissions import allowed_locale_ids, user_can_edit_locale

from .guard import Upstream, mark

UPSTREAM = (
    Upstream(
        "wagtail_localize.views.edit_translation:user_can_edit_instance",
        "6d426a812f5bc34e",
        "the one rights check of the translation views, called as a module global (see PERMISSION_CALLERS), "
        "arguments (user, instance), True when the user may edit",
    ),
    Upstream(
        "wagtail.permission_policies.pages:PagePermissionPolicy.get_all_permissions_for_user",
        "55c3c75f0ffba870",
        "every page right of a user (testers, per-page checks, explorable roots) comes from this queryset of "
        "GroupPagePermission with their page; empty for superusers",
    ),
    Upstream(
        "wagtail_localize.models:Translation.save_target",
        "ff1efb12c5dd8d75",
        "every publish of a translation by a user goes through it (sync, translation editor, submitting); "
        "arguments (user, publish)",
    ),
    Upstream(
        "wagtail.admin.views.bulk_action.base_bulk_action:BulkAction.form_valid",
        "64b2c0bd1ced8322",
        "runs the before_bulk_action hooks with the objects about to be changed, before changing them, and "
        "answers with the response a hook returns",
    ),
    # Served at wagtail-localize's addresses by cms.localize.views:
    Upstream(
        "wagtail_localize.views.update_translations:UpdateTranslationsView.form_valid",
        "f9869aa095e0b9ca",
        "the sync publishes every enabled translation with Translation.save_target(user=..., publish=True) and "
        "machine-translates each one with apply_machine_translation; the view takes translation_source_id",
    ),
    Upstream(
        "wagtail_localize.views.convert:convert_to_alias",
        "7791c3f4a6cea6d1",
        "checks only the right to edit the page (Page with alias_of_id null, from page_id) before putting the "
        "source's content, and its live status, in its place",
    ),
    Upstream(
        "wagtail_localize.views.submit_translations:SubmitTranslationView.get_form",
        "e5f934f73c8c4b95",
        "builds the SubmitTranslationForm whose 'locales' field offers the target languages",
    ),
    Upstream(
        "wagtail_localize.views.submit_translations:SubmitTranslationView.post",
        "9fbf6c9dd1c39b9f",
        "validates the form from get_form() and hands it to form_valid",
    ),
    Upstream(
        "wagtail_localize.views.submit_translations:SubmitTranslationView.form_valid",
        "1cced661c2b94d27",
        "translates the object (and, for a page, its subtree) into the form's cleaned 'locales'; nothing but the "
        "submit_translation permission (in dispatch) is checked",
    ),
    Upstream(
        "wagtail_localize.views.submit_translations:SubmitTranslationForm.__init__",
        "65054ee11457da81",
        "the 'locales' field is a ModelMultipleChoiceField of Locale, the languages not translated into yet",
    ),
)
ATTRIBUTES = (
    "wagtail.snippets.views.snippets:SnippetViewSet.get_urlpatterns",
    "wagtail_localize.views.update_translations:UpdateTranslationsView",
    "wagtail_localize.views.submit_translations:SubmitPageTranslationView",
    "wagtail_localize.views.submit_translations:SubmitSnippetTranslationView",
)

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

# Django translates language names through the catalogues (get_language_info()["name_translated"]); its own have
# no Latgalian.
gettext_noop("Latgalian")

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


# --- What a user may do -----------------------------------------------------------------------------------------


def _permission_name(action, model):
    return f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"


def _in_allowed_language(user, instance):
    return not isinstance(instance, TranslatableMixin) or user_can_edit_locale(user, instance.locale_id)


def user_can_edit(user, instance):
    """Whether ``user`` may change ``instance`` (a page or a snippet), in its language."""
    if not _in_allowed_language(user, instance):
        return False
    if isinstance(instance, Page):
        return instance.permissions_for_user(user).can_edit()
    return user.has_perm(_permission_name("change", type(instance)))


def user_can_publish(user, instance):
    """Whether ``user`` may publish ``instance`` (and, once live, unpublish it), in its language."""
    if not _in_allowed_language(user, instance):
        return False
    if isinstance(instance, Page):
        return instance.permissions_for_user(user).can_publish()
    action = "publish" if isinstance(instance, DraftStateMixin) else "change"
    return user.has_perm(_permission_name(action, type(instance)))


def user_can_translate_into(user, instance, locale):
    """Whether ``user`` may create the translation of ``instance`` into ``locale`` (submit it for translation)."""
    if not user_can_edit_locale(user, locale.pk):
        return False
    if isinstance(instance, Page):
        return _user_can_place_page_translation(user, instance, locale)
    return user.has_perm(_permission_name("add", type(instance)))


def _user_can_place_page_translation(user, page, locale):
    # wagtail-localize turns an alias in that language into the translation, or creates the translation under the
    # nearest ancestor that has one in that language (copying the ancestors missing in between).
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.permissions_for_user(user).can_edit()
    for ancestor in list(page.get_ancestors())[::-1]:
        if ancestor.is_root():
            return ancestor.permissions_for_user(user).can_add_subpage()
        translated = ancestor.get_translation_or_none(locale)
        if translated is not None:
            return translated.permissions_for_user(user).can_add_subpage()
    return False


def _user_can_publish_translation(user, translation):
    try:
        target = translation.get_target_instance()
    except ObjectDoesNotExist:
        # Created by this save: where it goes was checked when it was submitted; the language is checked here.
        return user_can_edit_locale(user, translation.target_locale_id)
    return user_can_publish(user, target)


# --- Saying no ----------------------------------------------------------------------------------------------------


def language_name(locale):
    """The language's name in the admin's language (“angļu”), to go into sentences."""
    try:
        return str(get_language_info(locale.language_code)["name_translated"])
    except KeyError:
        return locale.get_display_name() or locale.language_code


def language_names(locales):
    return ", ".join(sorted(language_name(locale) for locale in locales))


def refusal_message(user, locale_ids):
    """Why ``user`` may not change content in the languages ``locale_ids``."""
    allowed = allowed_locale_ids(user) or ()
    return gettext("You may only change content in %(languages)s; this is in %(language)s.") % {
        "languages": language_names(Locale.objects.filter(pk__in=allowed)),
        "language": language_names(Locale.objects.filter(pk__in=locale_ids)),
    }


def refuse(request, message, redirect_to):
    """The admin's answer to a refused request: the message and a redirect for a page, a 403 for scripts."""
    if not request.accepts("text/html"):
        return JsonResponse({"success": False, "error_code": "permission_denied", "error_message": message}, status=403)
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        raise PermissionDenied(message)
    messages.error(request, capfirst(message))
    return redirect(redirect_to)


# --- Snippets -----------------------------------------------------------------------------------------------------

# Actions that only read: open in every language.
READ_ACTIONS = frozenset({"view"})


class LanguagePermissionPolicy(ModelPermissionPolicy):
    """Model permissions for a translatable model, narrowed for each object to the languages the user may work in
    (reading stays open)."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not super().user_has_permission_for_instance(user, action, instance):
            return False
        return action in READ_ACTIONS or user_can_edit_locale(user, instance.locale_id)

    def instances_user_has_any_permission_for(self, user, actions):
        instances = super().instances_user_has_any_permission_for(user, actions)
        allowed = allowed_locale_ids(user)
        if allowed is None or self.user_has_any_permission(user, set(actions) & READ_ACTIONS):
            return instances
        return instances.filter(locale_id__in=allowed)


# The views of a snippet viewset that only read: open to every editor, whatever the language. (The preview of an
# object's edit form is part of editing it: its view is not among them.)
READ_ONLY_VIEWS = frozenset(
    {
        "list",
        "list_results",
        "history",
        "history_results",
        "usage",
        "inspect",
        "revisions_view",
        "revisions_compare",
        "preview_on_add",
        "workflow_history",
        "workflow_history_detail",
        "workflow_preview",
    }
)
# The views that create an object in the language of ``?locale=`` (the default language without it).
CREATE_VIEWS = frozenset({"add"})
_UNKNOWN = object()


class LanguageLimitedViewSetMixin:
    """For the viewset (a ``SnippetViewSet``) of a translatable model: a user limited to some languages is refused
    every view that names an object in another language, and the add view for another language, with a message
    saying why. Only ``read_only_views`` stay open; any other view without an object to go by (one a later Wagtail
    adds) is refused to limited users. The check runs before the view, whatever the view then does (edit, delete,
    unpublish, revert, unschedule, copy, lock, workflow actions...)."""

    read_only_views = READ_ONLY_VIEWS
    create_views = CREATE_VIEWS

    def on_register(self):
        # Before Wagtail's own registration, which creates a plain model permission policy when none is registered.
        if policy_registry.get_by_type(self.model, fallback=False) is None:
            register_permission_policy(self.model, LanguagePermissionPolicy(self.model))
        super().on_register()

    def get_urlpatterns(self):
        return [self._limit(entry) for entry in super().get_urlpatterns()]

    def _limit(self, entry):
        if isinstance(entry, URLResolver):
            return URLResolver(
                entry.pattern,
                [self._limit(child) for child in entry.url_patterns],
                entry.default_kwargs,
                entry.app_name,
                entry.namespace,
            )
        if not isinstance(entry, URLPattern) or entry.name in self.read_only_views:
            return entry
        return URLPattern(entry.pattern, self._limited(entry.callback, entry.name), entry.default_args, entry.name)

    def _limited(self, view, view_name):
        @functools.wraps(view)
        def in_allowed_languages(request, *args, **kwargs):
            allowed = allowed_locale_ids(request.user)
            if allowed is not None:
                locale_id = self.locale_of_request(request, view_name, kwargs)
                if locale_id is _UNKNOWN:
                    message = gettext("This action is not available to users limited to some languages.")
                    return refuse(request, message, self._refusal_url())
                if locale_id is not None and locale_id not in allowed:
                    return refuse(request, refusal_message(request.user, {locale_id}), self._refusal_url())
            return view(request, *args, **kwargs)

        return in_allowed_languages

    def locale_of_request(self, request, view_name, kwargs):
        """The id of the locale the request would change content in; None where the view answers by itself (no
        such object or language: its 404)."""
        if "pk" in kwargs:
            try:
                objects = self.model._default_manager.filter(pk=unquote(str(kwargs["pk"])))
                return objects.values_list("locale_id", flat=True).first()
            except (ValueError, ValidationError):
                return None
        if view_name in self.create_views:
            code = request.GET.get("locale")
            if not code:
                return Locale.get_default().pk
            return Locale.objects.filter(language_code=code).values_list("pk", flat=True).first()
        return _UNKNOWN

    def _refusal_url(self):
        # The listing only reads, so it is never refused: no redirect loop.
        try:
            return reverse(self.get_url_name("list"))
        except NoReverseMatch:
            return reverse("wagtailadmin_home")


def refuse_bulk_action(request, action_type, objects, action):
    """The ``before_bulk_action`` hook: a bulk action over objects in languages the user may not work in is refused
    as a whole (pages and snippets; page rights already leave such pages out)."""
    allowed = allowed_locale_ids(request.user)
    if allowed is None:
        return None
    others = {obj.locale_id for obj in objects if isinstance(obj, TranslatableMixin)} - allowed
    if not others:
        return None
    messages.error(request, refusal_message(request.user, others))
    return redirect(action.next_url)


def check_snippet_viewsets(app_configs=None, **kwargs):
    """Every translatable snippet is administered through a language-limited viewset and policy."""
    from wagtail.snippets.models import get_snippet_models

    errors = []
    for model in get_snippet_models():
        if not issubclass(model, TranslatableMixin):
            continue
        viewset = getattr(model, "snippet_viewset", None)
        policy = policy_registry.get_by_type(model, fallback=False)
        if not isinstance(viewset, LanguageLimitedViewSetMixin) or not isinstance(policy, LanguagePermissionPolicy):
            errors.append(
                checks.Error(
                    f"The admin views of {model._meta.label} ignore translators' language limits.",
                    hint="Register the snippet with a viewset based on cms.localize.rights."
                    "LanguageLimitedViewSetMixin (e.g. cms.wagtail_hooks.TranslatableSnippetViewSet).",
                    obj=model,
                    id="cms.E101",
                )
            )
    return errors


checks.register(check_snippet_viewsets)


# --- Publishing translations --------------------------------------------------------------------------------------

_publish_refusals = ContextVar("translation_publish_right_refusals", default=None)


@contextmanager
def collecting_publish_refusals():
    """Inside the block, publishing a translation into a language the user may not publish in leaves that
    translation as it is and appends it (the ``Translation``) to the list yielded, instead of refusing the whole
    request: a sync publishes every language at once, and the user is told which were left."""
    collected = []
    token = _publish_refusals.set(collected)
    try:
        yield collected
    finally:
        _publish_refusals.reset(token)


def install():
    from wagtail.permission_policies.pages import PagePermissionPolicy
    from wagtail_localize.models import Translation
    from wagtail_localize.views import edit_translation

    original = edit_translation.user_can_edit_instance
    if not getattr(original, "installed_by_cms", False):

        @mark
        @functools.wraps(original)
        def user_can_edit_instance(user, instance):
            if not _in_allowed_language(user, instance):
                return False
            return original(user, instance)

        edit_translation.user_can_edit_instance = user_can_edit_instance

    original_permissions = PagePermissionPolicy.get_all_permissions_for_user
    if not getattr(original_permissions, "installed_by_cms", False):

        @mark
        @functools.wraps(original_permissions)
        def get_all_permissions_for_user(self, user):
            permissions = original_permissions(self, user)
            allowed = allowed_locale_ids(user) if user.is_authenticated else None
            if allowed is None:
                return permissions
            # Rights granted on the root reach every language's tree: only those inside an allowed tree count.
            return permissions.filter(page__locale_id__in=allowed, page__depth__gt=1)

        PagePermissionPolicy.get_all_permissions_for_user = get_all_permissions_for_user

    original_save_target = Translation.save_target
    if not getattr(original_save_target, "installed_by_cms", False):

        @mark
        @functools.wraps(original_save_target)
        def save_target(self, user=None, publish=True):
            if publish and user is not None and not _user_can_publish_translation(user, self):
                collected = _publish_refusals.get()
                if collected is None:
                    raise PermissionDenied
                collected.append(self)
                return None
            return original_save_target(self, user=user, publish=publish)

        Translation.save_target = save_target
