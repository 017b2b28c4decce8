"""The change log: one event per edit, in the edit's transaction, naming everything the edit affects."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Collection, CollectionViewRestriction, Locale, Page, PageViewRestriction, Site

from cms import changes
from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import (
    ContactCardFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    TopicFactory,
)
from cms.models import ChangeEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced(django_capture_on_commit_callbacks):
    """Events announced after commit, in order; ``with announced.commit():`` runs the on-commit work."""

    class Announced(list):
        def commit(self):
            return django_capture_on_commit_callbacks(execute=True)

    seen = Announced()

    def listener(sender, event, **kwargs):
        seen.append(event)

    changes.change_committed.connect(listener, dispatch_uid="test-announced")
    yield seen
    changes.change_committed.disconnect(dispatch_uid="test-announced")


def make_report(**kwargs):
    """A report under the one events index (created on first use)."""
    if "parent" not in kwargs:
        index = Page.objects.filter(slug="pasakumi", depth=3).first()
        kwargs["parent"] = index.specific if index else EventReportIndexPageFactory()
    return EventReportPageFactory(**kwargs)


def last(kind=None):
    events = ChangeEvent.objects.order_by("-id")
    if kind:
        events = events.filter(kind=kind)
    return events.first()


def pages_of(event):
    return set(event.affected["pages"])


def test_publishing_a_person_names_every_page_showing_them_in_any_language(publish, announced):
    organisation = OrganisationFactory()
    person = PersonFactory(organisation=organisation)
    report = make_report(body__0__speaker__person=person)
    other = make_report()
    with announced.commit():
        person.save_revision().publish()
    event = announced[-1]
    assert (event.kind, event.object_type, event.object_id, event.public) == (
        "snippet.published",
        "cms.person",
        str(person.pk),
        True,
    )
    assert report.pk in pages_of(event) and other.pk not in pages_of(event)
    assert f"person-{person.pk}" in event.affected["tags"] and "people" in event.affected["tags"]
    assert report.url_path and any(url.endswith("/") for url in event.affected["urls"])

    # Through a person: an organisation reaches the report two levels up.
    publish(organisation)
    assert report.pk in pages_of(last("snippet.published"))
    assert f"cms.person:{person.pk}" in last("snippet.published").affected["snippets"]


def test_an_image_reaches_pages_through_a_persons_photo_and_an_organisations_logo():
    image = ImageFactory()
    organisation = OrganisationFactory(logo=image)
    person = PersonFactory(organisation=organisation)
    report = make_report(body__0__speaker__person=person)
    image.title = "Jauns"
    image.save()
    event = last("image.saved")
    assert report.pk in pages_of(event)
    assert {f"cms.organisation:{organisation.pk}", f"cms.person:{person.pk}"} <= set(event.affected["snippets"])


def test_a_topic_reaches_the_reports_filed_under_it(publish):
    topic = TopicFactory()
    report = make_report()
    report.topics.add(topic)
    report.save()
    publish(topic)
    assert report.pk in pages_of(last("snippet.published"))


def test_a_project_reaches_the_reports_that_belong_to_it(publish, announced):
    logo = ImageFactory()
    series = ProjectFactory(kind="series", logo=logo)
    report = make_report()
    report.projects.create(project=series, position=3, locale=report.locale)
    report.save()
    other = make_report()
    with announced.commit():
        series.save_revision().publish()
    event = announced[-1]
    assert (event.kind, event.object_type, event.object_id, event.public) == (
        "snippet.published",
        "cms.project",
        str(series.pk),
        True,
    )
    assert report.pk in pages_of(event) and other.pk not in pages_of(event)
    assert {f"project-{series.pk}", "projects", "pages"} <= set(event.affected["tags"])
    assert report.url_path and any(url.endswith(f"/{report.slug}/") for url in event.affected["urls"])

    # Its logo reaches the report through it.
    logo.title = "Jauns logo"
    logo.save()
    assert report.pk in pages_of(last("image.saved"))
    assert f"cms.project:{series.pk}" in last("image.saved").affected["snippets"]

    with announced.commit():
        series.unpublish()
    assert (announced[-1].kind, announced[-1].public) == ("snippet.unpublished", False)
    assert report.pk in pages_of(announced[-1]) and "projects" in announced[-1].affected["tags"]

    gone = ProjectFactory()
    gone_pk = gone.pk
    linked = make_report()
    linked.projects.create(project=gone, locale=linked.locale)
    linked.save()
    with announced.commit():
        gone.delete()
    assert (announced[-1].kind, announced[-1].object_type) == ("snippet.deleted", "cms.project")
    assert linked.pk in pages_of(announced[-1]) and f"project-{gone_pk}" in announced[-1].affected["tags"]


def test_an_organisation_reaches_the_reports_it_authored_or_organised(publish):
    author = OrganisationFactory()
    organiser = OrganisationFactory()
    authored = make_report(author_name="Anna Bērziņa", author_organisation=author)
    organised = make_report()
    organised.organisers.create(organisation=organiser, part="organiser", locale=organised.locale)
    organised.save()
    publish(author)
    assert authored.pk in pages_of(last("snippet.published"))
    assert organised.pk not in pages_of(last("snippet.published"))
    assert "organisations" in last("snippet.published").affected["tags"]
    publish(organiser)
    assert organised.pk in pages_of(last("snippet.published"))
    assert authored.pk not in pages_of(last("snippet.published"))
    author.unpublish()
    assert authored.pk in pages_of(last("snippet.unpublished"))


def test_a_page_publish_names_translations_children_aliases_and_linking_pages(publish):
    index = EventReportIndexPageFactory()
    report = make_report(parent=index)
    linking = make_report(parent=index, body__0__paragraph=f'<p><a linktype="page" id="{index.pk}">saite</a></p>')
    alias = index.create_alias(parent=Site.objects.get(is_default_site=True).root_page, update_slug="kopija")
    publish(index)
    event = ChangeEvent.objects.filter(kind="page.published", object_id=str(index.pk)).last()
    assert {index.pk, report.pk, linking.pk, alias.pk} <= pages_of(event)
    assert event.url_path == index.url_path


def test_a_slug_change_names_the_subtree_and_purges_the_old_urls(publish):
    index = EventReportIndexPageFactory(slug="pasakumi")
    report = make_report(parent=index, slug="forums")
    publish(index)
    index.slug = "notikumi"
    publish(index)
    event = last("page.published")
    assert report.pk in pages_of(event)
    urls = event.affected["urls"]
    assert any(url.endswith("/pasakumi/forums/") for url in urls)
    assert any(url.endswith("/notikumi/forums/") for url in urls)


def test_unpublish_delete_and_move_are_recorded(announced):
    index = EventReportIndexPageFactory()
    target = EventReportIndexPageFactory(slug="arhivs")
    report = make_report(parent=index, slug="forums")
    with announced.commit():
        report.unpublish()
    assert (announced[-1].kind, announced[-1].public) == ("page.unpublished", False)
    assert any(url.endswith("/forums/") for url in announced[-1].affected["urls"])  # the URL it leaves

    moved = make_report(parent=index, slug="seminars")
    with announced.commit():
        moved.move(target, pos="last-child")
    event = announced[-1]
    assert event.kind == "page.moved" and moved.pk in pages_of(event)
    assert any("/arhivs/seminars/" in url for url in event.affected["urls"])
    assert any(url.endswith(f"/{index.slug}/seminars/") for url in event.affected["urls"])

    linking = make_report(parent=index, body__0__paragraph=f'<p><a linktype="page" id="{moved.pk}">saite</a></p>')
    with announced.commit():
        Page.objects.get(pk=moved.pk).delete()
    # One tombstone (Wagtail also unpublishes a page it deletes: whichever comes first is recorded).
    (event,) = [event for event in announced if event.object_id == str(moved.pk) and event.kind != "page.moved"]
    assert event.kind in ("page.deleted", "page.unpublished") and not event.public
    assert linking.pk in pages_of(event)


def test_privacy_added_and_removed_names_the_subtree_and_its_urls(announced):
    index = EventReportIndexPageFactory(slug="iekseji")
    report = make_report(parent=index, slug="sanaksme")
    with announced.commit():
        restriction = PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    event = announced[-1]
    assert event.kind == "page.privacy" and not event.public
    assert report.pk in pages_of(event) and event.affected["public_pages"] == []
    # The URLs that were public until now, to purge them.
    assert any(url.endswith("/iekseji/sanaksme/") for url in event.affected["urls"])
    with announced.commit():
        restriction.delete()
    assert announced[-1].public and report.pk in announced[-1].affected["public_pages"]


def test_collection_privacy_and_moves_name_the_media_and_their_pages(announced):
    collection = Collection.get_first_root_node().add_child(name="Iekšēji")
    document = DocumentFactory(collection=collection)
    image = ImageFactory(collection=collection)
    report = make_report(hero_image=image)
    card_page = make_report(body__0__document__document=document)
    with announced.commit():
        CollectionViewRestriction.objects.create(collection=collection, restriction_type="login")
    event = announced[-1]
    assert event.kind == "collection.privacy"
    assert {report.pk, card_page.pk} <= pages_of(event)
    assert {f"image-{image.pk}", f"document-{document.pk}"} <= set(event.affected["tags"])

    image.collection = Collection.get_first_root_node()
    image.save()
    assert report.pk in pages_of(last("image.saved"))


def test_snippet_unpublish_and_delete_are_tombstones(announced):
    card = ContactCardFactory()
    report = make_report(contacts__0__contact=card)
    with announced.commit():
        card.unpublish()
    assert (announced[-1].kind, announced[-1].public) == ("snippet.unpublished", False)
    assert report.pk in pages_of(announced[-1])
    person = PersonFactory()
    shown = make_report(body__0__speaker__person=person)
    with announced.commit():
        person.delete()
    assert (announced[-1].kind, announced[-1].public) == ("snippet.deleted", False)
    assert shown.pk in pages_of(announced[-1])


def test_site_and_locale_changes_affect_everything(announced):
    with announced.commit():
        site = Site.objects.get(is_default_site=True)
        site.hostname = "cms.example.lv"
        site.save()
    assert announced[-1].kind == "site.changed" and announced[-1].affected["everything"]
    with announced.commit():
        Locale.objects.create(language_code="ru")
    assert announced[-1].affected["everything"]


def test_scheduled_publishing_and_expiry_are_recorded(announced):
    report = make_report(live=False)
    revision = report.save_revision(approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1))
    assert revision.approved_go_live_at
    with announced.commit():
        call_command("publish_scheduled", stdout=io.StringIO())
    assert [event.kind for event in announced if event.object_id == str(report.pk)] == ["page.published"]

    report.refresh_from_db()
    report.expire_at = timezone.now() - datetime.timedelta(minutes=1)
    report.save()
    with announced.commit():
        call_command("publish_scheduled", stdout=io.StringIO())
    assert announced[-1].kind == "page.unpublished" and announced[-1].object_id == str(report.pk)


def test_a_rolled_back_edit_leaves_no_event_and_announces_nothing(announced):
    person = PersonFactory()
    before = ChangeEvent.objects.count()
    with announced.commit():
        try:
            with transaction.atomic():
                person.save_revision().publish()
                assert ChangeEvent.objects.count() == before + 1  # written inside the transaction
                raise RuntimeError("the edit fails after the publish")
        except RuntimeError:
            pass
    assert ChangeEvent.objects.count() == before
    assert announced == []


def test_drafts_are_not_news():
    EventReportIndexPageFactory()
    person = PersonFactory(live=False)
    before = ChangeEvent.objects.count()
    person.save_revision()
    draft = make_report(live=False)
    draft.save_revision()
    assert ChangeEvent.objects.count() == before


def test_private_before_and_after_is_not_news(publish):
    index = EventReportIndexPageFactory()
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    report = make_report(parent=index)
    publish(report)  # recorded once: nothing was known of it yet
    count = ChangeEvent.objects.filter(object_id=str(report.pk)).count()
    report.title = "Vēl joprojām privāts"
    publish(report)
    assert ChangeEvent.objects.filter(object_id=str(report.pk)).count() == count


@pytest.mark.parametrize("reports", [3, 12])
def test_the_affected_set_takes_a_constant_number_of_queries(reports, monkeypatch):
    organisation = OrganisationFactory()
    person = PersonFactory(organisation=organisation, photo=ImageFactory())
    for _ in range(reports):
        make_report(body__0__speaker__person=person)
    for target in (person, organisation, person.photo):
        builder = changes.AffectedSet()
        (builder.media if target is person.photo else builder.snippet)(target)
        # Site roots come from the cache (a Redis round trip in production): once per event, not per page.
        lookups, roots = [], Site.get_site_root_paths

        def counted(lookups=lookups, roots=roots):
            lookups.append(1)
            return roots()

        monkeypatch.setattr(Site, "get_site_root_paths", counted)
        with CaptureQueriesContext(connection) as queries:
            affected = builder.compute()
        monkeypatch.undo()
        assert len(affected.pages) == reports
        # Snippet translations, three reference levels (each also checks many-to-many), restrictions, URLs.
        assert len(queries) <= 10, [query["sql"] for query in queries]
        assert len(lookups) == 1


def test_old_events_are_pruned_but_each_objects_latest_is_kept(publish):
    person = PersonFactory()
    publish(person)
    publish(person)
    other = PersonFactory()
    publish(other)
    ChangeEvent.objects.exclude(object_type="cms.person").delete()
    ChangeEvent.objects.update(created_at=timezone.now() - datetime.timedelta(days=90))
    out = io.StringIO()
    call_command("prune_change_events", stdout=out)
    left = list(ChangeEvent.objects.values_list("object_type", "object_id", "kind"))
    assert sorted(left) == sorted(
        {("cms.person", str(person.pk), "snippet.published"), ("cms.person", str(other.pk), "snippet.published")}
    )
    assert "Deleted" in out.getvalue()


def test_the_default_task_backend_must_run_tasks_at_once(settings):
    assert changes.check_reference_index_is_immediate() == []
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    errors = changes.check_reference_index_is_immediate()
    assert [error.id for error in errors] == ["cms.E001"]


def test_a_translation_published_through_wagtail_localize_is_recorded(announced):
    from wagtail_localize.models import Translation
    from wagtail_localize.operations import translate_object

    from tests.cms.test_localisation import translate_everything

    english = Locale.objects.get(language_code="en")
    source = make_report(title="Miniforums")
    translate_object(source, [english])
    translation = Translation.objects.get(source__object_id=source.translation_key, target_locale=english)
    translate_everything(translation)
    with announced.commit():
        translation.save_target(publish=True)
    target = source.get_translation(english)
    event = next(event for event in announced if event.object_id == str(target.pk) and event.kind == "page.published")
    assert event.locale == "en" and event.public
    assert source.pk in pages_of(event)  # meta.translations of the source now lists it
    # Synchronising the source changes every translation's translation_status.
    with announced.commit():
        translation.source.update_from_db()
    assert announced[-1].kind == "translation.synced" and {source.pk, target.pk} <= pages_of(announced[-1])


def test_an_alias_made_live_is_recorded(announced):
    index = EventReportIndexPageFactory()
    with announced.commit():
        alias = index.create_alias(parent=Site.objects.get(is_default_site=True).root_page, update_slug="kopija")
    event = next(event for event in announced if event.object_id == str(alias.pk))
    assert (event.kind, event.public) == ("page.published", True)


def test_privacy_through_the_admin_commits_with_its_event(db, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model
    from django.test import Client

    index = EventReportIndexPageFactory(slug="admina")
    report = make_report(parent=index)
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/pages/{index.pk}/privacy/", {"restriction_type": "login"})
    assert response.status_code == 200, response.content[:300]
    event = last("page.privacy")
    assert event is not None and report.pk in pages_of(event)


def test_deleting_what_was_never_public_is_not_news():
    before = ChangeEvent.objects.order_by("id").values_list("id", flat=True).last() or 0
    PersonFactory(live=False).delete()
    index = EventReportIndexPageFactory(live=False)
    Page.objects.get(pk=index.pk).delete()
    collection = Collection.get_first_root_node().add_child(name="Slēgts")
    CollectionViewRestriction.objects.create(collection=collection, restriction_type="login")
    image = ImageFactory(collection=collection)  # made private: not news either
    image_id = image.pk
    image.delete()
    assert not ChangeEvent.objects.filter(object_type="wagtailimages.image", object_id=str(image_id)).exists()
    assert not ChangeEvent.objects.filter(id__gt=before, kind__in=["snippet.deleted", "page.deleted"]).exists()
