"""One allow-list for what content may contain, applied where content is stored and again where it is served.

Content reaches the database by many routes: the admin's forms, but also importers, data migrations,
``page.body = [...]; page.save()``, ``save_revision()`` and wagtail-localize writing translated segments. Only
the forms validate, so every rule here is applied twice: when a value is stored (``clean_raw``, called by
``blocks.safe``) and when the API serves it (``clean_api_html`` and the blocks' API representations). The rules:

- **Rich text** keeps exactly the elements and attributes that the Draftail features of the block produce in
  Wagtail's database format (``<p data-block-key>``, ``<br/>``, ``<b>``, ``<i>``, ``<ol>``/``<ul>``/``<li>``,
  ``<a href>`` for external links, ``<a linktype="page" id>`` and ``<a linktype="document" id>``). The sanitiser
  is ``nh3`` (the Rust ``ammonia`` crate, which parses like a browser); its output is written back in the exact
  serialisation Wagtail's converter uses, so content an editor made in the admin comes out byte-identical.
  ``rel`` and ``target`` are not kept: Draftail never writes them, and a link without ``target`` cannot open
  a window that reaches back to the page; which ``rel`` a link gets is the front-end's decision.
- **URLs** are http, https, mailto, tel or relative, judged as a browser reads them: after decoding HTML
  character references and removing the whitespace and control characters a browser ignores
  (``JaVaScRiPt:``, ``&#106;avascript:``, ``java\\tscript:``, ``\\x00javascript:`` are all ``javascript:``);
  control characters and ``<``, ``>``, ``"`` and backticks, which a valid URL has percent-encoded, are refused
  too. An unsafe URL is stored and served as the empty string (the API's "or empty").
- **Plain text** (char and text blocks) is text: markup in it is refused by the admin's forms and removed,
  together with what a browser would read as a tag, from values stored or served by other routes. Plain text
  is never HTML-escaped here: the API promises plain text and the front-end escapes it where it renders it.
- **Choices** that are not among a block's choices are not stored (the block's default takes their place) and
  not served.
"""

import functools
import html
import re
from html.parser import HTMLParser

import nh3
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.rich_text import features as feature_registry

# --- URLs --------------------------------------------------------------------------------------------------
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# What the URL standard strips from both ends of a URL (C0 controls and space) and removes everywhere (tab, LF, CR).
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
# Control characters no legitimate address contains (some parsers skip them, so they can hide a scheme), and
# the characters that end an attribute or start a tag, which a valid URL has percent-encoded.
_NEVER_IN_A_URL = re.compile(r"[\x00-\x1f\x7f-\x9f<>\"`]")


def _scheme_is_safe(candidate):
    if _NEVER_IN_A_URL.search(candidate):
        return False
    match = _SCHEME.match(candidate)
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def is_safe_url(value):
    """Whether ``value`` is an http, https, mailto or tel address, or a relative one, however a browser reads it.

    The value is judged as written and after each round of HTML character-reference decoding (a front-end that
    puts it into an attribute without escaping has the browser decode it once), each time with what browsers
    strip removed.
    """
    if not isinstance(value, str):
        return False
    seen = set()
    candidate = value
    while candidate not in seen:
        seen.add(candidate)
        stripped = _TAB_NEWLINE.sub("", candidate).strip(_C0_AND_SPACE)
        if not _scheme_is_safe(stripped):
            return False
        candidate = html.unescape(candidate)
    return True


def safe_url(value):
    """``value`` when it is a safe URL (see ``is_safe_url``), else the empty string."""
    if not value:
        return ""
    return value if is_safe_url(value) else ""


def validate_safe_url(value):
    """A field validator: only http, https, mailto, tel or relative addresses."""
    if value and not is_safe_url(value):
        raise ValidationError(
            _("Only an http, https, mailto or tel address, or a relative address, is allowed."),
            code="unsafe_url",
        )


# --- plain text ----------------------------------------------------------------------------------------------
# Anything a browser would start a tag, end tag, comment, doctype or processing instruction with, up to the next
# ">" (or the end: an unterminated tag is still a tag to a browser).
_MARKUP = re.compile(r"<[a-zA-Z!/?][^>]*>?")


def strip_markup(text):
    """``text`` without anything an HTML parser would read as markup; everything else is left as it is.

    Removal is repeated until nothing is left to remove, so that ``<scr<script>ipt>`` does not become a tag.
    Character references stay as written: they are text, and text is not decoded or escaped here.
    """
    if not isinstance(text, str) or "<" not in text:
        return text
    previous = None
    while previous != text:
        previous, text = text, _MARKUP.sub("", text)
    return text


def has_markup(text):
    return isinstance(text, str) and strip_markup(text) != text


def validate_plain_text(value):
    """A field validator: plain text only, no HTML tags."""
    if has_markup(value):
        raise ValidationError(
            _("Plain text only: remove the HTML tags (text between “<” and “>”)."),
            code="markup_in_plain_text",
        )


# --- rich text ------------------------------------------------------------------------------------------------
# What each Draftail feature writes in Wagtail's database format (wagtail.admin.rich_text.converters.contentstate,
# the features' registrations in wagtail/admin/wagtail_hooks.py and wagtail/documents/wagtail_hooks.py).
_BLOCK_KEY = "data-block-key"
_ALWAYS = {"p": {_BLOCK_KEY}, "br": set()}
FEATURE_ELEMENTS = {
    "bold": {"b": set()},
    "italic": {"i": set()},
    "ol": {"ol": set(), "li": {_BLOCK_KEY}},
    "ul": {"ul": set(), "li": {_BLOCK_KEY}},
    "link": {"a": {"href", "linktype", "id"}},
    "document-link": {"a": {"linktype", "id"}},
}
FEATURE_LINK_TYPES = {"link": "page", "document-link": "document"}

# What the API's rich text may contain: the database elements, with internal links rewritten by api.richtext
# into ``<a href data-page-id data-page-type>`` and ``<a href data-document-id>``.
API_ELEMENTS = {
    "p": {_BLOCK_KEY},
    "br": set(),
    "b": set(),
    "i": set(),
    "ol": set(),
    "ul": set(),
    "li": {_BLOCK_KEY},
    "a": {"href", "data-page-id", "data-page-type", "data-document-id"},
}
_VOID = frozenset({"br"})
_DIGITS = re.compile(r"^[0-9]+$")
_MODEL_LABEL = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")


class _Policy:
    def __init__(self, elements, link_types=()):
        self.elements = {tag: frozenset(attrs) for tag, attrs in elements.items()}
        self.link_types = frozenset(link_types)

    def filter(self, element, attribute, value):
        if attribute == "href":
            return value if is_safe_url(value) else None
        if attribute == "linktype":
            return value if value in self.link_types else None
        if attribute in ("id", "data-page-id", "data-document-id"):
            return value if _DIGITS.match(value) else None
        if attribute == "data-page-type":
            return value if _MODEL_LABEL.match(value) else None
        return value

    def clean(self, source):
        cleaned = nh3.clean(
            source,
            tags=set(self.elements),
            # "*" replaces ammonia's default attributes for every element (``lang`` and ``title``).
            attributes={"*": set()} | {tag: set(attrs) for tag, attrs in self.elements.items() if attrs},
            attribute_filter=self.filter,
            strip_comments=True,
            link_rel=None,
            url_schemes=set(SAFE_SCHEMES),
        )
        return _WagtailSerialiser.serialise(cleaned)


def _policy_for(features):
    elements = {tag: set(attrs) for tag, attrs in _ALWAYS.items()}
    link_types = []
    for feature in features:
        if feature not in FEATURE_ELEMENTS:
            # A feature this allow-list does not know would have its content stripped from every save.
            raise ImproperlyConfigured(
                f"Rich-text feature {feature!r} has no sanitiser rule: add what it writes to "
                "blocks.sanitise.FEATURE_ELEMENTS"
            )
        for tag, attrs in FEATURE_ELEMENTS[feature].items():
            elements.setdefault(tag, set()).update(attrs)
        if feature in FEATURE_LINK_TYPES:
            link_types.append(FEATURE_LINK_TYPES[feature])
    return _Policy(elements, link_types)


_policies = {}


def policy(features):
    key = tuple(sorted(features))
    if key not in _policies:
        _policies[key] = _policy_for(key)
    return _policies[key]


_API_POLICY = _Policy(API_ELEMENTS)


def clean_rich_text(source, features):
    """Stored rich text (Wagtail's database format) with only what ``features`` allow; legitimate content is
    returned unchanged, byte for byte."""
    if not source:
        return source
    return policy(features).clean(source)


def clean_api_html(source):
    """Rich text as the API serves it (internal links already rewritten), with only what the API allows."""
    if not source:
        return source
    if len(source) > MEMO_MAX_LENGTH:
        return _API_POLICY.clean(source)
    return _clean_api_html(str(source))


# The cleaning is a function of the text alone, and a response's paragraphs mostly come back unchanged in the
# next one (a report is rendered again after an edit elsewhere on it, or to anything it shows): the latest
# results are kept, at most MEMO_ENTRIES of at most MEMO_MAX_LENGTH characters each (a few megabytes per process).
MEMO_ENTRIES = 2048
MEMO_MAX_LENGTH = 16_384


@functools.lru_cache(maxsize=MEMO_ENTRIES)
def _clean_api_html(source):
    return _API_POLICY.clean(source)


class _WagtailSerialiser(HTMLParser):
    """Writes sanitised HTML the way Wagtail's contentstate converter does (draftjs_exporter's string engine):
    ``html.escape`` for attribute values and text, ``<br/>`` for void elements, attributes in their order.

    Its input is nh3's output: well-formed, fully quoted and free of comments, scripts and styles, which
    Python's parser reads exactly as a browser would.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    @classmethod
    def serialise(cls, markup):
        parser = cls()
        parser.feed(markup)
        parser.close()
        return "".join(parser.out)

    def _attrs(self, attrs):
        return "".join(f' {name}="{html.escape(value or "")}"' for name, value in attrs)

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if tag == "a" and not {"linktype", "id"} <= names:
            # An internal link is a link type and the id of its target: one without the other is no link (and
            # Wagtail's link handlers expect both).
            attrs = [(name, value) for name, value in attrs if name not in ("linktype", "id")]
        self.out.append(f"<{tag}{self._attrs(attrs)}/>" if tag in _VOID else f"<{tag}{self._attrs(attrs)}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_endtag(self, tag):
        if tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(html.escape(data, quote=False))


# --- stored StreamField values ---------------------------------------------------------------------------------
def clean_choice(block, value):
    """``value`` when it is one of the choice block's values, else its default (or empty when that is not one)."""
    values = choice_values(block)
    if value in values or (value == "" and not block.required):
        return value
    default = block.get_default()
    return default if default in values else ""


def clean_choices(block, value):
    """The values of a multiple-choice block's list that are among its choices, in their order."""
    if not isinstance(value, list | tuple):
        return []
    values = choice_values(block)
    return [item for item in value if item in values]


def choice_values(block):
    """The values a choice block accepts. Static choices are worked out once, when the block is made
    (``static_choice_values``, see ``blocks.safe``): the block's form field re-evaluates its choices on every
    access (Wagtail always hands it a callable), and blocks are read thousands of times per response."""
    known = getattr(block, "static_choice_values", None)
    if known is not None:
        return known
    return values_of_choices(block.field.choices)


def values_of_choices(choices):
    values = set()
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            values.update(str(inner) for inner, _label in label)
        else:
            values.add(str(value))
    values.discard("")
    return values


def clean_raw(block, raw):
    """Stored (JSON) data of ``block`` with every value cleaned by the rules above.

    Returns ``raw`` itself when nothing needed cleaning, so clean content is stored exactly as it was
    (block ids, key order and all); otherwise a cleaned copy. Values of unknown shape (a child type the block
    no longer has, a list in the pre-2.16 form) are cleaned where their shape can be recognised and otherwise
    left to the block's own reading.
    """
    if raw is None:
        return raw
    if isinstance(block, blocks.StreamBlock):
        if not isinstance(raw, list):
            return raw
        changed, result = False, []
        for child in raw:
            if isinstance(child, dict) and child.get("type") in block.child_blocks and "value" in child:
                value = clean_raw(block.child_blocks[child["type"]], child["value"])
                if value is not child["value"]:
                    child, changed = {**child, "value": value}, True
            result.append(child)
        return result if changed else raw
    if isinstance(block, blocks.StructBlock):
        if not isinstance(raw, dict):
            return raw
        changed, result = False, dict(raw)
        for name, child_block in block.child_blocks.items():
            if name in raw:
                value = clean_raw(child_block, raw[name])
                if value is not raw[name]:
                    result[name], changed = value, True
        return result if changed else raw
    if isinstance(block, blocks.ListBlock):
        if not isinstance(raw, list):
            return raw
        changed, result = False, []
        for item in raw:
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
                value = clean_raw(block.child_block, item["value"])
                if value is not item["value"]:
                    item, changed = {**item, "value": value}, True
            else:
                value = clean_raw(block.child_block, item)
                if value is not item:
                    item, changed = value, True
            result.append(item)
        return result if changed else raw
    return _clean_leaf(block, raw)


def _same_or(raw, cleaned):
    return raw if cleaned == raw else cleaned


def _clean_leaf(block, raw):
    if isinstance(block, blocks.RichTextBlock):
        if not isinstance(raw, str):
            return raw
        features = block.features if block.features is not None else feature_registry.get_default_features()
        return _same_or(raw, clean_rich_text(raw, features))
    if isinstance(block, blocks.URLBlock | EmbedBlock):
        return _same_or(raw, safe_url(raw)) if isinstance(raw, str) else raw
    if isinstance(block, blocks.CharBlock | blocks.TextBlock):
        return _same_or(raw, strip_markup(raw))
    if isinstance(block, blocks.MultipleChoiceBlock):
        return _same_or(raw, clean_choices(block, raw))
    if isinstance(block, blocks.ChoiceBlock):
        return _same_or(raw, clean_choice(block, raw))
    return raw
