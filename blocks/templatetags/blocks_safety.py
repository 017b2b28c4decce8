"""Template filters that apply ``blocks.sanitise`` where blocks render their own HTML (admin previews).

Django escapes what a template prints, but an escaped ``javascript:`` address is still a working link, and
rich text is printed as HTML: both are cleaned here, whatever was stored.
"""

from django import template
from django.utils.safestring import mark_safe
from wagtail.rich_text import RichText, expand_db_html

from ..sanitise import clean_api_html, safe_url

register = template.Library()


@register.filter(name="safe_url")
def safe_url_filter(value):
    """The address when it is http, https, mailto, tel or relative, else empty."""
    return safe_url(str(value)) if value else ""


@register.filter
def clean_rich_text(value):
    """Stored rich text as HTML, with links resolved and only the allowed elements and attributes."""
    if not value:
        return ""
    source = value.source if isinstance(value, RichText) else str(value)
    return mark_safe(clean_api_html(expand_db_html(source)))  # noqa: S308 - sanitised by the line itself
