"""The leak suite's tools: a register of planted secrets, a crawler of the public API and a generic oracle.

A *secret* is anything the public must not see: a draft, a draft edit, a restricted page, an image or document in
a private collection, an unpublished snippet, a draft translation, the editors behind revisions. Each carries
marker strings (``LEAK-…``, in titles, names, alt text, slugs, file names) and is named by its cache tag
(``page-12``, ``person-840002``: the change log's ``cms.changes.tag``). Secrets created here get ids from ranges
no public object uses, so an id anywhere in a response is unambiguous; pages (Wagtail makes a page with an id of
its own choosing only with more work than it is worth) and what other code makes (wagtail-localize's translations)
are recognised by position only: an object's ``id`` with its type, a detail URL, a rich-text link, a cache tag.

Two kinds of secret:

- *never public* (``former=False``): the public never saw it. No response, change-feed item, webhook payload or
  purge list may name it, by marker, id or address;
- *formerly public* (``former=True``): public when first requested, secret since. The delivery API must not name
  it any more; the change feed, the webhooks and the purges may name its id and old addresses (they are history,
  and a tombstone must say what went), never its content.

The oracle knows nothing of the endpoints: it searches the raw bytes (body and headers) for markers, editor data
and secret addresses, and walks the JSON for objects, ids, tags and URLs that name a secret. New endpoints and
fields are covered without changing it.
"""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.apps import apps
from wagtail.models import Page

from cms.changes import object_key, tag

API = "/api/v2/"
# Endpoint name -> the tag prefix (family) of the objects it serves.
ENDPOINT_FAMILIES = {
    "pages": "page",
    "images": "image",
    "documents": "document",
    "people": "person",
    "organisations": "organisation",
    "contacts": "contactcard",
    "projects": "project",
}
FAMILY_ENDPOINTS = {family: name for name, family in ENDPOINT_FAMILIES.items()}
FAMILIES = (*ENDPOINT_FAMILIES.values(), "topic", "user")
# Distinct id ranges per family for the secrets planted here: no public object reaches them.
ID_BASE = {family: 810_000 + 10_000 * number for number, family in enumerate(FAMILIES)}
NONEXISTENT_ID = 799_999_999

API_PATH = re.compile(r"/api/v2/(" + "|".join(ENDPOINT_FAMILIES) + r")/(\d+)/")
DATA_ID = re.compile(r'data-(page|document)-id="(\d+)"')
TAG = re.compile(r"^(" + "|".join(FAMILIES) + r"|contactcard)-(\d+)$")
# Keys whose presence says what a shape is when it has no ``type`` (see api.shapes).
SHAPE_KEYS = (
    ("renditions", "image"),
    ("file_type", "document"),
    ("phone_e164", "contactcard"),
    ("funding_programme", "project"),
    ("job_title", "person"),
    ("acronym", "organisation"),
    ("slug", "topic"),
)


def family_of_label(label):
    """The tag family of a model label (``cms.EventReportPage`` -> ``page``), or None for anything else."""
    if not isinstance(label, str) or label.count(".") != 1:
        return None
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return tag(object_key(model), 0).rsplit("-", 1)[0]


def family_of_url(url):
    match = API_PATH.search(url) if isinstance(url, str) else None
    return (ENDPOINT_FAMILIES[match[1]], int(match[2])) if match else None


@dataclass
class Secret:
    name: str  # what it is, for messages: "draft page", "private image (hero)"
    tag: str | None  # "page-810001"; None for secrets that are only text (a draft edit of a public object)
    markers: tuple = ()
    paths: tuple = ()  # URL paths that name it: front-end paths, file and rendition URLs
    former: bool = False


@dataclass
class Register:
    secrets: list = field(default_factory=list)

    def add(self, name, obj=None, *, markers=(), paths=(), former=False):
        secret = Secret(
            name, tag(object_key(obj), obj.pk) if obj is not None else None, tuple(markers), tuple(paths), former
        )
        self.secrets.append(secret)
        return secret

    def add_user(self, name, user, markers):
        secret = Secret(name, f"user-{user.pk}", tuple(markers))
        self.secrets.append(secret)
        return secret

    def tags(self, former=None):
        return {s.tag: s for s in self.secrets if s.tag and (former is None or s.former == former)}

    def distinctive_ids(self):
        """Ids planted in the reserved ranges: an integer with this value anywhere names the secret."""
        ids = {}
        for secret in self.secrets:
            if secret.tag:
                pk = secret.tag.rsplit("-", 1)[1]
                if int(pk) >= min(ID_BASE.values()):
                    ids[int(pk)] = secret
        return ids

    def by_family(self, family):
        return [s for s in self.secrets if s.tag and s.tag.rsplit("-", 1)[0] == family]


def next_id(family, used={}):  # noqa: B006 (a counter per family, shared on purpose)
    used[family] = used.get(family, ID_BASE[family]) + 1
    return used[family]


# --- responses -------------------------------------------------------------------------------------------------
@dataclass
class Answer:
    url: str
    status: int
    headers: dict
    body: bytes

    @property
    def data(self):
        if not hasattr(self, "_data"):
            try:
                self._data = json.loads(self.body)
            except ValueError:
                self._data = None
        return self._data

    def text(self):
        return self.body.decode("utf-8", "replace")

    def shown(self):
        """What a reader of the answer sees: its JSON strings unescaped (rich text's quotes included)."""
        return self.text() if self.data is None else "\n".join(strings(self.data))


def request_id_headers():
    # Headers that differ per request by design (checked for secrets like the rest, but not compared).
    return {"x-request-id", "date", "request-id"}


class Crawler:
    """Requests API URLs once each, remembers every answer, and finds the URLs an answer points at."""

    def __init__(self, client):
        self.client = client
        self.answers = {}

    def get(self, url):
        if url not in self.answers:
            response = self.client.get(url)
            headers = {name.lower(): value for name, value in response.headers.items()}
            body = response.content if not getattr(response, "streaming", False) else b"".join(response)
            self.answers[url] = Answer(url, response.status_code, headers, body)
        return self.answers[url]

    def crawl(self, seeds, follow=True):
        """Every seed, and (``follow``) every API detail or find URL reachable from the answers."""
        queue = list(seeds)
        while queue:
            url = queue.pop(0)
            if url in self.answers:
                continue
            answer = self.get(url)
            if follow:
                queue += [link for link in links(answer) if link not in self.answers]
        return self.answers

    def listing_pages(self, url, limit):
        """A listing and each further page of it (offset), as far as ``meta.total_count`` says."""
        separator = "&" if "?" in url else "?"
        first = self.get(f"{url}{separator}limit={limit}")
        total = (first.data or {}).get("meta", {}).get("total_count", 0) if isinstance(first.data, dict) else 0
        for offset in range(limit, min(total, 10_000), limit):
            self.get(f"{url}{separator}limit={limit}&offset={offset}")


def strings(data):
    """Every string in a JSON value (keys included)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def links(answer):
    """API URLs an answer points at: detail URLs (also with ``fields=*``) and ``find`` for front-end URLs;
    a redirect's Location."""
    found = []
    location = answer.headers.get("location")
    if location:
        found.append(urlsplit(location).path + (f"?{urlsplit(location).query}" if urlsplit(location).query else ""))
    if answer.data is None:
        return found
    for text in strings(answer.data):
        for match in API_PATH.finditer(text):
            path = match[0]
            found.append(path)
            if match[1] in ("pages", "images", "documents"):
                found.append(path + "?fields=*")
        for match in DATA_ID.finditer(text):
            endpoint = "pages" if match[1] == "page" else "documents"
            found.append(f"{API}{endpoint}/{match[2]}/?fields=*")
    for url in frontend_urls(answer.data):
        found.append(find_url(url))
    return found


def frontend_urls(data, base=None):
    from cms.frontend import frontend_base_url

    base = base or frontend_base_url()
    for text in strings(data):
        if text.startswith(base + "/"):
            yield text[len(base) :]


def find_url(path):
    return f"{API}pages/find/?" + urlencode({"html_path": path})


# --- the oracle ------------------------------------------------------------------------------------------------
@dataclass
class Finding:
    where: str
    what: str
    secret: str

    def __str__(self):
        return f"{self.where}: {self.what} ({self.secret})"


def named_objects(data, path="$"):
    """(family, id, path) of every object, URL, rich-text link and cache tag in a JSON value that names an
    object; family None when the shape does not say what it is."""
    if isinstance(data, dict):
        pk = data.get("id")
        if isinstance(pk, int) and not isinstance(pk, bool):
            yield _family_of_object(data), pk, path
        for key, value in data.items():
            yield from named_objects(value, f"{path}.{key}")
    elif isinstance(data, list):
        for number, value in enumerate(data):
            yield from named_objects(value, f"{path}[{number}]")
    elif isinstance(data, str):
        for match in API_PATH.finditer(data):
            yield ENDPOINT_FAMILIES[match[1]], int(match[2]), path
        for match in DATA_ID.finditer(data):
            yield match[1], int(match[2]), path
        match = TAG.match(data)
        if match:
            yield match[1], int(match[2]), path


def _family_of_object(data):
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    for label in (meta.get("type"), data.get("type")):
        family = family_of_label(label)
        if family:
            return family
    for url in (meta.get("detail_url"), data.get("detail_url")):
        named = family_of_url(url)
        if named:
            return named[0]
    for key, family in SHAPE_KEYS:
        if key in data:
            return family
    return None


def integers(data, path="$"):
    if isinstance(data, bool):
        return
    if isinstance(data, int):
        yield data, path
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from integers(value, f"{path}.{key}")
    elif isinstance(data, list):
        for number, value in enumerate(data):
            yield from integers(value, f"{path}[{number}]")


def check(register, where, body, headers=None, data=None, history=False):
    """What of the register's secrets a body (bytes or text), its headers and its JSON name.

    ``history``: the change feed, webhooks and purges, which may name formerly public objects by id and old
    address (never by content)."""
    findings = []
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    header_text = "\n".join(f"{name}: {value}" for name, value in (headers or {}).items())
    lowered = (text + "\n" + header_text).lower()
    if data is None:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
    decoded = "\n".join(strings(data)).lower() if data is not None else ""
    for secret in register.secrets:
        for marker in secret.markers:
            if marker.lower() in lowered or marker.lower() in decoded:
                findings.append(Finding(where, f"marker {marker!r}", secret.name))
        if history and secret.former:
            continue
        for secret_path in secret.paths:
            if secret_path in text or secret_path in header_text or secret_path in decoded:
                findings.append(Finding(where, f"address {secret_path!r}", secret.name))
    allowed = register.tags(former=False) if history else register.tags()
    distinctive = {pk: s for pk, s in register.distinctive_ids().items() if s.tag in allowed}
    seen = set()

    def note(finding):
        if str(finding) not in seen:
            seen.add(str(finding))
            findings.append(finding)

    if data is not None:
        for family, pk, path in named_objects(data):
            secret = allowed.get(f"{family}-{pk}")
            if secret is not None:
                note(Finding(f"{where} {path}", f"{family} id {pk}", secret.name))
        for value, path in integers(data):
            if value in distinctive:
                note(Finding(f"{where} {path}", f"id {value}", distinctive[value].name))
    for name in ("cache-tag", "surrogate-key", "xkey"):
        for value in re.split(r"[\s,]+", (headers or {}).get(name, "")):
            if value in allowed:
                note(Finding(f"{where} header {name}", f"tag {value}", allowed[value].name))
    for name, value in (headers or {}).items():
        for match in API_PATH.finditer(value):
            secret = allowed.get(f"{ENDPOINT_FAMILIES[match[1]]}-{match[2]}")
            if secret is not None:
                note(Finding(f"{where} header {name}", f"address {match[0]}", secret.name))
    return findings


def check_answers(register, answers, history=False):
    findings = []
    for answer in answers:
        findings += check(register, answer.url, answer.body, answer.headers, answer.data, history=history)
    return findings


def comparable(answer):
    """What an outsider sees of an answer, less what differs per request by design (the request id, in the
    headers and in an error's body)."""
    headers = {k: v for k, v in answer.headers.items() if k not in request_id_headers()}
    body = answer.body
    if isinstance(answer.data, dict) and "request_id" in answer.data:
        body = {k: v for k, v in answer.data.items() if k != "request_id"}
    return answer.status, headers, body


def frontend_paths(page):
    """The addresses a page has (or had) on the front-end: its path, and that path as ``find`` takes it."""
    from cms.frontend import frontend_path

    path = frontend_path(Page.objects.get(pk=page.pk))
    return (path,) if path else ()
