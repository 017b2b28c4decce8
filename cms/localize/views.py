"""wagtail-localize's views that check too little, each served at wagtail-localize's own address (registered before
it in ``cms.wagtail_hooks``):

- "Sync translations": only for those who may edit the source; "Publish immediately" publishes only into the
  languages the user may publish in, and says which languages were left unpublished and why;
- "Convert to alias page": it replaces the translation, live, by the source-language content, so it needs the right
  to publish (and unpublish) the page;
- "Translate" (submitting for translation): only into the languages the user may create the translation in.

The wagtail-localize code these rely on is declared, with the other rights wrappers, in
``cms.localize.rights.UPSTREAM``.
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.models import Locale, Page
from wagtail_localize.models import TranslationSource
from wagtail_localize.views import convert, edit_translation, submit_translations
from wagtail_localize.views.update_translations import UpdateTranslationsView

from cms.models.permissions import user_can_edit_locale

from . import drafts, machine, rights


def update_translations(request, translation_source_id):
    """wagtail-localize's "Sync translations", for the users who may edit the source."""
    source = get_object_or_404(TranslationSource, id=translation_source_id)
    try:
        instance = source.get_source_instance()
    except ObjectDoesNotExist as error:
        raise Http404 from error
    if not rights.user_can_edit(request.user, instance):
        message = gettext("Only those who may edit the source, in %(language)s, may sync its translations.") % {
            "language": rights.language_name(source.locale)
        }
        return rights.refuse(request, message, get_valid_next_url_from_request(request) or "wagtailadmin_home")

    if request.method == "POST" and request.POST.get("use_machine_translation"):
        # Machine translation in a sync writes into every language of the sync at once.
        out_of_reach = [
            translation.target_locale
            for translation in source.translations.filter(enabled=True).select_related("target_locale")
            if not _user_can_edit_target(request.user, translation)
        ]
        if out_of_reach:
            message = gettext(
                "Machine translation in a sync fills in every language of the sync, and you may not change content "
                "in %(languages)s. Sync without machine translation, or use machine translation in the translation "
                "editor of your language."
            ) % {"languages": rights.language_names(out_of_reach)}
            return rights.refuse(request, message, request.get_full_path())

    with (
        drafts.collecting_refusals() as untranslated,
        rights.collecting_publish_refusals() as not_allowed,
        machine.collecting_skips() as skipped,
    ):
        response = UpdateTranslationsView.as_view()(request, translation_source_id=translation_source_id)
    machine.report_skips(request, skipped)
    for translation in not_allowed:
        messages.warning(
            request,
            gettext("%(language)s: you may not publish in this language; the translation was left as it was.")
            % {"language": capfirst(rights.language_name(translation.target_locale))},
        )
    for refusal in untranslated:
        messages.warning(
            request,
            ngettext(
                "%(language)s: %(count)d string is not translated yet; the translation was not published.",
                "%(language)s: %(count)d strings are not translated yet; the translation was not published.",
                refusal.untranslated,
            )
            % {"language": capfirst(rights.language_name(refusal.locale)), "count": refusal.untranslated},
        )
    return response


def _user_can_edit_target(user, translation):
    try:
        target = translation.get_target_instance()
    except ObjectDoesNotExist:
        return user_can_edit_locale(user, translation.target_locale_id)
    # The check machine translation itself makes (with the language limits, see cms.localize.rights).
    return edit_translation.user_can_edit_instance(user, target)


def convert_to_alias(request, page_id):
    """wagtail-localize's "Convert to alias page", for the users who may publish and unpublish the page."""
    page = get_object_or_404(Page, id=page_id, alias_of_id__isnull=True)
    permissions = page.permissions_for_user(request.user)
    allowed = (
        rights.user_can_edit(request.user, page)
        and permissions.can_publish()
        and (not page.live or permissions.can_unpublish())
    )
    if not allowed:
        message = gettext(
            "Converting this page into an alias replaces its %(language)s content with the source's and publishes "
            "it: only those who may publish and unpublish this page may do it."
        ) % {"language": rights.language_name(page.locale)}
        back = reverse("wagtailadmin_pages:edit", args=[page.id]) if permissions.can_edit() else "wagtailadmin_home"
        return rights.refuse(request, message, back)
    return convert.convert_to_alias(request, page_id)


class LanguageLimitedSubmissionMixin:
    """Offers, and accepts, only the target languages the user may create the translation in."""

    def user_may_translate_into(self, locale):
        return rights.user_can_translate_into(self.request.user, self.object, locale)

    def get_form(self):
        form = super().get_form()
        field = form.fields["locales"]
        field.queryset = field.queryset.filter(
            pk__in=[locale.pk for locale in field.queryset if self.user_may_translate_into(locale)]
        )
        return form

    def post(self, request, **kwargs):
        requested = Locale.objects.filter(pk__in=[pk for pk in request.POST.getlist("locales") if pk.isdigit()])
        refused = [locale for locale in requested if not self.user_may_translate_into(locale)]
        if refused:
            messages.error(
                request,
                gettext("You may not create translations in %(languages)s.")
                % {"languages": rights.language_names(refused)},
            )
            return redirect(request.get_full_path())
        return super().post(request, **kwargs)


class SubmitPageTranslationView(LanguageLimitedSubmissionMixin, submit_translations.SubmitPageTranslationView):
    """wagtail-localize's "Translate this page", into the languages the user may add the page in."""


class SubmitSnippetTranslationView(LanguageLimitedSubmissionMixin, submit_translations.SubmitSnippetTranslationView):
    """wagtail-localize's "Translate" for snippets, into the languages the user may add the snippet in."""
