"""Machine translation that fails says so and changes nothing (cms/translation.py, cms/localize/machine.py): DeepL
unreachable, over its quota, answering an error or nonsense; and a sync with machine translation goes on without
the languages the translator cannot do. DeepL is faked at the HTTP layer (requests' transport adapter)."""

import json
from urllib.parse import parse_qs

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client, RequestFactory
from django.urls import resolve, reverse
from django.utils import translation as django_translation
from wagtail.models import Locale
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.operations import translate_object
from wagtail_localize.strings import StringValue
from wagtail_localize.views import edit_translation

from cms.factories.pages import EventReportPageFactory
from cms.factories.streams import ReportBodyFactory
from cms.localize import machine

pytestmark = pytest.mark.django_db

DEEPL = {"CLASS": "cms.translation.DeepLTranslator", "OPTIONS": {"AUTH_KEY": "test-key:fx", "TIMEOUT": 7}}


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"  # the assertions read English source messages
    profile.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


class FakeDeepL:
    """Stands in for DeepL's HTTP API: records each request and answers with ``answer(request)`` (a Response, or
    an exception to raise, as requests' transport raises it)."""

    def __init__(self):
        self.requests = []
        self.answer = self.translate

    @staticmethod
    def texts(request):
        return parse_qs(request.body)["text"]

    def translate(self, request):
        target = parse_qs(request.body)["target_lang"][0]
        return self.json({"translations": [{"text": f"{target}: {text}"} for text in self.texts(request)]})

    def json(self, body, status=200):
        return self.respond(status, json.dumps(body), "application/json")

    @staticmethod
    def respond(status, body, content_type="application/json"):
        response = requests.Response()
        response.status_code = status
        response._content = body.encode()
        response.headers["Content-Type"] = content_type
        response.encoding = "utf-8"
        return response

    def send(self, adapter, request, **kwargs):
        self.requests.append(request)
        answer = self.answer(request)
        if isinstance(answer, BaseException):
            raise answer
        answer.request, answer.url = request, request.url
        return answer


@pytest.fixture
def deepl(monkeypatch, settings):
    settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR = DEEPL
    fake = FakeDeepL()
    monkeypatch.setattr(
        requests.adapters.HTTPAdapter, "send", lambda adapter, request, **kw: fake.send(adapter, request, **kw)
    )
    return fake


def live_report(**kwargs):
    page = EventReportPageFactory(**kwargs)
    page.save_revision().publish()
    return page


def translation_of(obj, locale):
    return Translation.objects.get(source__object_id=obj.translation_key, target_locale=locale)


def translated(locale):
    return dict(StringTranslation.objects.filter(locale=locale).values_list("translation_of__data", "data"))


def messages_of(response, level=None):
    return [str(m).strip() for m in response.context["messages"] if level is None or m.level == level]


def machine_translate(client, translation):
    """Presses "Translate with DeepL" in the translation editor, and follows back to the editor."""
    editor = reverse("wagtailadmin_pages:edit", args=[translation.get_target_instance().pk])
    response = client.post(
        reverse("wagtail_localize:machine_translate", args=[translation.id]), {"next": editor}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain == [(editor, 302)]
    return response


def test_the_editor_translates_with_deepl_through_its_http_api(en, admin_client, deepl):
    page = live_report(title="Sociālā uzņēmējdarbība", lead="Vairāk nekā divdesmit dalībnieku.")
    translate_object(page, [en])
    translation = translation_of(page, en)

    response = machine_translate(admin_client, translation)

    assert messages_of(response, message_levels.SUCCESS) == ["Successfully translated with DeepL."]
    [sent] = deepl.requests
    assert sent.url == "https://api-free.deepl.com/v2/translate"
    assert sent.headers["Authorization"] == "DeepL-Auth-Key test-key:fx"
    assert parse_qs(sent.body)["source_lang"] == ["LV"]
    assert translated(en)["Vairāk nekā divdesmit dalībnieku."] == "EN: Vairāk nekā divdesmit dalībnieku."


def quota(fake, request):
    return fake.json({"message": "Quota Exceeded"}, status=456)


FAILURES = {
    "unreachable": (lambda fake, r: requests.ConnectionError("Name or service not known"), "cannot be reached"),
    "timeout": (lambda fake, r: requests.ReadTimeout("read timed out"), "did not answer within 7 seconds"),
    "quota (456)": (quota, "quota is used up"),
    "key refused (403)": (lambda fake, r: fake.json({"message": "Forbidden"}, 403), "refused the access key"),
    "too many requests (429)": (lambda fake, r: fake.json({}, 429), "too many requests"),
    "server error (500)": (lambda fake, r: fake.respond(500, "<html>oops</html>", "text/html"), "error 500"),
    "unavailable (503)": (lambda fake, r: fake.respond(503, ""), "error 503"),
    "bad request (400)": (
        lambda fake, r: fake.json({"message": "Value for 'target_lang' not supported."}, 400),
        "(400)",
    ),
    "not JSON": (lambda fake, r: fake.respond(200, "<html>Captive portal</html>", "text/html"), "could not be read"),
    "wrong shape": (lambda fake, r: fake.json({"translations": [{"detected": "LV"}]}), "could not be read"),
    "too few texts": (lambda fake, r: fake.json({"translations": []}), "did not match"),
    "not a text": (lambda fake, r: fake.json({"translations": [{"text": None}] * len(fake.texts(r))}), "did not match"),
}


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
def test_a_deepl_failure_is_a_message_in_the_editor_and_nothing_changes(en, admin_client, deepl, failure):
    answer, reason = failure
    page = live_report(title="Sociālā uzņēmējdarbība", lead="Vairāk nekā divdesmit dalībnieku.")
    translate_object(page, [en])
    translation = translation_of(page, en)
    title = StringSegment.objects.get(source=translation.source, context__path="title")
    StringTranslation.objects.create(
        translation_of=title.string, locale=en, context=title.context, data="Social entrepreneurship"
    )
    deepl.answer = lambda request: answer(deepl, request)

    response = machine_translate(admin_client, translation)

    [error] = messages_of(response, message_levels.ERROR)
    assert error.startswith("Machine translation failed; nothing was translated.") and reason in error, error
    assert not messages_of(response, message_levels.SUCCESS)
    assert translated(en) == {"Sociālā uzņēmējdarbība": "Social entrepreneurship"}


def test_a_large_page_is_sent_in_batches_and_saved_only_when_every_batch_succeeded(en, admin_client, deepl):
    body = ReportBodyFactory.stream([("paragraph", f"<p>Rindkopa {n}.</p>") for n in range(70)])
    page = live_report(title="Garš pārskats", body=body)
    translate_object(page, [en])
    translation = translation_of(page, en)
    strings = StringSegment.objects.filter(source=translation.source).count()
    assert strings > 70

    second = iter(range(1000))
    deepl.answer = lambda request: quota(deepl, request) if next(second) == 1 else deepl.translate(request)
    machine_translate(admin_client, translation)
    assert len(deepl.requests) == 2 and translated(en) == {}  # the first batch's answer was not saved

    deepl.requests.clear()
    deepl.answer = deepl.translate
    machine_translate(admin_client, translation)
    assert [len(FakeDeepL.texts(request)) for request in deepl.requests] == [50, strings - 50]
    assert len(translated(en)) == strings


class BrokenTranslator:
    """A backend with a bug: what any other service's client library might raise or return."""

    display_name = "Broken"
    answer = "raise"

    def __init__(self, options):
        self.options = options

    def can_translate(self, source_locale, target_locale):
        return True

    def translate(self, source_locale, target_locale, strings):
        if self.answer == "raise":
            raise RuntimeError("unexpected answer")
        # Only the first string: the others are silently missing.
        first = next(iter(strings))
        return {first: StringValue("half")}


@pytest.mark.parametrize(("answer", "reason"), [("raise", "failed to translate"), ("half", "did not translate every")])
def test_any_backend_that_fails_gives_a_message_and_saves_nothing(
    en, admin_client, settings, monkeypatch, answer, reason
):
    settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {"CLASS": f"{__name__}.BrokenTranslator"}
    monkeypatch.setattr(BrokenTranslator, "answer", answer)
    page = live_report()
    translate_object(page, [en])

    response = machine_translate(admin_client, translation_of(page, en))

    [error] = messages_of(response, message_levels.ERROR)
    assert "Broken" in error and reason in error
    assert translated(en) == {}


def test_the_machine_translation_address_serves_the_guarded_view():
    # The admin's own decorators (admin access) wrap the view the URL was built with.
    view, chain = resolve(reverse("wagtail_localize:machine_translate", args=[1])).func, []
    while view is not None:
        chain.append(view)
        view = getattr(view, "__wrapped__", None)
    assert edit_translation.machine_translate.installed_by_cms and edit_translation.machine_translate in chain


def sync(client, page, **data):
    source = translation_of(page, Locale.objects.get(language_code="en")).source
    return client.post(
        reverse("wagtail_localize:update_translations", args=[source.id]),
        {"use_machine_translation": "on", **data},
    )


def test_a_sync_with_machine_translation_goes_on_without_latgalian_and_says_so(en, ltg, admin_client, publish, deepl):
    page = live_report(title="Forums", lead="Pirmais ievads.")
    translate_object(page, [en, ltg])
    page.lead = "Labots ievads."
    publish(page)

    with machine.collecting_skips() as skipped:
        response = sync(admin_client, page)

    assert response.status_code == 302  # was 404, and the whole sync rolled back
    source = translation_of(page, en).source
    assert StringSegment.objects.filter(source=source, string__data="Labots ievads.").exists()  # the sync happened
    assert translated(en)["Labots ievads."] == "EN: Labots ievads."
    assert translated(ltg) == {}
    assert [parse_qs(r.body)["target_lang"] for r in deepl.requests] == [["EN"]]
    assert [(skip.locale, skip.reason) for skip in skipped] == [(ltg, "DeepL does not translate into this language.")]


def test_a_sync_when_deepl_is_over_quota_goes_on_and_asks_deepl_only_once(en, ru, ltg, admin_client, publish, deepl):
    page = live_report(title="Forums", lead="Pirmais ievads.")
    translate_object(page, [en, ru, ltg])
    page.lead = "Labots ievads."
    publish(page)
    deepl.answer = lambda request: quota(deepl, request)

    with machine.collecting_skips() as skipped:
        response = sync(admin_client, page)

    assert response.status_code == 302
    assert StringSegment.objects.filter(source=translation_of(page, en).source, string__data="Labots ievads.").exists()
    assert len(deepl.requests) == 1  # the quota is the whole service's: the next language is not sent
    assert StringTranslation.objects.count() == 0
    reasons = {skip.locale.language_code: skip.reason for skip in skipped}
    assert set(reasons) == {"en", "ru", "ltg"}
    assert "quota is used up" in reasons["en"] and reasons["ru"] == reasons["en"]


def test_a_sync_where_one_language_fails_keeps_the_others(en, ru, admin_client, publish, deepl):
    page = live_report(title="Forums", lead="Pirmais ievads.")
    translate_object(page, [en, ru])
    publish(page)
    # An answer DeepL gives for one language only: the other language is still sent and saved.
    deepl.answer = lambda request: (
        deepl.json({"translations": []})
        if parse_qs(request.body)["target_lang"] == ["EN"]
        else deepl.translate(request)
    )

    with machine.collecting_skips() as skipped:
        assert sync(admin_client, page).status_code == 302

    assert translated(en) == {}
    assert translated(ru)["Pirmais ievads."] == "RU: Pirmais ievads."
    assert [(skip.locale, "did not match" in skip.reason) for skip in skipped] == [(en, True)]


def test_skips_become_one_warning_per_language(en, ltg):
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    skipped = [machine.Skip(locale=ltg, reason="DeepL does not translate into this language.")]

    machine.report_skips(request, skipped)
    with django_translation.override("lv"):
        machine.report_skips(request, skipped)

    english, latvian = [(m.level, str(m)) for m in request._messages]
    assert english == (
        message_levels.WARNING,
        f"{ltg.get_display_name()}: not machine-translated. DeepL does not translate into this language.",
    )
    with django_translation.override("lv"):
        expected = django_translation.gettext("%(language)s: not machine-translated. %(reason)s") % {
            "language": ltg.get_display_name(),
            "reason": skipped[0].reason,
        }
    assert latvian == (message_levels.WARNING, expected)
