"""The archive scenario (``bench.inprocess archive``): listings, filters and search as the archive grows.

The archive grows in steps to ``sizes`` event reports in all (the benchmark content's reports included): at each
size every request below is asked for, cache-busted, ``REPEAT`` times after one warm-up; wall time (which holds
the database server's work on PostgreSQL), this process's CPU time, and the SQL queries of one more request.

Reports are created in bulk, but as a publish would leave them: a valid tree (treebeard paths, depth and
``numchild``, checked with ``Page.find_problems()`` at each size), a revision per page set as its latest and
live revision, ``first_published_at``/``last_published_at``, Wagtail's reference index
(``ReferenceIndex.create_or_update_for_object``) and the search index (each search backend's ``add_bulk``). What
they are not given: a change event each (``cms.changes``) and Wagtail's audit log entries; neither is read by
the requests measured. The page rows are inserted with ``bulk_create`` on ``Page`` with computed paths, the
report rows with ``save_base(raw=True)`` (Django's way of saving one table of a multi-table model, as fixtures
are loaded: signal handlers that index or log skip raw saves, which is why both indexes are written here), the
inline rows and revisions with ``bulk_create``. One report in ``VALIDATE_EVERY`` is put through ``full_clean()``
first.

The reports live under an index page of their own. Values vary as real ones do: start dates over years (about a
fifth still to come), at day, month or year precision or unknown; kinds and formats in realistic shares;
speakers from a pool of people; organisers, projects and topics from pools; Latvian titles, leads and a 10-block
body (``cms.factories.streams``, as ``bench/content.py`` builds bodies) whose words the searches find. The value
each filter is asked for is given to enough reports that every filter fills its first page of 20 at every size,
so that sizes are compared like for like. Before the figures are taken at a size, each filter's first page must
hold only reports that match it (from what was generated, or the database's own dates) and be full: a bulk
creation that missed what a filter reads fails loudly. On PostgreSQL the database is vacuumed and analysed
(``VACUUM ANALYZE``) after each growth, as autovacuum would soon do, so that plans are made with statistics of
the size measured and index-only scans find the visibility map set.
"""

import datetime
import random
import statistics
import time
import uuid
from pathlib import Path

from . import paths

SIZES = (100, 1000, 10000)
REPEAT = 5
BATCH = 500
PAGE_SIZE = 20
VALIDATE_EVERY = 100
SEARCH_WORD = "jauniešu"
# The API's own limit on offset (api.endpoints.base.MAX_OFFSET), used when the module does not say.
DEFAULT_MAX_OFFSET = 10_000
_NAMESPACE = uuid.UUID("7726c926-e300-4191-a000-00000000a4c1")

KINDS = (
    ("seminar", 28),
    ("forum", 16),
    ("workshop", 14),
    ("meeting", 12),
    ("public_discussion", 9),
    ("conference", 8),
    ("debate", 5),
    ("congress", 2),
    ("other", 4),
    ("not_stated", 2),
)
KIND_WORDS = {
    "seminar": "Seminārs",
    "forum": "Forums",
    "workshop": "Darbnīca",
    "meeting": "Tikšanās",
    "public_discussion": "Publiskā apspriešana",
    "conference": "Konference",
    "debate": "Debates",
    "congress": "Kongress",
    "other": "Pasākums",
    "not_stated": "Pasākums",
}
FORMATS = (("on_site", 45), ("online", 30), ("hybrid", 20), ("not_stated", 5))
# (title phrase, lead phrase): the first one is what SEARCH_WORD finds (an eighth of the reports).
THEMES = (
    ("par jauniešu nodarbinātību", "jauniešu nodarbinātības iespējas un prakses vietas"),
    ("par sociālo uzņēmējdarbību", "sociālo uzņēmumu pieredzi un atbalsta programmas"),
    ("par lauku attīstību", "lauku saimniecību nākotni un vietējo produktu tirdzniecību"),
    ("par kopienu iniciatīvām", "kopienu iniciatīvas, brīvprātīgo darbu un līdzdalību"),
    ("par digitālajām prasmēm", "digitālo prasmju apguvi senioriem un skolotājiem"),
    ("par zaļo ekonomiku", "atjaunojamo energoresursu un aprites ekonomikas risinājumus"),
    ("par kultūras mantojumu", "kultūras mantojuma saglabāšanu un tūrisma maršrutus"),
    ("par pašvaldību sadarbību", "pašvaldību sadarbību pārrobežu projektos"),
)
PLACES = ("Rēzeknē", "Daugavpilī", "Ludzā", "Krāslavā", "Balvos", "Preiļos", "Līvānos", "Viļānos", "tiešsaistē")
FIRST_NAMES = ("Anna", "Jānis", "Ilze", "Māris", "Inese", "Andris", "Līga", "Edgars", "Sanita", "Guntis")
SURNAMES = ("Bērziņa", "Kalniņš", "Ozola", "Liepiņš", "Krūmiņa", "Vanags", "Zariņa", "Eglītis", "Pētersone")
ORGANISATIONS = (
    "Rēzeknes novada pašvaldība",
    "Latgales plānošanas reģions",
    "Biedrība “Kopienu tīkls”",
    "Ludzas novada pašvaldība",
    "Latgales uzņēmējdarbības centrs",
    "Biedrība “Jauniešu forums”",
    "Krāslavas novada pašvaldība",
    "Nodibinājums “Lauku partnerība”",
)
PROJECTS = (
    ("Jaunieši darbā", "project"),
    ("Latgales sarunas", "series"),
    ("Kopienu stiprināšanas programma", "programme"),
    ("Zaļā Latgale", "project"),
)
TOPICS = (
    "Nodarbinātība",
    "Lauku attīstība",
    "Digitālās prasmes",
    "Kultūras mantojums",
    "Zaļā ekonomika",
    "Līdzdalība",
)
PEOPLE = 30
# Shares of the reports given the value each filter is asked for (the rest get others from the pools).
# About 0.4 of the 73 reports added at the smallest size is more than a page of 20 with some margin.
FREQUENT_PERSON, FREQUENT_ORGANISER, FREQUENT_PROJECT, FREQUENT_TOPIC = 0.40, 0.40, 0.40, 0.40
# Events still to come: more than a real archive holds, so that when=upcoming fills its first page at 100.
FUTURE_SHARE = 0.33
FIRST_YEAR = 2008


def weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def key(*parts):
    return uuid.uuid5(_NAMESPACE, "/".join(str(part) for part in parts))


def step_path(parent_path, step, alphabet, steplen):
    """The treebeard materialised path of a parent's ``step``-th child (base len(alphabet), ``steplen`` digits)."""
    digits = []
    while step:
        step, digit = divmod(step, len(alphabet))
        digits.append(alphabet[digit])
    encoded = "".join(reversed(digits)).rjust(steplen, alphabet[0])
    if len(encoded) > steplen:
        raise ValueError("too many children for one treebeard level")
    return parent_path + encoded


# --- pools ------------------------------------------------------------------------------------------------
class Pools:
    """The snippets the archive's reports refer to, created and published normally (there are few)."""

    def __init__(self):
        from django.db import transaction
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Locale, Page

        from cms.models import Organisation, Person, Project, Topic

        self.locale = Locale.get_default()
        images = list(get_image_model().objects.order_by("pk"))
        self.images = images[:12]
        self.documents = list(get_document_model().objects.order_by("pk")[:8])
        # Rich text links to pages of the benchmark content (the first reports).
        self.link_pages = list(Page.objects.filter(depth__gte=3).order_by("path")[:6])
        with transaction.atomic():
            self.organisations = [
                self._publish(
                    Organisation(locale=self.locale, name=name, website=f"https://arhivs-org{i}.example.org/")
                )
                for i, name in enumerate(ORGANISATIONS)
            ]
            self.people = [
                self._publish(
                    Person(
                        locale=self.locale,
                        name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {SURNAMES[(i * 7) % len(SURNAMES)]} ({i})",
                        job_title=("Projektu vadītāja", "Speciāliste", "Valdes priekšsēdētājs")[i % 3],
                        organisation=self.organisations[i % len(self.organisations)],
                        photo=images[i % len(images)] if i % 2 == 0 and images else None,
                    )
                )
                for i in range(PEOPLE)
            ]
            self.projects = [
                self._publish(Project(locale=self.locale, name=name, kind=kind)) for name, kind in PROJECTS
            ]
            self.topics = [
                self._publish(Topic(locale=self.locale, name=name, slug=f"arhivs-tema-{i}"))
                for i, name in enumerate(TOPICS)
            ]

    @staticmethod
    def _publish(obj):
        obj.save()
        obj.save_revision().publish()
        obj.refresh_from_db()
        return obj


# --- reports --------------------------------------------------------------------------------------------------
class Generated:
    """What one generated report refers to: what the filters by object should find it by."""

    __slots__ = ("pk", "people", "organisations", "projects", "topics")

    def __init__(self):
        self.pk = None
        self.people, self.organisations, self.projects, self.topics = set(), set(), set(), set()


class Archive:
    """The archive's index page and the reports under it; ``grow(total)`` adds reports until the database holds
    ``total`` event reports."""

    def __init__(self, pools):
        from wagtail.models import Site

        from cms.models import EventReportIndexPage

        self.pools = pools
        home = Site.objects.get(is_default_site=True).root_page.specific
        index = EventReportIndexPage(
            title="Pasākumu arhīvs", slug="pasakumu-arhivs", intro="Arhīvs.", locale=home.locale
        )
        home.add_child(instance=index)
        index.save_revision().publish()
        self.index = EventReportIndexPage.objects.get(pk=index.pk)
        self.generated = []
        self.today = datetime.date.today()

    # --- one report -------------------------------------------------------------------------------------
    def report(self, n):
        """An unsaved report number ``n`` (deterministic), its inline rows, and what it refers to."""
        from cms.factories.streams import ReportBodyFactory
        from cms.models import (
            EventAudienceGroup,
            EventOrganiser,
            EventProject,
            EventReportPage,
            EventSession,
        )

        pools, rng, refs = self.pools, random.Random(f"archive-{n}"), Generated()
        locale = pools.locale
        kind, event_format = weighted(rng, KINDS), weighted(rng, FORMATS)
        theme, lead_phrase = THEMES[0] if n % len(THEMES) == 0 else THEMES[1 + rng.randrange(len(THEMES) - 1)]
        place = PLACES[rng.randrange(len(PLACES))]
        precision, start, end = self.dates(rng)
        first_published = self.published_at(rng, start)
        speakers = self.speakers(rng, refs)
        organisers = [
            pools.organisations[0] if rng.random() < FREQUENT_ORGANISER else rng.choice(pools.organisations[1:])
        ]
        if rng.random() < 0.4:
            organisers.append(rng.choice([org for org in pools.organisations if org not in organisers]))
        refs.organisations.update(org.pk for org in organisers)
        author_organisation = rng.choice(pools.organisations) if rng.random() < 0.3 else None
        if author_organisation:
            refs.organisations.add(author_organisation.pk)
        draw = rng.random()
        project = (
            pools.projects[0] if draw < FREQUENT_PROJECT else rng.choice(pools.projects[1:]) if draw < 0.6 else None
        )
        topics = [pools.topics[0]] if rng.random() < FREQUENT_TOPIC else []
        topics.append(rng.choice(pools.topics[1:]))
        refs.projects.update([project.pk] if project else [])
        refs.topics.update(topic.pk for topic in topics)
        hero = rng.choice(pools.images) if rng.random() < 0.7 and pools.images else None
        slug = f"arhivs-{n}"
        title = f"{KIND_WORDS[kind]} {theme} {place}"
        on_site, online = event_format in ("on_site", "hybrid"), event_format in ("online", "hybrid")
        qualifier = rng.choice(("exact", "approximately", "more_than", "not_stated"))
        page = EventReportPage(
            title=title,
            draft_title=title,
            slug=slug,
            locale=locale,
            translation_key=key("report", n),
            lead=f"Dalībnieki {place} pārrunāja {lead_phrase}. Pasākumā piedalījās {len(speakers)} runātāji.",
            event_name=f"{KIND_WORDS[kind]} Nr. {n}",
            event_kind=kind,
            event_format=event_format,
            date_precision=precision,
            start_date=start,
            end_date=end,
            publication_date=first_published.date() if rng.random() < 0.5 else None,
            author_name="Sabiedrisko attiecību speciāliste" if author_organisation else "",
            author_organisation=author_organisation,
            hero_image=hero,
            hero_image_alt=f"Pasākuma dalībnieki {place}" if hero else "",
            venue_name="Kultūras nams" if on_site else "",
            venue_address="Atbrīvošanas aleja 95A, Rēzekne" if on_site else "",
            online_platform=("Zoom", "MS Teams", "Facebook tiešraide")[n % 3] if online else "",
            participant_count=None if qualifier == "not_stated" else 10 + rng.randrange(200),
            participant_count_qualifier=qualifier,
            free_of_charge=rng.choice((True, None)),
            body=ReportBodyFactory.stream(self.body(rng, n, theme, lead_phrase, speakers), block_id=self.ids(slug)),
            live=True,
            has_unpublished_changes=False,
            first_published_at=first_published,
            last_published_at=first_published,
            latest_revision_created_at=first_published,
        )
        page.starts_on, page.ends_on = page.event_period()
        sessions = []
        if precision == "day" and rng.random() < 0.6:
            for i in range(1 + (rng.random() < 0.3)):
                sessions.append(
                    EventSession(
                        locale=locale,
                        translation_key=key("session", n, i),
                        sort_order=i,
                        date=start,
                        start_time=datetime.time(10 + 4 * i),
                        end_time=datetime.time(13 + 4 * i),
                    )
                )
        audience = [
            EventAudienceGroup(
                locale=locale,
                translation_key=key("audience", n),
                sort_order=0,
                name=rng.choice(("Uzņēmēji", "Jaunieši", "Pašvaldību darbinieki", "Seniori")),
            )
        ]
        organiser_rows = [
            EventOrganiser(
                locale=locale,
                translation_key=key("organiser", n, i),
                sort_order=i,
                organisation=org,
                part="organiser" if i == 0 else "partner",
            )
            for i, org in enumerate(organisers)
        ]
        project_rows = (
            [EventProject(locale=locale, translation_key=key("project", n), sort_order=0, project=project)]
            if project
            else []
        )
        children = {
            "sessions": sessions,
            "audience_groups": audience,
            "organisers": organiser_rows,
            "projects": project_rows,
        }
        return page, children, topics, refs

    def dates(self, rng):
        """(precision, start, end): mostly exact days, some months or years only, a few unknown."""
        draw = rng.random()
        if draw < 0.01:
            return "unknown", None, None
        if rng.random() < FUTURE_SHARE:
            day = self.today + datetime.timedelta(days=1 + rng.randrange(540))
        else:
            first = datetime.date(FIRST_YEAR, 1, 1)
            day = first + datetime.timedelta(days=rng.randrange((self.today - first).days))
        if draw < 0.05:
            return "year", datetime.date(day.year, 1, 1), None
        if draw < 0.15:
            return "month", day.replace(day=1), None
        end = day + datetime.timedelta(days=1 + rng.randrange(2)) if rng.random() < 0.15 else None
        return "day", day, end

    def published_at(self, rng, start):
        """When the report went live: a few days after a past event, a while before one still to come."""
        from django.utils import timezone

        day = start or datetime.date(FIRST_YEAR + rng.randrange(15), 6, 1)
        offset = 2 + rng.randrange(10)
        when = (
            day + datetime.timedelta(days=offset) if day < self.today else self.today - datetime.timedelta(days=offset)
        )
        moment = datetime.datetime.combine(when, datetime.time(9 + rng.randrange(8), rng.randrange(60)))
        return timezone.make_aware(moment, datetime.UTC)

    def speakers(self, rng, refs):
        """Three speakers: the opening one is the frequent person in a share of the reports."""
        people = self.pools.people
        chosen = [people[0] if rng.random() < FREQUENT_PERSON else rng.choice(people[1:])]
        while len(chosen) < 3:
            person = rng.choice(people[1:])
            if person not in chosen:
                chosen.append(person)
        refs.people.update(person.pk for person in chosen)
        result = []
        for i, person in enumerate(chosen):
            organisation = rng.choice(self.pools.organisations) if rng.random() < 0.2 else None
            if organisation:
                refs.organisations.add(organisation.pk)
            result.append(
                {
                    "person": person,
                    "parts": ("opening",) if i == 0 else ("speaker",),
                    "role": "Projekta eksperte" if rng.random() < 0.3 else "",
                    "organisation": organisation,
                    "contribution": "Pastāstīja par pieredzi un atbildēja uz dalībnieku jautājumiem.",
                }
            )
        return result

    def ids(self, slug):
        from .content import ids

        return ids(slug, "body")

    def body(self, rng, n, theme, lead_phrase, speakers):
        pools = self.pools
        link = pools.link_pages[n % len(pools.link_pages)] if pools.link_pages else None
        link_html = f' Skatīt arī <a linktype="page" id="{link.pk}">{link.title}</a>.' if link else ""
        document = pools.documents[n % len(pools.documents)] if pools.documents else None
        paragraphs = (
            f"<p>Pasākumā {theme} dalībnieki pārrunāja {lead_phrase}.{link_html}</p>",
            "<p>Runātāji dalījās pieredzē, kā piesaistīt finansējumu un sadarboties ar pašvaldību.</p>",
            "<ul><li>Atbalsts jaunajiem uzņēmējiem</li><li>Mentoru programma</li></ul>",
            "<p>Noslēgumā vienojās par nākamo tikšanos un kopīgu darba grupu.</p>",
        )
        children = [
            ("heading", {"text": "Par pasākumu", "level": "h2"}),
            ("paragraph", paragraphs[0]),
            ("speaker", speakers[0]),
            ("paragraph", paragraphs[1]),
            (
                "talk",
                {
                    "kind": "presentation",
                    "speakers": speakers[1:],
                    "title": f"Pieredzes stāsts Nr. {n}",
                    "summary": "<p>Galvenās atziņas un ieteikumi.</p>",
                    "slides": document,
                    "recording_url": f"https://video.example.org/arhivs/{n}",
                },
            ),
            ("paragraph", paragraphs[2]),
            ("quote", {"text": "Sadarbība ir novada attīstības pamats.", "attribution": "Dalībniece"}),
            ("paragraph", paragraphs[3]),
            ("heading", {"text": "Materiāli", "level": "h2"}),
        ]
        if document is not None:
            children.append(("document", {"document": document, "title": "", "description": "Pasākuma programma."}))
        else:
            children.append(("paragraph", "<p>Materiāli drīzumā.</p>"))
        if pools.images and rng.random() < 0.5:
            image = rng.choice(pools.images)
            children[6] = ("image", {"image": image, "alt_text": "Dalībnieki", "decorative": False, "caption": ""})
        return children

    # --- growing ----------------------------------------------------------------------------------------
    def grow(self, total):
        """Add reports until the database holds ``total`` event reports; returns seconds per step."""
        from cms.models import EventReportPage

        missing = total - EventReportPage.objects.count()
        timings = {"build": 0.0, "pages": 0.0, "revisions": 0.0, "reference index": 0.0, "search index": 0.0}
        made = 0
        while made < missing:
            count = min(BATCH, missing - made)
            self.batch(count, timings)
            made += count
        return made, timings

    def batch(self, count, timings):
        from django.contrib.contenttypes.models import ContentType
        from django.db import transaction
        from django.db.models import F
        from wagtail.models import Page, ReferenceIndex, Revision
        from wagtail.search.backends import get_search_backends

        from cms.models import EventReportPage

        index = Page.objects.get(pk=self.index.pk)
        last = index.get_last_child()
        first_step = 1 + (self._step(last.path) if last else 0)
        report_type = ContentType.objects.get_for_model(EventReportPage)
        page_type = ContentType.objects.get_for_model(Page)
        started = time.perf_counter()
        built = []
        for i in range(count):
            n = len(self.generated) + i
            page, children, topics, refs = self.report(n)
            page.path = step_path(index.path, first_step + i, Page.alphabet, Page.steplen)
            page.depth = index.depth + 1
            page.numchild = 0
            page.url_path = f"{index.url_path}{page.slug}/"
            page.content_type = report_type
            built.append((page, children, topics, refs))
        timings["build"] += time.perf_counter() - started
        with transaction.atomic():
            started = time.perf_counter()
            for position, (page, children, _topics, _refs) in enumerate(built):
                if position % VALIDATE_EVERY == 0:
                    for name, rows in children.items():
                        setattr(page, name, rows)  # in memory: clean() checks the sessions against the dates
                    page.full_clean()
            rows = Page.objects.bulk_create(
                [
                    Page(**{f.attname: getattr(page, f.attname) for f in Page._meta.concrete_fields})
                    for page, *_ in built
                ]
            )
            through = EventReportPage.topics.through
            links = []
            for row, (page, children, topics, refs) in zip(rows, built, strict=True):
                page.id = page.page_ptr_id = row.pk
                page._state.adding = True
                page.save_base(raw=True, force_insert=True)
                page._state.adding = False
                refs.pk = row.pk
                for rows_of_relation in children.values():
                    for child in rows_of_relation:
                        child.page_id = row.pk
                links += [through(eventreportpage_id=row.pk, topic_id=topic.pk) for topic in topics]
            for name in ("sessions", "audience_groups", "organisers", "projects"):
                model = EventReportPage._meta.get_field(name).related_model
                model.objects.bulk_create([child for _p, children, *_ in built for child in children[name]])
            through.objects.bulk_create(links)
            for page, children, topics, _refs in built:
                # In memory (modelcluster), as a page loaded for editing has them: the revision's content and the
                # reference index read the rows from here rather than one query per relation and page.
                for name, rows_of_relation in children.items():
                    setattr(page, name, rows_of_relation)
                page.topics = topics
            Page.objects.filter(pk=index.pk).update(numchild=F("numchild") + count)
            timings["pages"] += time.perf_counter() - started
            started = time.perf_counter()
            revisions = Revision.objects.bulk_create(
                [
                    Revision(
                        content_type=report_type,
                        base_content_type=page_type,
                        object_id=str(page.pk),
                        created_at=page.first_published_at,
                        object_str=str(page),
                        content=page.serializable_data(),
                    )
                    for page, *_ in built
                ]
            )
            for row, revision, (page, *_rest) in zip(rows, revisions, built, strict=True):
                row.latest_revision_id = row.live_revision_id = revision.pk
                page.latest_revision_id = page.live_revision_id = revision.pk
            Page.objects.bulk_update(rows, ["latest_revision", "live_revision"])
            timings["revisions"] += time.perf_counter() - started
            started = time.perf_counter()
            for page, *_ in built:
                ReferenceIndex.create_or_update_for_object(page)
            timings["reference index"] += time.perf_counter() - started
            started = time.perf_counter()
            pages = [page for page, *_ in built]
            for backend in get_search_backends(with_auto_update=True):
                backend.add_bulk(EventReportPage, pages)
            timings["search index"] += time.perf_counter() - started
        self.generated += [refs for *_, refs in built]

    @staticmethod
    def _step(path):
        from wagtail.models import Page

        alphabet, value = Page.alphabet, 0
        for char in path[-Page.steplen :]:
            value = value * len(alphabet) + alphabet.index(char)
        return value

    # --- checks -----------------------------------------------------------------------------------------
    def check(self):
        """Fail loudly when the tree or the revisions are not what Wagtail would have left."""
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import Count
        from wagtail.models import Page, ReferenceIndex

        from cms.models import EventReportPage

        problems = Page.find_problems()
        if any(problems):
            names = ("evil_chars", "bad_steplen", "orphans", "wrong_depth", "wrong_numchild")
            raise RuntimeError(
                "the page tree is broken: "
                + ", ".join(f"{name} {ids[:10]}" for name, ids in zip(names, problems, strict=True) if ids)
            )
        reports = EventReportPage.objects.filter(path__startswith=self.index.path, depth=self.index.depth + 1)
        without = (
            reports.filter(live_revision__isnull=True).count() + reports.filter(latest_revision__isnull=True).count()
        )
        if without or reports.count() != len(self.generated):
            raise RuntimeError(
                f"{without} archive reports without a revision; {reports.count()} of {len(self.generated)}"
            )
        indexed = (
            ReferenceIndex.objects.filter(base_content_type=ContentType.objects.get_for_model(Page))
            .filter(object_id__in=[str(refs.pk) for refs in self.generated[-BATCH:]])
            .aggregate(pages=Count("object_id", distinct=True))["pages"]
        )
        if indexed != len(self.generated[-BATCH:]):
            raise RuntimeError(f"reference index: {indexed} of the last {len(self.generated[-BATCH:])} reports indexed")

    def expected(self, name):
        """Ids of the reports that filter ``name`` (as asked for in ``requests``) must find, or None."""
        from django.utils import timezone

        from cms.models import EventReportPage

        pools = self.pools
        by_refs = {
            "person": lambda refs: pools.people[0].pk in refs.people,
            "organisation": lambda refs: pools.organisations[0].pk in refs.organisations,
            "project": lambda refs: pools.projects[0].pk in refs.projects,
            "topic": lambda refs: pools.topics[0].pk in refs.topics,
        }
        if name in by_refs:
            return {refs.pk for refs in self.generated if by_refs[name](refs)}
        live = EventReportPage.objects.live()
        today = timezone.localdate()
        lookups = {
            "listing": {},
            "date_from": {"ends_on__gte": DATE_FROM},
            "date_to": {"starts_on__lte": DATE_TO},
            "when=upcoming": {"ends_on__gte": today},
            "when=past": {"ends_on__lt": today},
            "event_kind": {"event_kind": "seminar"},
            "event_format": {"event_format": "online"},
        }
        if name in lookups:
            return set(live.filter(**lookups[name]).values_list("pk", flat=True))
        return None

    def requests(self, total):
        """(name, query string) of each request measured at this size."""
        pools = self.pools
        try:
            from api.endpoints.base import MAX_OFFSET
        except ImportError:
            MAX_OFFSET = DEFAULT_MAX_OFFSET  # noqa: N806 - the API's constant, when it moves
        return [
            ("listing", ""),
            ("date_from", f"&date_from={DATE_FROM.isoformat()}"),
            ("date_to", f"&date_to={DATE_TO.isoformat()}"),
            ("when=upcoming", "&when=upcoming"),
            ("when=past", "&when=past"),
            ("event_kind", "&event_kind=seminar"),
            ("event_format", "&event_format=online"),
            ("organisation", f"&organisation={pools.organisations[0].pk}"),
            ("project", f"&project={pools.projects[0].pk}"),
            ("person", f"&person={pools.people[0].pk}"),
            ("topic", f"&topic={pools.topics[0].slug}"),
            ("offset", f"&order=-start_date&offset={max(0, min(total - PAGE_SIZE, MAX_OFFSET))}"),
            ("search", f"&search={SEARCH_WORD}"),
            ("search+filter", f"&search={SEARCH_WORD}&event_format=online"),
        ]


DATE_FROM = datetime.date(2020, 1, 1)
DATE_TO = datetime.date(2017, 12, 31)


# --- measuring --------------------------------------------------------------------------------------------
def analyze():
    """PostgreSQL: ``VACUUM ANALYZE`` after the bulk insert, what autovacuum does to a table that took many
    inserts (PostgreSQL 13 and later) within a minute or so: fresh planner statistics, so that every size is
    measured with statistics of its own size (rows inserted in bulk are not analysed at once, and plans made with
    the small archive's estimates differ), and the visibility map set, without which an index-only scan still
    reads every row from the table, as it would only in the first minute after a bulk import. Seconds taken;
    None on SQLite, whose planner uses no statistics unless ANALYZE is run, which a deployment does not do by
    itself."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # outside a transaction: the benchmark runs in autocommit
    return time.perf_counter() - started


def database_server_clock():
    """A function giving the CPU time (ns) the PostgreSQL backend serving this process has used, or None.

    The server runs on this machine (loopback), so its backend's ``/proc/<pid>/schedstat`` is readable as root;
    on SQLite the database's work is in this process's own CPU time already.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    schedstat = Path(f"/proc/{pid}/schedstat")
    try:
        schedstat.read_text()
    except OSError:
        return None
    return lambda: int(schedstat.read_text().split()[0])


def measure_request(path, repeat):
    """Median wall, CPU and database server CPU ms of ``repeat`` cache-busted requests after one warm-up;
    the SQL queries of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .inprocess import get

    tag = uuid.uuid4().hex[:8]
    first = get(paths.with_param(path, "_", f"{tag}-warm"))
    server = database_server_clock()
    walls, cpus, servers = [], [], []
    for i in range(repeat):
        busted = paths.with_param(path, "_", f"{tag}-{i}")
        server_before = server() if server else 0
        wall, cpu = time.perf_counter(), time.process_time()
        get(busted)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        servers.append(((server() - server_before) / 1e6) if server else 0.0)
    with CaptureQueriesContext(connection) as captured:
        get(paths.with_param(path, "_", f"{tag}-queries"))
    return {
        "data": first.json(),
        "wall_ms": statistics.median(walls),
        "cpu_ms": statistics.median(cpus),
        "server_cpu_ms": statistics.median(servers) if server else None,
        "queries": len(captured.captured_queries),
    }


def measure(info):
    from .inprocess import clear_cache

    sizes = info.get("sizes") or list(SIZES)
    repeat = info.get("repeat") or REPEAT
    started = time.perf_counter()
    pools = Pools()
    archive = Archive(pools)
    setup_s = time.perf_counter() - started
    results = []
    for total in sizes:
        started, cpu = time.perf_counter(), time.process_time()
        made, timings = archive.grow(total)
        grown_s, grown_cpu_s = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        archive.check()
        check_s = time.perf_counter() - started
        analyze_s = analyze()
        clear_cache(None)
        rows = []
        for name, query in archive.requests(total):
            measured = measure_request(paths.API_LISTING + query, repeat)
            data = measured.pop("data")
            items = [item["id"] for item in data["items"]]
            expected = archive.expected(name)
            if expected is not None:
                wrong = [pk for pk in items if pk not in expected]
                if wrong or len(items) != min(PAGE_SIZE, len(expected)):
                    raise RuntimeError(
                        f"{name} at {total} reports: {len(items)} items, {len(wrong)} not matching "
                        f"(expected {len(expected)} matches); the bulk-created reports miss what the filter reads"
                    )
            rows.append(
                {
                    "name": name,
                    "query": query,
                    **measured,
                    "total_count": data.get("meta", {}).get("total_count"),
                    "expected": len(expected) if expected is not None else None,
                    "items": len(items),
                }
            )
        results.append(
            {
                "size": total,
                "added": made,
                "added_s": grown_s,
                "added_cpu_s": grown_cpu_s,
                "steps_s": timings,
                "check_s": check_s,
                "analyze_s": analyze_s,
                "requests": rows,
            }
        )
    return {"setup_s": setup_s, "sizes": results, "repeat": repeat}


# --- reporting (no Django: bench.run prints these) -----------------------------------------------------------
def total_cpu(row):
    """CPU ms of the request in this process and, on PostgreSQL, in the database server's backend."""
    return row["cpu_ms"] + (row["server_cpu_ms"] or 0.0)


def print_results(figures):
    print(f"\n  Archive (in-process, medians of {figures['repeat']} cache-busted requests after a warm-up):")
    print(f"    pools of people, organisations, projects and topics made in {figures['setup_s']:.1f} s")
    for size in figures["sizes"]:
        server = any(row["server_cpu_ms"] is not None for row in size["requests"])
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in size["steps_s"].items())
        print(
            f"\n    {size['size']:,} event reports ({size['added']:,} added in {size['added_s']:.1f} s, CPU"
            f" {size.get('added_cpu_s', 0):.1f} s: {steps}; checks {size['check_s']:.1f} s"
            + (f"; VACUUM ANALYZE {size['analyze_s']:.1f} s" if size.get("analyze_s") is not None else "")
            + ")"
        )
        print(
            f"      {'request':<16} {'wall ms':>9} {'CPU ms':>9}"
            + (f" {'DB CPU ms':>10}" if server else "")
            + f" {'queries':>8} {'matches':>8}  query"
        )
        for row in size["requests"]:
            matches = "" if row["total_count"] is None else f"{row['total_count']:,}"
            print(
                f"      {row['name']:<16} {row['wall_ms']:9.1f} {row['cpu_ms']:9.1f}"
                + (f" {row['server_cpu_ms'] or 0:10.1f}" if server else "")
                + f" {row['queries']:8d} {matches:>8}  {row['query'] or '(plain listing)'}"
            )
    print(
        "    (wall ms includes the database server's work and any wait for a core; CPU ms is this process only,"
        "\n     SQLite's work included; DB CPU ms: the PostgreSQL backend's own CPU time; matches: meta.total_count)"
    )


JUDGES = ("cpu", "wall")


def cost(row, judge):
    """What a target is judged on: CPU ms of this process plus the database server's backend, or wall ms."""
    return total_cpu(row) if judge == "cpu" else row["wall_ms"]


def evaluate(figures, judge="cpu"):
    """Target lines at the largest size against the smallest: (text, passed, detail).

    ``judge`` "cpu" compares CPU ms (this process plus, on PostgreSQL, the server's backend: all the work a
    request causes, whatever else runs on the machine); "wall" compares wall ms, which a loaded machine moves.
    The detail gives both.
    """
    sizes = figures["sizes"]
    if len(sizes) < 2:
        return []
    other = "wall" if judge == "cpu" else "cpu"
    small, large = sizes[0], sizes[-1]
    at_small = {row["name"]: row for row in small["requests"]}
    at_large = {row["name"]: row for row in large["requests"]}
    label = f"at {large['size']:,} reports"
    verdicts = []
    flat = [name for name in at_large if name not in ("offset", "search", "search+filter")]
    ratios = {name: cost(at_large[name], judge) / cost(at_small[name], judge) for name in flat}
    others = {name: cost(at_large[name], other) / cost(at_small[name], other) for name in flat}
    worst = max(ratios, key=ratios.get)
    verdicts.append(
        (
            f"{label}: cold listing and every filter within 1.5 x of their {judge} ms at {small['size']:,}",
            all(ratio <= 1.5 for ratio in ratios.values()),
            f"worst {worst} {ratios[worst]:.2f} x (by {other} {others[worst]:.2f} x); "
            + ", ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items()),
        )
    )
    listing = at_large["listing"]
    for name, text in (
        ("offset", at_large["offset"]["query"].lstrip("&") + " within 2 x of the plain listing"),
        ("search", "search <= 2 x the plain listing"),
    ):
        row = at_large[name]
        ratio = cost(row, judge) / cost(listing, judge)
        verdicts.append(
            (
                f"{label}: {text} ({judge} ms)",
                ratio <= 2,
                f"{ratio:.2f} x ({cost(row, judge):.1f} vs {cost(listing, judge):.1f} ms; by {other} "
                f"{cost(row, other) / cost(listing, other):.2f} x)",
            )
        )
    return verdicts
