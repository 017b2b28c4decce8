"""DRF fields for the page and snippet endpoints. They read what the resolver loaded and build shapes."""

from rest_framework.fields import Field

from . import shapes


def _resolver(field):
    return field.context["resolver"]


class StreamField(Field):
    """A StreamField as display-ready blocks; blocks whose references are not public are left out."""

    def to_representation(self, value):
        with _resolver(self).active():
            items = value.stream_block.get_api_representation(value, self.context)
        return [item for item in items if item["value"] is not None]


class ImageField(Field):
    """An image foreign key, with the alt text from ``alt_field`` when the model has one."""

    def __init__(self, alt_field=None, **kwargs):
        self.alt_field = alt_field
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, obj):
        field = obj._meta.get_field(self.field_name)
        image = _resolver(self).get(field.related_model, getattr(obj, field.attname))
        alt = getattr(obj, self.alt_field) or None if self.alt_field else None
        return shapes.image(image, alt_text=alt)


class VenueField(Field):
    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, page):
        if not (page.venue_name or page.venue_address):
            return None
        return {"name": page.venue_name, "address": page.venue_address}


class ParticipantsField(Field):
    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, page):
        return {
            "count": page.participant_count,
            "qualifier": page.participant_count_qualifier,
            "groups": [group.name for group in page.audience_groups.all()],
        }


class SessionsField(Field):
    def to_representation(self, sessions):
        return [
            {
                "date": session.date.isoformat(),
                "start_time": session.start_time.isoformat(timespec="minutes") if session.start_time else None,
                "end_time": session.end_time.isoformat(timespec="minutes") if session.end_time else None,
                "part_of_day": session.part_of_day or None,
                "title": session.title,
            }
            for session in sessions.all()
        ]


class OrganisersField(Field):
    def to_representation(self, organisers):
        result = []
        for row in organisers.all():
            organisation = shapes.organisation(_resolver(self).get("cms.organisation", row.organisation_id))
            if organisation is not None:
                result.append({"organisation": organisation, "part": row.part})
        return result


class TopicsField(Field):
    """Topics in the response language (topics are shared by all translations of a report)."""

    def to_representation(self, topics):
        resolver = _resolver(self)
        shown = (shapes.topic(resolver.get("cms.topic", topic.pk)) for topic in topics.all())
        return [shape for shape in shown if shape is not None]
