from wagtail import blocks


class ApiStructBlock(blocks.StructBlock):
    """A StructBlock that disappears from the API when a reference it cannot do without is not public.

    ``api_required`` names those children: a speaker without a (published) person, an image block without
    its image. Showing the rest would be half a block; the API drops it instead.
    """

    api_required = ()
    # The chosen objects whose not being public takes the whole block out of the API; by default the
    # ``api_required`` ones. A block that names one indexes no text for search: the search index is written
    # when the page is saved and knows nothing of the chosen object's state later (unpublished, moved into a
    # private collection), so words from such a block would find the page by text no reader can see.
    api_depends_on = None
    api_extra_properties = {}

    def get_searchable_content(self, value):
        depends_on = self.api_required if self.api_depends_on is None else self.api_depends_on
        if any(value.get(name) for name in depends_on):
            return []
        return super().get_searchable_content(value)

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
