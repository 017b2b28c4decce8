"""What the journeys need on top of the demo, run inside the server's environment (``manage.py shell``).

- Two translators, each limited to one language as the municipality sets them up (``GroupLocalePermission`` and
  page rights on that language's tree): an English one with a Latvian admin, who may publish English pages, and a
  Latgalian one whose admin is in Latgalian. The Latgalian tree starts as wagtail-localize's locale sync starts
  it: an alias of the home page, where the group's rights are given.
- A published Latvian report with no translation yet, for the translator's journey (the editor's journey makes
  its own report, so either journey runs without the other).

The demo's own report (the long one the phone journey edits) is loaded by ``load_demo_content`` before.

Prints one line, ``JOURNEYS <json>``: the accounts (fresh random passwords) and the ids the journeys start from.
"""

import datetime
import json
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Locale, Page
from wagtail.users.models import UserProfile

from cms.demo import seed_report
from cms.factories.streams import ReportBodyFactory
from cms.models import EventReportIndexPage, EventReportPage, GroupLocalePermission, Person

PAGE_RIGHTS = ("add", "change", "publish")
SNIPPETS = ("person", "organisation", "contactcard", "topic", "project")

TRANSLATION_REPORT = {
    "title": "Sociālās uzņēmējdarbības vebinārs Rēzeknes novada uzņēmējiem",
    "slug": "socialas-uznemejdarbibas-vebinars",
    "lead": "Vebinārā pašvaldības speciālisti un asociācijas pārstāvji stāstīja, kā kļūt par sociālo uzņēmumu.",
}


def translator(username, language, *, ui_language):
    locale = Locale.objects.get(language_code=language)
    group, _ = Group.objects.get_or_create(name=f"Tulkotāji ({language})")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(codename="submit_translation"),
        *Permission.objects.filter(
            content_type__app_label="cms",
            codename__in=[f"{right}_{model}" for model in SNIPPETS for right in ("add", "change", "publish")],
        ),
    )
    GroupLocalePermission.objects.get_or_create(group=group, locale=locale)
    root = language_root(locale)
    for right in PAGE_RIGHTS:
        GroupPagePermission.objects.get_or_create(
            group=group, page=root, permission=Permission.objects.get(codename=f"{right}_page")
        )
    password = secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@localhost"})
    user.set_password(password)
    user.save()
    user.groups.add(group)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = ui_language
    profile.save()
    return {"username": username, "password": password}


def language_root(locale):
    """The home page of the language's tree; for a language without one, the alias the locale sync would make."""
    home = Page.objects.get(depth=2, locale=Locale.get_default())
    existing = home.get_translation_or_none(locale)
    return existing or home.copy_for_translation(locale, alias=True)


def translation_report():
    index = EventReportIndexPage.objects.get(locale=Locale.get_default())
    page = EventReportPage.objects.child_of(index).filter(slug=TRANSLATION_REPORT["slug"]).first()
    if page:
        return page
    people = {person.name: person for person in Person.objects.filter(locale=index.locale)}
    page = EventReportPage(
        **TRANSLATION_REPORT,
        locale=index.locale,
        start_date=datetime.date(2020, 11, 25),
        event_format="online",
        body=ReportBodyFactory.stream(
            [
                ("paragraph", "<p>Vebinārs bija paredzēts uzņēmējiem, kuri vēlas risināt sabiedrības problēmas.</p>"),
                ("speaker", {"person": people["Madara Ūlande"], "role": "LSUA direktore"}),
                ("talk", {"title": "Sociālā uzņēmuma statuss", "speakers": [{"person": people["Regita Zeiļa"]}]}),
                (
                    "discussion",
                    {
                        "title": "Jautājumi un atbildes",
                        "method": "plenary",
                        "questions": [{"question": "Kā pieteikties statusam?", "outcomes": ["Iesniegumu iesniedz."]}],
                    },
                ),
            ]
        ),
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def main():
    accounts = {
        "translator_en": translator("tulkotajs-en", "en", ui_language="lv"),
        "translator_ltg": translator("tulkotajs-ltg", "ltg", ui_language="ltg"),
    }
    report = translation_report()
    demo_report = EventReportPage.objects.get(locale=Locale.get_default(), slug=seed_report.REPORT["slug"])
    objects = {
        "translation_report": {"id": report.pk, "title": report.title, "lead": report.lead},
        "demo_report": {"id": demo_report.pk, "title": demo_report.title},
    }
    print("JOURNEYS " + json.dumps({"accounts": accounts, "objects": objects}))
