"""Rich text for the API: HTML whose internal links point at the front-end and say what they refer to.

Links to pages or documents that are not public lose their ``href`` (the text stays): a reader never gets a
link to a draft, and the API never reveals that such a page exists. The result is sanitised last, with the
API's allow-list (``blocks.sanitise``): whatever was stored, and however, nothing executable is served.
"""

from django.utils.html import escape
from wagtail.rich_text import RichText
from wagtail.rich_text.rewriters import EmbedRewriter, LinkRewriter, extract_attrs

from blocks.choosers import prefetched_objects
from blocks.sanitise import clean_api_html

from .urls import document_url, frontend_url


def _store():
    return prefetched_objects.get()


def _target_id(attrs):
    """The id of an internal link's target; None for anything but digits (stored content is not trusted)."""
    value = attrs.get("id")
    return int(value) if value and value.isascii() and value.isdigit() else None


def _page_link(attrs):
    from wagtail.models import Page

    pk = _target_id(attrs)
    page = _store().get(Page, pk) if _store() and pk is not None else None
    if page is None:
        return "<a>"
    href = frontend_url(page)
    if not href:
        return "<a>"
    return (
        f'<a href="{escape(href)}" data-page-id="{page.pk}" data-page-type="{escape(page.specific_class._meta.label)}">'
    )


def _document_link(attrs):
    from wagtail.documents import get_document_model

    pk = _target_id(attrs)
    document = _store().get(get_document_model(), pk) if _store() and pk is not None else None
    if document is None:
        return "<a>"
    return f'<a href="{escape(document_url(document))}" data-document-id="{document.pk}">'


_link_rewriter = LinkRewriter(rules={"page": _page_link, "document": _document_link})
# Paragraphs allow no embedded images or media: anything embedded is dropped rather than shown half-resolved.
_embed_rewriter = EmbedRewriter(rules={})


def expand(source):
    if not source:
        return ""
    if isinstance(source, RichText):
        source = source.source
    return clean_api_html(_embed_rewriter(_link_rewriter(source)))


def references(source):
    """(kind, id) pairs of the pages and documents a piece of rich text links to, without any query."""
    if not source:
        return
    for match in LinkRewriter().get_opening_tag_regex().findall(source):
        attrs = extract_attrs(match)
        if attrs.get("linktype") in ("page", "document") and _target_id(attrs) is not None:
            yield attrs["linktype"], attrs["id"]
