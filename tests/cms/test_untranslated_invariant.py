"""The invariant of translation: no public page or snippet in a target language shows a source-language string
that no translator has given, unless it is flagged as a fallback.

Hypothesis drives random sequences of what editors and translators do — submit, edit the source and publish it,
synchronise (with and without "Publish immediately"), translate some or all strings, publish a translation, convert
a translation back to an alias, translate an alias, unpublish, bulk-publish a draft — across the Latvian source
and the English, Latgalian and Russian targets. Every source string carries a token ``LV-<n>``, every translation
replaces it with ``TR-<n>``. After each step the oracle reads everything public: the API (page listing and detail
per language, contact cards) and the HTML site. A target-language page or card that shows a ``LV-`` token must be
flagged as a fallback (``meta.fallback`` for pages, ``fallback`` for cards shown in Latvian; the HTML shows a notice
and names the canonical source). ``CMS_HYPOTHESIS_EXAMPLES`` sets how many sequences run.
"""

import contextlib
import itertools
import os
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.operations import translate_object

from api.cache import local_responses
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory
from cms.models import ContactCard

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("CMS_HYPOTHESIS_EXAMPLES", "8"))
TOKEN = re.compile(r"LV-\d+")
TARGETS = ("en", "ltg", "ru")


class Rollback(Exception):
    pass


class World:
    def __init__(self, admin):
        self.admin = admin
        self.counter = itertools.count(1)
        self.index = EventReportIndexPageFactory(title=self.text("Pasākumi"), slug="pasakumi-inv")
        self.index.save_revision().publish()
        self.report = EventReportPageFactory(
            parent=self.index,
            title=self.text("Forums"),
            slug="forums-inv",
            lead=self.text("Ievads"),
            body=[],
            contacts=[],
            follow_ups=[],
            resources=[],
        )
        self.report.save_revision().publish()
        # A name is the same in every language (synchronised, not translated): no token.
        self.card = ContactCardFactory(name="Anna Ozola", position=self.text("Vadītāja"), unit=self.text("Nodaļa"))
        self.card.save_revision().publish()
        self.log = []

    def text(self, word):
        return f"{word} LV-{next(self.counter)}"

    def sources(self):
        return {"report": self.report, "index": self.index, "card": self.card}

    def fresh(self, name):
        obj = self.sources()[name]
        return type(obj).objects.get(pk=obj.pk)


def locale(code):
    return Locale.objects.get(language_code=code)


def translation(world, name, code):
    obj = world.sources()[name]
    return Translation.objects.filter(source__object_id=obj.translation_key, target_locale__language_code=code).first()


def target(world, name, code):
    obj = world.sources()[name]
    model = Page if name != "card" else ContactCard
    found = model.objects.filter(translation_key=obj.translation_key, locale__language_code=code).first()
    return found.specific if isinstance(found, Page) else found


# --- operations --------------------------------------------------------------------------------------------
def submit(world, name, code):
    if translation(world, name, code) is None:
        translate_object(world.sources()[name], [locale(code)])


def edit_source(world, name, code):
    obj = world.fresh(name)
    if name == "report":
        obj.lead = world.text("Labots ievads")
    elif name == "card":
        obj.position = world.text("Jauns amats")
    else:
        obj.title = world.text("Visi pasākumi")
    obj.save_revision().publish()


def sync(world, name, code, publish):
    obj = world.sources()[name]
    source = TranslationSource.objects.filter(object_id=obj.translation_key, locale=obj.locale).first()
    if source is None:
        return
    data = {"publish_translations": "on"} if publish else {}
    response = world.admin.post(reverse("wagtail_localize:update_translations", args=[source.pk]), data)
    assert response.status_code in (200, 302), response.status_code


def sync_and_publish(world, name, code):
    sync(world, name, code, True)


def sync_only(world, name, code):
    sync(world, name, code, False)


def translate_strings(world, name, code, every=True):
    submit(world, name, code)
    found = translation(world, name, code)
    segments = StringSegment.objects.filter(source=found.source).select_related("string", "context").order_by("order")
    for number, segment in enumerate(segments):
        if every or number % 2 == 0:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=found.target_locale,
                context=segment.context,
                defaults={"data": segment.string.data.replace("LV-", "TR-")},
            )


def translate_all(world, name, code):
    translate_strings(world, name, code, every=True)


def translate_some(world, name, code):
    translate_strings(world, name, code, every=False)


def publish_translation(world, name, code):
    found = translation(world, name, code)
    if found is not None:
        with contextlib.suppress(ValidationError):
            found.save_target(user=world.admin.user, publish=True)


def publish_in_editor(world, name, code):
    """The translation editor's Publish button, over HTTP."""
    found, obj = translation(world, name, code), target(world, name, code)
    if found is None or obj is None or not found.enabled:
        return
    if isinstance(obj, Page):
        url = reverse("wagtailadmin_pages:edit", args=[obj.pk])
    else:
        url = reverse(f"wagtailsnippets_cms_{type(obj)._meta.model_name}:edit", args=[obj.pk])
    response = world.admin.post(url, {"action": "publish"})
    assert response.status_code in (200, 302), response.status_code


def bulk_publish(world, name, code):
    """Wagtail's own publishing of the latest revision (bulk actions, workflows, schedules)."""
    obj = target(world, name, code)
    if obj is not None and obj.latest_revision_id:
        with contextlib.suppress(ValidationError):
            obj.get_latest_revision().publish(user=world.admin.user)


def convert_to_alias(world, name, code):
    obj = target(world, name, code)
    if isinstance(obj, Page) and obj.alias_of_id is None and translation(world, name, code) is not None:
        response = world.admin.post(reverse("wagtail_localize:convert_to_alias", args=[obj.pk]))
        assert response.status_code in (200, 302, 404), response.status_code


def unpublish(world, name, code):
    obj = target(world, name, code)
    if obj is not None and obj.live and not (isinstance(obj, Page) and obj.depth <= 2):
        obj.unpublish() if isinstance(obj, Page) else obj.unpublish(user=world.admin.user)


OPERATIONS = [
    submit,
    edit_source,
    sync_and_publish,
    sync_only,
    translate_all,
    translate_some,
    publish_translation,
    publish_in_editor,
    bulk_publish,
    convert_to_alias,
    unpublish,
]


# --- the oracle --------------------------------------------------------------------------------------------
def unflagged(value):
    """What a response shows as its own language's content: without whatever it flags as a fallback (a page, a
    parent, a snippet, a link target in another language) and without the list of its translations (each entry
    labelled with its language)."""
    if isinstance(value, dict):
        if value.get("fallback") is True or (value.get("meta") or {}).get("fallback") is True:
            return None
        return {key: unflagged(item) for key, item in value.items() if key not in ("translations", "alias_of")}
    if isinstance(value, list):
        return [unflagged(item) for item in value]
    return value


def check_public_content(api, where):
    for code in TARGETS:
        listing = api.get(f"/api/v2/pages/?locale={code}&limit=50")
        assert listing.status_code == 200, where
        for item in listing.json()["items"]:
            detail = api.get(f"/api/v2/pages/{item['id']}/")
            assert detail.status_code == 200, where
            data = detail.json()
            meta = data["meta"]
            if meta["fallback"]:
                assert meta["alias_of"] is not None, where
                assert meta["translation_status"] == "fallback", where
                assert all(t["id"] != data["id"] for t in meta["translations"]), where
            else:
                shown = str(unflagged(data))
                assert not TOKEN.search(shown), f"{where}: /api/v2/pages/{item['id']}/ shows {shown}"
            html_url = meta["html_url"]
            if html_url:
                page = Client(HTTP_HOST="localhost").get(urlsplit(html_url).path)
                if page.status_code == 200:
                    html = page.content.decode()
                    if TOKEN.search(html):
                        assert meta["fallback"], f"{where}: {html_url}"
                        assert 'rel="canonical"' in html and 'class="notice"' in html, f"{where}: {html_url}"
        cards = api.get(f"/api/v2/contacts/?locale={code}")
        assert cards.status_code == 200, where
        for card in cards.json()["items"]:
            if card["locale"] == code:
                assert card["fallback"] is False, where
                assert not TOKEN.search(str(card)), f"{where}: contact {card['id']}"
            else:
                assert card["fallback"] is True, where


@pytest.fixture
def admin(db):
    user = get_user_model().objects.create_superuser("inv-admin", "inv@example.org", "pw")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.user = user
    return client


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.sampled_from(["report", "index", "card"]), st.sampled_from(TARGETS)),
        min_size=1,
        max_size=15,
    )
)
def test_no_untranslated_source_string_is_ever_public(steps, ru, admin, django_capture_on_commit_callbacks):
    for cache in caches.all():
        cache.clear()
    local_responses.clear()
    api = Client(HTTP_HOST="localhost")
    try:
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                world = World(admin)
            for number, (operation, name, code) in enumerate(steps, 1):
                with django_capture_on_commit_callbacks(execute=True):
                    operation(world, name, code)
                done = ", ".join(f"{op.__name__}({n}, {c})" for op, n, c in steps[:number])
                check_public_content(api, f"after step {number}: {done}")
            raise Rollback
    except Rollback:
        pass


def test_the_oracle_sees_untranslated_text(ru, admin, django_capture_on_commit_callbacks):
    """The oracle can fail: a Latgalian copy with the Latvian text put live past every guard is caught."""
    with django_capture_on_commit_callbacks(execute=True):
        world = World(admin)
        submit(world, "report", "ltg")
    Page.objects.filter(pk=target(world, "report", "ltg").pk).update(live=True)
    for cache in caches.all():
        cache.clear()
    local_responses.clear()
    with pytest.raises(AssertionError):
        check_public_content(Client(HTTP_HOST="localhost"), "forced")
