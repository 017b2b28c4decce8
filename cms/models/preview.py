"""Headless preview: an editor's draft shown in the real front-end, through a token that expires.

Preview in the admin (side panel or new tab) calls the object's ``serve_preview``, which hands off here: the
object as it stands in the editor is kept as a ``PreviewSnapshot``, and the editor gets the front-end's preview
route (``CMS_FRONTEND_PREVIEW_URL``) with ``content_type`` and ``token`` in its query. The front-end exchanges
them at the API (``/api/v2/page_preview/``, ``/api/v2/snippet_preview/``) for JSON of the live API's shape.

A token is signed with the site's ``SECRET_KEY`` (Django's signing, salted for this purpose only) and names
one snapshot together with its object, revision, locale and purpose; it is checked with an expiry on every
read (``CMS_PREVIEW_TOKEN_MAX_AGE`` seconds, 30 minutes by default). Every way a token can be wrong ends in
``PreviewError`` with a 4xx status and never in the live object instead. Only a user who may edit the object
(and its language) can mint one. Both the API and the admin side use this module: it sits in ``cms`` so that
neither has to import the other; with the models, because the models' ``serve_preview`` hands off here.
"""

import datetime
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import DraftStateMixin, Page, RevisionMixin

from ..frontend import frontend_base_url, frontend_path
from .permissions import user_can_edit_locale

PURPOSE = "preview"
# A salt of its own: no other signed value of this site (sessions, password resets) can pass as a token.
SALT = "cms.preview.token.v1"
DEFAULT_MAX_AGE = 30 * 60


class PreviewError(Exception):
    """A token that cannot be honoured; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status):
        super().__init__(message)
        self.message = message
        self.status = status


def max_age():
    return int(getattr(settings, "CMS_PREVIEW_TOKEN_MAX_AGE", DEFAULT_MAX_AGE))


def content_type_of(obj_or_model):
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return model._meta.label_lower


def previewable_models():
    """The models the front-end can preview: those with ``FrontendPreviewMixin`` (the report pages, and the
    snippets the public sees on their own: people, organisations, contact cards)."""
    return {content_type_of(model): model for model in apps.get_models() if issubclass(model, FrontendPreviewMixin)}


# --- minting -------------------------------------------------------------------------------------------
def check_can_preview(obj, user):
    """Only those who may edit the object (in its language) may mint a token for it."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    locale_id = getattr(obj, "locale_id", None)
    if locale_id is not None and not user_can_edit_locale(user, locale_id):
        raise PermissionDenied
    if isinstance(obj, Page):
        if obj.pk is not None:
            allowed = obj.permissions_for_user(user).can_edit()
        else:
            parent = obj.get_parent()
            allowed = parent is not None and parent.permissions_for_user(user).can_add_subpage()
    else:
        policy = type(obj).snippet_viewset.permission_policy
        if obj.pk is not None:
            allowed = policy.user_has_permission_for_instance(user, "change", obj)
        else:
            allowed = policy.user_has_permission(user, "add")
    if not allowed:
        raise PermissionDenied


def mint(obj, user, now=None):
    """Keep ``obj`` as it stands (its unsaved edits included) and return ``(token, expires_at)``."""
    check_can_preview(obj, user)
    now = now or timezone.now()
    expires_at = now + datetime.timedelta(seconds=max_age())
    # Snapshots are only worth keeping as long as a token can name them.
    PreviewSnapshot.objects.filter(expires_at__lt=now).delete()
    locale = obj.locale.language_code if getattr(obj, "locale_id", None) else settings.LANGUAGE_CODE
    snapshot = PreviewSnapshot.objects.create(
        created_at=now,
        expires_at=expires_at,
        content_type=content_type_of(obj),
        object_id="" if obj.pk is None else str(obj.pk),
        revision_id=getattr(obj, "latest_revision_id", None),
        locale=locale,
        content=obj.serializable_data(),
        created_by=user,
    )
    claims = {
        "s": snapshot.pk,
        "t": snapshot.content_type,
        "o": snapshot.object_id,
        "r": snapshot.revision_id,
        "l": snapshot.locale,
        "p": PURPOSE,
    }
    return signing.dumps(claims, salt=SALT, compress=True), expires_at


def frontend_preview_url(obj, token):
    """The front-end's preview route for ``obj``'s language, with ``content_type`` and ``token``.

    ``CMS_FRONTEND_PREVIEW_URL`` is a URL that may contain ``{locale}``, or a mapping of language codes to URLs
    (``"*"`` for the others); unset, ``<CMS_FRONTEND_BASE_URL>/preview``.
    """
    locale = obj.locale.language_code if getattr(obj, "locale_id", None) else settings.LANGUAGE_CODE
    default = frontend_base_url() + "/preview"
    configured = getattr(settings, "CMS_FRONTEND_PREVIEW_URL", None) or default
    if isinstance(configured, dict):
        configured = configured.get(locale) or configured.get("*") or default
    base = configured.replace("{locale}", locale)
    query = urlencode({"content_type": content_type_of(obj), "token": token})
    return f"{base}{'&' if '?' in base else '?'}{query}"


# --- reading -------------------------------------------------------------------------------------------
def read(token, content_type, kind, purpose=PURPOSE):
    """The object a token shows, rebuilt from its snapshot. ``kind`` is ``"page"`` or ``"snippet"``: the API
    endpoint asking. Raises ``PreviewError``."""
    if not token or not content_type:
        raise PreviewError("content_type and token are required", 400)
    model = previewable_models().get(content_type)
    if model is None or (kind == "page") != issubclass(model, Page):
        raise PreviewError(f"content_type cannot be previewed here: {content_type}", 400)
    try:
        claims = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise PreviewError("the preview token has expired", 410) from None
    except (signing.BadSignature, ValueError, TypeError):
        # Tampered, truncated or not a token at all (a bad payload that still decodes ends here too).
        raise PreviewError("the preview token is not valid", 403) from None
    if not isinstance(claims, dict) or claims.get("p") != purpose:
        raise PreviewError("the preview token is not valid", 403)
    if claims.get("t") != content_type:
        raise PreviewError("the preview token is for another content_type", 400)
    snapshot = PreviewSnapshot.objects.filter(
        pk=claims.get("s"),
        content_type=content_type,
        object_id=claims.get("o"),
        revision_id=claims.get("r"),
        locale=claims.get("l"),
    ).first()
    if snapshot is None or snapshot.expires_at < timezone.now():
        raise PreviewError("the preview has expired", 410)
    return rebuild(snapshot, model)


def rebuild(snapshot, model=None):
    """The object as the snapshot holds it; its stored row is never touched."""
    model = model or apps.get_model(snapshot.content_type)
    if not snapshot.object_id:
        return model.from_serializable_data(snapshot.content)
    base = model.objects.filter(pk=snapshot.object_id).first()
    if base is None:
        raise PreviewError("the previewed object no longer exists", 404)
    if isinstance(base, RevisionMixin):
        obj = base.with_content_json(snapshot.content)
    else:
        obj = model.from_serializable_data(snapshot.content)
    return obj


def is_draft(obj):
    return isinstance(obj, DraftStateMixin) and (not obj.live or obj.has_unpublished_changes)


def latest_versions(objects):
    """Each snippet as its latest revision has it (the draft an editor is working on), else as stored:
    what a preview shows of the snippets a previewed page refers to. One query for all the revisions."""
    from wagtail.models import Revision

    wanted = {obj.latest_revision_id for obj in objects if is_draft(obj) and getattr(obj, "latest_revision_id", None)}
    revisions = Revision.objects.in_bulk(wanted)
    result = {}
    for obj in objects:
        revision = revisions.get(obj.latest_revision_id) if obj.latest_revision_id in wanted else None
        result[obj.pk] = obj.with_content_json(revision.content) if revision is not None else obj
    return result


# --- the admin's side ----------------------------------------------------------------------------------
def hand_off(obj, request):
    """What the admin's preview frame (and its new tab) shows: the front-end's preview of ``obj`` framed
    under a bar with the link to share. Wagtail calls this with the editor's request user and the object as
    it stands in the form."""
    from django.template.response import TemplateResponse
    from django.utils.cache import patch_cache_control

    token, expires_at = mint(obj, getattr(request, "user", None))
    url = frontend_preview_url(obj, token)
    response = TemplateResponse(
        request,
        "cms/preview_hand_off.html",
        {"object": obj, "preview_url": url, "expires_at": expires_at, "lifetime_minutes": max_age() // 60},
    )
    add_private_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


def add_private_headers(response):
    """What every preview response carries: never stored, never indexed, the token never sent onwards."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- the models ----------------------------------------------------------------------------------------
class PreviewSnapshot(models.Model):
    """What an editor was looking at when they asked for a preview: the object's content as it stood in the
    editor (saved or not), kept for the lifetime of the preview token that names it (``cms.models.preview``).

    A token is only a signed pointer to one snapshot; the snapshot never changes, so a link shared with a
    colleague shows exactly what its author saw, until it expires.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    # ``app_label.model`` of the specific model, in lower case.
    content_type = models.CharField(_("content type"), max_length=100)
    # Empty for an object that is being created and has no id yet.
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    revision_id = models.BigIntegerField(_("revision"), null=True, blank=True)
    locale = models.CharField(_("locale"), max_length=16)
    content = models.JSONField(_("content"), encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("preview")
        verbose_name_plural = _("previews")

    def __str__(self):
        return f"{self.content_type}:{self.object_id or 'new'} ({self.locale})"


class FrontendPreviewMixin:
    """Preview in the real front-end: the admin's preview (side panel and new tab) shows the front-end's
    preview route in a frame, with a link that an editor can share while the token lasts (``cms.models.preview``).
    Put it before ``Page`` (or ``PreviewableMixin``) in a model's bases."""

    def serve_preview(self, request, mode_name):
        return hand_off(self, request)


class FrontendPageMixin(FrontendPreviewMixin):
    """A page whose URL is its front-end address, so that "View live" and every link Wagtail builds to it lead
    to the public site rather than to the CMS (which has no public pages of its own)."""

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts is None:
            return None
        path = frontend_path(self)
        return parts if path is None else (parts[0], frontend_base_url(), path)

    def get_url(self, request=None, current_site=None):
        # Always absolute: Wagtail shortens URLs on the request's own site, and the front-end is another site.
        parts = self.get_url_parts(request=request)
        if parts is None or parts[2] is None:
            return None
        return (parts[1] or "") + parts[2]

    url = property(get_url)

    def relative_url(self, current_site, request=None):
        return self.get_url(request=request, current_site=current_site)

    def get_context(self, request, *args, **kwargs):
        from cms.fallbacks import is_fallback

        context = super().get_context(request, *args, **kwargs)
        # A page mirroring its source in another language says so, as the API does (meta.fallback).
        context["fallback_source"] = self.alias_of.specific if is_fallback(self) else None
        return context
