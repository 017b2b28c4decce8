"""What the admin's page forms post, for tests that submit them."""

from django import forms
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cms.models import EventReportPage


def new_page_form_data(model, parent=None, user=None, **values):
    """What the create form posts for a new page left as it opens, with ``values`` typed in: every field's
    initial value, each StreamField empty and each inline panel without rows (found from the form, so that a
    field added to the report later needs no change here)."""
    form_class = model.get_edit_handler().get_form_class()
    form = form_class(instance=model(), parent_page=parent, for_user=user)
    data = {}
    for name, field in form.fields.items():
        if getattr(field, "block", None) is not None:
            data[name] = streamfield([])
            continue
        initial = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if initial:
                data[name] = "on"
        elif isinstance(initial, (list, tuple)):
            data[name] = [str(item) for item in initial]
        else:
            data[name] = "" if initial is None else str(initial)
    for name in form.formsets:
        data[name] = inline_formset([])
    data.update(values)
    multiple = {name: value for name, value in data.items() if isinstance(value, list)}
    flat = nested_form_data({name: value for name, value in data.items() if name not in multiple})
    return {**flat, **multiple}


def report_form_data(**values):
    """A report's form with what every report needs filled in (an online forum on 28.10.2020), and ``values``."""
    return new_page_form_data(
        EventReportPage,
        **{
            "title": "Miniforums",
            "slug": "miniforums",
            "lead": "Tiešsaistes miniforums.",
            "event_kind": "forum",
            "date_precision": "day",
            "start_date": "2020-10-28",
            "publication_date_precision": "day",
            "event_format": "online",
            "participant_count_qualifier": "not_stated",
            **values,
        },
    )
