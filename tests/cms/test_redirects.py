"""No redirect leads to its own address (cms/redirects.py): not the ones Wagtail makes on a slug change or a move,
not the ones of the redirects form or its import, not one saved from code; one left over is not served."""

import dataclasses
import importlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from django.urls import reverse
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.operations import translate_object

from cms import redirects
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.localize import guard

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"  # the assertions read English source messages
    profile.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


@pytest.fixture
def visitor():
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a block's on-commit work (Wagtail makes redirects for slug changes on commit) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def path_of(page):
    """The page's address on the CMS, as a visitor asks for it (the front-end uses the same paths)."""
    page = Page.objects.get(pk=page.pk).specific
    return page.get_url_parts()[2]


def looping():
    """Every stored redirect that leads to its own address."""
    return [(r.old_path, r.link) for r in Redirect.objects.all() if redirects.leading_to_themselves([r])]


def publish(page, committed, **changes):
    with committed():
        for name, value in changes.items():
            setattr(page, name, value)
        page.save_revision().publish()


def live_report(committed, **kwargs):
    page = EventReportPageFactory(**kwargs)
    publish(page, committed)
    return page


def translate_everything(translation, text):
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=translation.target_locale,
            context=segment.context,
            defaults={"data": text(segment)},
        )


def english_text(segment):
    if segment.context.path == "slug":
        return {"forums": "forum"}.get(segment.string.data, segment.string.data)
    return f"EN {segment.string.data}"


def unpublish(client, page):
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[page.id]))
    assert response.status_code == 302
    assert not Page.objects.get(pk=page.pk).live


def test_a_draft_slug_change_of_a_live_translation_then_unpublishing_does_not_loop(admin_client, visitor, committed):
    en = Locale.objects.get(language_code="en")
    index = EventReportIndexPageFactory()
    publish(index, committed)
    page = live_report(committed, parent=index, slug="forums")
    with committed():
        for obj in (index, page):
            translate_object(obj, [en])
        for obj in (index, page):
            translation = Translation.objects.get(source__object_id=obj.translation_key, target_locale=en)
            translate_everything(translation, english_text)
            translation.save_target(publish=True)
    english = page.get_translation(en).specific
    address = path_of(english)
    assert english.live and address == "/en/pasakumi/forum/"
    assert visitor.get(address).status_code == 200

    # The translator changes the slug in the translation editor; the draft is saved (sync, resubmission).
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=en)
    slug = StringSegment.objects.get(source=translation.source, context__path="slug")
    response = admin_client.put(
        reverse("wagtail_localize:edit_string_translation", args=[translation.id, slug.id]),
        "value=forum-2025",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    with committed():
        translation.save_target(publish=False)
    english.refresh_from_db()
    assert english.slug == "forum" and english.get_latest_revision_as_object().slug == "forum-2025"
    assert path_of(english) == address  # the public address did not change

    with committed():
        unpublish(admin_client, english)

    answer = visitor.get(address)
    assert answer.status_code == 404, answer.get("Location")
    assert not Redirect.objects.filter(old_path=address.rstrip("/")).exists()
    assert looping() == []


def test_going_back_to_an_earlier_slug_deletes_the_redirect_that_would_now_loop(admin_client, visitor, committed):
    page = live_report(committed, slug="forums")
    first = path_of(page)
    publish(page, committed, slug="forums-2025")
    assert Redirect.objects.filter(old_path=first.rstrip("/"), redirect_page=page).exists()  # Wagtail's redirect

    publish(page, committed, slug="forums")
    assert path_of(page) == first
    assert looping() == []
    # The redirect from the second address stays: it leads somewhere else.
    assert Redirect.objects.filter(old_path="/pasakumi/forums-2025", redirect_page=page).exists()

    with committed():
        unpublish(admin_client, page)
    assert visitor.get(first).status_code == 404
    second = visitor.get("/pasakumi/forums-2025/")
    assert second.status_code == 301 and second["Location"].endswith("/pasakumi/forums/")


def test_moving_a_section_away_and_back_leaves_no_redirect_of_it_or_below_it_looping(admin_client, visitor, committed):
    index = EventReportIndexPageFactory()
    publish(index, committed)
    page = live_report(committed, parent=index, slug="forums")
    site_root = index.get_parent()
    other = site_root.add_child(instance=Page(title="Arhīvs", slug="arhivs"))
    publish(other, committed)
    before = path_of(page)

    def move(section, destination):
        with committed():
            response = admin_client.post(reverse("wagtailadmin_pages:move_confirm", args=[section.id, destination.id]))
        assert response.status_code == 302

    move(index, other)
    assert path_of(page) == "/arhivs/pasakumi/forums/"
    assert Redirect.objects.filter(old_path=before.rstrip("/"), redirect_page=page).exists()

    move(index, site_root)
    assert path_of(page) == before
    assert looping() == []

    with committed():
        unpublish(admin_client, page)
    assert visitor.get(before).status_code == 404


def test_the_redirects_form_refuses_a_redirect_to_its_own_address(admin_client, committed):
    page = live_report(committed, slug="forums")
    address = path_of(page)

    response = admin_client.post(
        reverse("wagtailredirects:add"),
        {"old_path": address, "site": "", "is_permanent": "on", "redirect_page": page.pk, "redirect_link": ""},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "redirect_page" in errors and "its own address" in errors["redirect_page"][0]

    # The page's public address (the front-end's) is the same address.
    response = admin_client.post(
        reverse("wagtailredirects:add"),
        {"old_path": address, "site": "", "is_permanent": "on", "redirect_link": page.url},
    )
    assert response.status_code == 200 and "redirect_link" in response.context["form"].errors
    assert not Redirect.objects.exists()

    # Editing a good redirect into a looping one is refused too; a good one is saved.
    response = admin_client.post(
        reverse("wagtailredirects:add"),
        {"old_path": "/vecais-forums/", "site": "", "is_permanent": "on", "redirect_page": page.pk},
    )
    assert response.status_code == 302
    redirect = Redirect.objects.get()
    response = admin_client.post(
        reverse("wagtailredirects:edit", args=[redirect.pk]),
        {"old_path": address, "site": "", "is_permanent": "on", "redirect_page": page.pk},
    )
    assert response.status_code == 200 and "redirect_page" in response.context["form"].errors
    redirect.refresh_from_db()
    assert redirect.old_path == "/vecais-forums"


def test_an_import_names_the_rows_that_would_loop_and_imports_the_others(admin_client):
    csv = "from,to\n/forums/,http://localhost/forums/\n/vecs/,http://localhost/jauns/\n/cits/,http://localhost/cits/?x=1\n"
    upload = io.BytesIO(csv.encode())
    upload.name = "redirects.csv"
    confirm = admin_client.post(reverse("wagtailredirects:start_import"), {"import_file": upload})
    assert confirm.status_code == 200
    initial = confirm.context["form"].initial
    response = admin_client.post(
        reverse("wagtailredirects:process_import"),
        {
            "import_file_name": initial["import_file_name"],
            "input_format": initial["input_format"],
            "from_index": "0",
            "to_index": "1",
            "permanent": "on",
        },
    )
    assert response.status_code == 200
    summary = response.context["import_summary"]
    assert [row[0] for row in summary["errors"]] == ["/forums/", "/cits/"]
    assert all("its own address" in row[2] for row in summary["errors"]), summary["errors"]
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/vecs"]


def test_code_cannot_save_a_redirect_to_its_own_address(committed):
    page = live_report(committed, slug="forums")
    with pytest.raises(ValidationError, match="its own address"):
        Redirect.add_redirect(path_of(page), redirect_to=page)
    with pytest.raises(ValidationError, match="its own address"):
        Redirect.add_redirect("/kaut-kas", redirect_to="http://localhost/kaut-kas/")
    assert not Redirect.objects.exists()
    # A redirect to another address, and to a route of the page, are fine.
    Redirect.add_redirect("/cits", redirect_to=page)
    assert Redirect.objects.count() == 1


def test_a_redirect_made_by_hand_that_now_leads_to_its_own_address_is_kept_but_not_followed(
    admin_client, visitor, committed
):
    page = live_report(committed, slug="forums")
    Redirect.add_redirect("/pasakumi/forums-2025", redirect_to=page)
    publish(page, committed, slug="forums-2025")  # the page moves onto the editor's redirect

    handmade = Redirect.objects.get(old_path="/pasakumi/forums-2025")
    assert handmade.automatically_created is False  # an editor's redirect is not deleted behind their back
    with committed():
        unpublish(admin_client, page)
    assert visitor.get("/pasakumi/forums-2025/").status_code == 404
    # Wagtail's redirect from the old address still works.
    response = visitor.get("/pasakumi/forums/")
    assert response.status_code == 301 and response["Location"].endswith("/pasakumi/forums-2025/")


@pytest.mark.parametrize(
    ("old_path", "link", "loops"),
    [
        ("/a", "/a/", True),
        ("/a", "http://localhost/a", True),
        ("/a", "http://127.0.0.1:3000/a/", True),  # the front-end, where pages' URLs point
        ("/a", "https://elsewhere.example/a/", False),
        ("/a", "/a?x=1", True),  # looked up again without the query string
        ("/a?x=1", "/a", False),
        ("/a", "/b", False),
        ("/a", "", False),
    ],
)
def test_what_leads_to_itself(old_path, link, loops):
    assert redirects.leads_to_itself(old_path, link, redirects.site_hosts()) is loops


@pytest.mark.parametrize("patch", redirects.UPSTREAM, ids=lambda patch: patch.path.rpartition(":")[2])
def test_a_changed_upstream_function_is_refused_naming_it(monkeypatch, patch):
    module_name, _, qualname = patch.path.partition(":")
    owner_path, _, name = qualname.rpartition(".")
    owner = guard.resolve(f"{module_name}:{owner_path}") if owner_path else importlib.import_module(module_name)

    def changed(*args, **kwargs):
        return None

    current = getattr(owner, name)
    if getattr(current, "installed_by_cms", False):
        monkeypatch.setattr(current, "__wrapped__", changed)
    else:
        monkeypatch.setattr(owner, name, changed)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        redirects.connect()
    assert f"{patch.path} changed: fingerprint {guard.fingerprint(changed)}" in str(excinfo.value)
    assert patch.relies_on in str(excinfo.value)


def test_the_verified_upstream_is_installed_once(monkeypatch):
    assert redirects.upstream_problems() == []
    redirects.connect()
    from wagtail.contrib.redirects import forms, middleware, signal_handlers

    for wrapper in (
        signal_handlers.BatchRedirectCreator.pre_process,
        forms.RedirectForm.clean,
        middleware.get_redirect,
    ):
        assert wrapper.installed_by_cms and not getattr(wrapper.__wrapped__, "installed_by_cms", False)
    first, *rest = redirects.UPSTREAM
    monkeypatch.setattr(redirects, "UPSTREAM", (dataclasses.replace(first, fingerprint="0" * 16), *rest))
    with pytest.raises(ImproperlyConfigured, match="BatchRedirectCreator.pre_process changed"):
        redirects.connect()
