from wagtail import blocks


class ApiStructBlock(blocks.StructBlock):
    """A StructBlock that disappears from the API when a reference it cannot do without is not public.

    ``api_required`` names those children: a speaker without a (published) person, an image block without
    its image. Showing the rest would be half a block; the API drops it instead.
    """

    api_required = ()
    api_extra_properties = {}

    def get_api_representation(self, value, context=None):
        data = super().get_api_representation(value, context)
        if any(data.get(name) is None for name in self.api_required):
            return None
        return data


class ApiListBlock(blocks.ListBlock):
    """A ListBlock whose API form leaves out items that were dropped (see ``ApiStructBlock``)."""

    def get_api_representation(self, value, context=None):
        items = super().get_api_representation(value, context)
        return [item for item in items if item is not None]
