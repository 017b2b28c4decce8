"""One shape per object per response (``api.shapes.memoised``): the bytes are those built without it.

Shapes are shared between the places a response shows an object (a person in several speaker blocks and in the
JSON-LD, a photo as a speaker's photo and in an image block with alt text of its own), so whoever embeds one must
copy it before changing it. Random reports that reuse a few people and images are rendered with the memo and
without it; a shape changed in place by one block would show up in the other places, and the bytes would differ.
"""

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import cache as api_cache
from api import shapes
from cms.factories.media import ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import OrganisationFactory, PersonFactory
from cms.factories.streams import ReportBodyFactory

pytestmark = pytest.mark.django_db

alt_texts = st.text(alphabet="abcdē ", min_size=1, max_size=8)


def block_plans(people, images):
    person = st.sampled_from(range(people))
    image = st.sampled_from(range(images))
    speaker = st.fixed_dictionaries({"person": person, "role": st.sampled_from(["", "Moderatore"])})
    return st.lists(
        st.one_of(
            st.tuples(st.just("speaker"), speaker),
            st.tuples(st.just("talk"), st.fixed_dictionaries({"speakers": st.lists(speaker, min_size=1, max_size=3)})),
            st.tuples(
                st.just("image"),
                st.fixed_dictionaries({"image": image, "alt_text": alt_texts, "decorative": st.booleans()}),
            ),
        ),
        min_size=1,
        max_size=8,
    )


def render(api, page, memo):
    api_cache.bump(api_cache.EVERYTHING)  # built, not served from the cache
    with contextlib.ExitStack() as stack:
        if not memo:
            stack.enter_context(_without_memo())
        response = api.get(f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200, response.content
    return response.content


@contextlib.contextmanager
def _without_memo():
    original = shapes.memoised
    shapes.memoised = contextlib.nullcontext
    try:
        yield
    finally:
        shapes.memoised = original


@pytest.fixture
def pool(db):
    images = [ImageFactory(), ImageFactory()]
    organisation = OrganisationFactory(logo=images[0])
    people = [
        PersonFactory(photo=images[0], organisation=organisation),
        PersonFactory(photo=images[1]),
        PersonFactory(photo=images[0]),
    ]
    return people, images, EventReportIndexPageFactory()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=block_plans(people=3, images=2), hero=st.sampled_from([None, 0, 1]))
def test_memoised_response_is_the_unmemoised_one(api, pool, plan, hero):
    people, images, index = pool

    def value(kind, spec):
        if kind == "speaker":
            return {"person": people[spec["person"]], "role": spec["role"]}
        if kind == "talk":
            return {"speakers": [{"person": people[s["person"]], "role": s["role"]} for s in spec["speakers"]]}
        return {**spec, "image": images[spec["image"]]}

    page = EventReportPageFactory(
        parent=index,
        hero_image=None if hero is None else images[hero],
        body=ReportBodyFactory.stream([(kind, value(kind, spec)) for kind, spec in plan]),
    )
    page.save_revision().publish()
    assert render(api, page, memo=True) == render(api, page, memo=False)


def test_an_image_keeps_its_own_alt_text_where_a_block_gives_another(api, pool):
    people, images, index = pool
    images[0].description = "Portrets"  # its default alt text
    images[0].save()
    page = EventReportPageFactory(
        parent=index,
        hero_image=images[0],
        hero_image_alt="Forums zālē",
        body=ReportBodyFactory.stream(
            [
                ("speaker", {"person": people[0]}),
                ("image", {"image": images[0], "alt_text": "Runātāja"}),
                ("image", {"image": images[0], "decorative": True}),
                ("speaker", {"person": people[2]}),
            ]
        ),
    )
    page.save_revision().publish()
    data = api.get(f"/api/v2/pages/{page.pk}/").json()
    assert data["hero_image"]["alt"] == "Forums zālē"
    body = data["body"]
    assert body[0]["value"]["person"]["photo"]["alt"] == "Portrets"
    assert body[1]["value"]["image"]["alt"] == "Runātāja"
    assert body[2]["value"]["image"]["alt"] == ""
    assert body[3]["value"]["person"]["photo"]["alt"] == "Portrets"
