"""The "Pasākumu pārskati" menu entry: every event report in one listing, in the Latvian admin."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from wagtail.models import GroupPagePermission, Locale, Page
from wagtail.users.models import UserProfile

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory

pytestmark = pytest.mark.django_db

LISTING = "/admin/event_reports/"


def latvian_client(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "lv"
    profile.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("redaktore", "redaktore@example.org", "pw")


def menu(client):
    """The sidebar's menu items as the admin sends them to its menu (label, url, icon), in order."""
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    props = json.loads(re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S).group(1))
    items = []

    def walk(node):
        if isinstance(node, dict):
            if str(node.get("_type", "")).endswith("MenuItem"):
                args = node["_args"][0]
                items.append((args["name"], args["label"], args.get("url"), args["icon_name"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(props)
    return items


def rows(client, query=""):
    """The listing's rows, each as the text of its cells."""
    response = client.get(LISTING + query)
    assert response.status_code == 200
    body = listing_table(response.content.decode())
    body = body[body.index("<tbody") : body.index("</tbody>")]
    return [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def listing_table(html):
    start = html.index('<table class="listing')
    return html[start : html.index("</table>", start)]


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_menu_leads_to_event_reports_right_under_pages(superuser):
    items = menu(latvian_client(superuser))
    names = [name for name, *_ in items]
    entry = items[names.index("event-reports")]
    assert entry[1:] == ("Pasākumu pārskati", LISTING, "calendar")
    # Under the page tree, above the event content (people, organisations...): Wagtail's own "Reports" is apart.
    assert names.index("explorer") < names.index("event-reports") < names.index("reports")


def test_the_listing_has_every_report_with_its_dates_status_and_language(superuser, publish):
    index = EventReportIndexPageFactory()
    exact = EventReportPageFactory(parent=index, title="Miniforums", start_date=datetime.date(2020, 10, 28))
    publish(exact)
    EventReportPageFactory(
        parent=index,
        title="Seminārs maijā",
        date_precision="month",
        start_date=datetime.date(2021, 5, 1),
        end_date=datetime.date(2021, 6, 1),
        live=False,
    )
    english = exact.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english.title = "Mini-forum"
    english.save_revision()

    client = latvian_client(superuser)
    html = client.get(LISTING).content.decode()
    table = listing_table(html)
    head = table[table.index("<thead") : table.index("</thead>")]
    headers = [text(cell).split(" ")[0] for cell in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    assert headers == ["", "Virsraksts", "Laiks", "Statuss", "Valoda", "Atjaunināta"]
    listed = {cells[1].split(" ")[0]: cells for cells in rows(client)}
    assert set(listed) == {"Miniforums", "Seminārs", "Mini-forum"}
    # Only as exactly as the report knows the dates: a month is a month, not its first day.
    assert "28.10.2020" in listed["Miniforums"][2]
    assert "2021" in listed["Seminārs"][2] and "01.05.2021" not in listed["Seminārs"][2]
    assert "publicēts" in listed["Miniforums"][3].lower() and "melnraksts" in listed["Seminārs"][3].lower()
    assert listed["Miniforums"][4] == "Latviešu" and listed["Mini-forum"][4] == "English"
    # The language is a column, not repeated beside the title.
    assert "Latviešu" not in listed["Miniforums"][1]
    # Each title opens the report's editor.
    assert reverse("wagtailadmin_pages:edit", args=[exact.pk]) in html


def test_the_listing_filters_by_language_and_sorts_by_date(superuser):
    index = EventReportIndexPageFactory()
    EventReportPageFactory(parent=index, title="Vēlāk", start_date=datetime.date(2022, 3, 15))
    first = EventReportPageFactory(parent=index, title="Agrāk", start_date=datetime.date(2020, 10, 28))
    first.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    client = latvian_client(superuser)

    assert [cells[1].split(" ")[0] for cells in rows(client, "?ordering=start_date&locale=lv")] == ["Agrāk", "Vēlāk"]
    assert [cells[1].split(" ")[0] for cells in rows(client, "?ordering=-start_date&locale=lv")] == ["Vēlāk", "Agrāk"]
    assert [cells[4] for cells in rows(client, "?locale=en")] == ["English"]


def test_index_pages_are_not_listed(superuser):
    index = EventReportIndexPageFactory()
    EventReportPageFactory(parent=index, title="Pārskats")
    # The title cell also holds the page's actions (Labot, Skatīt publicēto...).
    titles = [cells[1].split(" ")[0] for cells in rows(latvian_client(superuser))]
    assert titles == ["Pārskats"]
    assert Page.objects.filter(title="Pasākumi").exists()


def test_a_new_report_starts_from_the_listing(superuser):
    index = EventReportIndexPageFactory()
    client = latvian_client(superuser)
    html = client.get(LISTING).content.decode()
    choose_parent = reverse("event_reports:choose_parent")
    assert choose_parent in html
    # With one index page to put it under, Wagtail goes straight to the new report's form.
    response = client.get(choose_parent)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk])


def test_without_page_rights_there_is_no_entry_and_no_listing():
    # An admin user of the images only: may enter the admin, has no rights on any page.
    user = get_user_model().objects.create_user("foto", "foto@example.org", "pw")
    group = Group.objects.create(name="Fotogrāfi")
    group.permissions.add(Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="add_image"))
    user.groups.add(group)
    client = latvian_client(user)
    assert "event-reports" not in [name for name, *_ in menu(client)]
    assert client.get(LISTING).status_code in (302, 403)


def test_an_editor_of_one_branch_finds_the_reports_there(superuser):
    editor = get_user_model().objects.create_user("redaktors", "redaktors@example.org", "pw")
    group = Group.objects.create(name="Pasākumu redaktori")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    index = EventReportIndexPageFactory()
    EventReportPageFactory(parent=index, title="Viņa")
    GroupPagePermission.objects.create(
        group=group, page=index, permission=Permission.objects.get(codename="change_page")
    )
    editor.groups.add(group)
    client = latvian_client(editor)
    assert "event-reports" in [name for name, *_ in menu(client)]
    assert [cells[1].split(" ")[0] for cells in rows(client)] == ["Viņa"]
