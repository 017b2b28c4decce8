"""What the demo loader names in Latvian beyond its own content: the page tree's root, the home page and
Wagtail's default workflow."""

import pytest
from django.core.management import call_command
from wagtail.models import Page, Revision, Site, Task, Workflow

from cms.demo import loader

pytestmark = pytest.mark.django_db


@pytest.fixture
def load_demo(django_capture_on_commit_callbacks):
    def load():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("load_demo_content")

    return load


def home():
    return Site.objects.get(is_default_site=True).root_page


def test_wagtails_english_defaults_are_there_before_loading():
    # What the loader renames is what Wagtail's migrations create; if Wagtail changes them, the loader must too.
    assert Page.get_first_root_node().title == loader.WAGTAIL_ROOT_TITLE
    assert home().title == loader.WAGTAIL_HOME_TITLE
    assert list(Workflow.objects.values_list("name", flat=True)) == [loader.WAGTAIL_WORKFLOW_NAME]
    assert list(Task.objects.values_list("name", flat=True)) == [loader.WAGTAIL_WORKFLOW_NAME]


def test_the_page_tree_the_home_page_and_the_workflow_are_latvian(load_demo):
    load_demo()
    assert Page.get_first_root_node().title == "Sakne"
    page = home()
    assert (page.title, page.draft_title) == ("Sākumlapa", "Sākumlapa")
    assert page.live and not page.has_unpublished_changes
    assert Site.objects.get(is_default_site=True).site_name == "Rēzeknes novads"
    # The English page tree's root is an alias of the Latvian home page: it follows.
    aliases = Page.objects.filter(alias_of=page)
    assert aliases.exists()
    assert {alias.title for alias in aliases} == {"Sākumlapa"}
    workflow = Workflow.objects.get()
    assert workflow.name == "Moderatoru apstiprināšana"
    assert [task.name for task in workflow.tasks] == ["Moderatoru apstiprināšana"]
    assert not Workflow.objects.filter(name=loader.WAGTAIL_WORKFLOW_NAME).exists()
    assert not Task.objects.filter(name=loader.WAGTAIL_WORKFLOW_NAME).exists()


def test_loading_again_renames_nothing_again(load_demo):
    load_demo()
    revisions = Revision.page_revisions.filter(object_id=str(home().pk)).count()
    load_demo()
    assert Revision.page_revisions.filter(object_id=str(home().pk)).count() == revisions
    assert home().title == "Sākumlapa"
    assert Workflow.objects.get().name == "Moderatoru apstiprināšana"


def test_names_an_editor_chose_are_kept(load_demo):
    Page.objects.filter(depth=1).update(title="Visas vietnes", draft_title="Visas vietnes")
    page = home()
    page.title = "Rēzeknes novada pašvaldība"
    page.save_revision().publish()
    Workflow.objects.update(name="Komunikācijas nodaļas apstiprinājums")
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Novads"
    site.save()

    load_demo()

    assert Page.get_first_root_node().title == "Visas vietnes"
    assert home().title == "Rēzeknes novada pašvaldība"
    assert Workflow.objects.get().name == "Komunikācijas nodaļas apstiprinājums"
    assert Site.objects.get(is_default_site=True).site_name == "Novads"
    # The task still had Wagtail's name: it is renamed on its own.
    assert Task.objects.get().name == "Moderatoru apstiprināšana"
