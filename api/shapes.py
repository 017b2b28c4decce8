"""The one place where shared JSON shapes are built: image, document, page reference, link, person,
organisation, contact card, topic.

A shape looks the same wherever it appears: in a block, in a page field or on a snippet endpoint. Shapes
read only what the resolver has already loaded, so building them costs no queries. ``None`` means the object
is not public and must be dropped by whoever embeds it.
"""

from django.conf import settings

from .richtext import expand
from .urls import absolute_cms_url, frontend_url

# Allow-listed renditions: the front-end chooses from these, it cannot ask for arbitrary sizes.
DEFAULT_RENDITIONS = {
    "thumbnail": "fill-400x300",
    "small": "width-480",
    "medium": "width-960",
    "large": "width-1600",
}


def rendition_specs():
    return getattr(settings, "CMS_API_RENDITIONS", DEFAULT_RENDITIONS)


def image(img, alt_text=None):
    if img is None:
        return None
    specs = rendition_specs()
    renditions = img.get_renditions(*specs.values())
    sized = {}
    for name, spec in specs.items():
        rendition = renditions[spec]
        sized[name] = {"url": absolute_cms_url(rendition.url), "width": rendition.width, "height": rendition.height}
    # One candidate per width: renditions of an image smaller than the spec all come out at its own width.
    by_width = {}
    for name, spec in specs.items():
        if spec.startswith("width-"):
            by_width.setdefault(sized[name]["width"], sized[name]["url"])
    srcset = ", ".join(f"{url} {width}w" for width, url in sorted(by_width.items()))
    focal_point = None
    if img.has_focal_point():
        focal_point = {
            "x": img.focal_point_x,
            "y": img.focal_point_y,
            "width": img.focal_point_width,
            "height": img.focal_point_height,
        }
    return {
        "id": img.pk,
        "title": img.title,
        "alt": img.default_alt_text if alt_text is None else alt_text,
        "width": img.width,
        "height": img.height,
        "focal_point": focal_point,
        "renditions": sized,
        "srcset": srcset,
    }


def document_url(doc):
    return absolute_cms_url(doc.url)


def document(doc):
    if doc is None:
        return None
    return {
        "id": doc.pk,
        "title": doc.title,
        "url": document_url(doc),
        "file_size": doc.file_size,
        "file_type": doc.file_extension.lower(),
        "content_type": doc.content_type,
    }


def page_ref(page):
    if page is None:
        return None
    return {
        "id": page.pk,
        "type": page.specific_class._meta.label,
        "title": page.title,
        "url": frontend_url(page),
        "locale": page.locale.language_code,
    }


def _translation_state(obj):
    """Which language a snippet is shown in, and whether it stands in for a missing translation."""
    return {"locale": obj.locale.language_code, "fallback": getattr(obj, "api_fallback", False)}


def organisation(org):
    if org is None or not org.live:
        return None
    return {
        "id": org.pk,
        **_translation_state(org),
        "name": org.name,
        "acronym": org.acronym,
        "website": org.website,
        "logo": image(org.logo),
    }


def person(obj, context=None):
    if obj is None or not obj.live:
        return None
    return {
        "id": obj.pk,
        **_translation_state(obj),
        "name": obj.name,
        "job_title": obj.job_title,
        "organisation": organisation(obj.organisation),
        "photo": image(obj.photo),
        "bio": expand(obj.bio),
        "links": [
            item["value"]
            for item in obj.links.stream_block.get_api_representation(obj.links, context)
            if item["value"] is not None
        ],
    }


def contact_card(card):
    if card is None or not card.live:
        return None
    return {
        "id": card.pk,
        **_translation_state(card),
        "name": card.name,
        "position": card.position,
        "unit": card.unit,
        "organisation": organisation(card.organisation),
        "phone": card.phone,
        "email": card.email,
        "web_page": card.web_page,
        "address": card.address,
        "last_verified": card.last_verified.isoformat() if card.last_verified else None,
    }


def topic(obj):
    if obj is None or not obj.live:
        return None
    return {"id": obj.pk, **_translation_state(obj), "name": obj.name, "slug": obj.slug}


def shape_of(obj, context=None):
    """The shape of any chosen object, by its model (blocks call this for their chooser values)."""
    if obj is None:
        return None
    label = obj._meta.label_lower
    if label == "cms.person":
        return person(obj, context)
    if label == "cms.organisation":
        return organisation(obj)
    if label == "cms.contactcard":
        return contact_card(obj)
    if label == "cms.topic":
        return topic(obj)
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage
    from wagtail.models import Page

    if isinstance(obj, AbstractImage):
        return image(obj)
    if isinstance(obj, AbstractDocument):
        return document(obj)
    if isinstance(obj, Page):
        return page_ref(obj)
    raise TypeError(f"No API shape for {label}")
