import factory
import wagtail_factories
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed


class ImageFactory(wagtail_factories.ImageFactory):
    title = "Foto no pasākuma"


class DocumentFactory(wagtail_factories.DocumentFactory):
    title = "Prezentācija"


class EmbedFactory(factory.django.DjangoModelFactory):
    """A cached oEmbed result: EmbedBlock finds it without asking the provider over the network."""

    url = "https://www.youtube.com/watch?v=miniforums"
    max_width = None
    hash = factory.LazyAttribute(lambda o: get_embed_hash(o.url, o.max_width))
    type = "video"
    html = '<iframe src="https://www.youtube.com/embed/miniforums"></iframe>'
    title = "Miniforuma ieraksts"
    provider_name = "YouTube"

    class Meta:
        model = Embed
        django_get_or_create = ("hash",)
