"""Form widgets of the report's editor that are not blocks'.

The report's topics are a list of checkboxes: a municipality has a few dozen topics, and seeing them all is how an
editor files a report consistently. Below the list, “Choose or create a topic” opens Wagtail's topic chooser (the
one with the “Create” tab, limited to the page's language, see ``cms.choosers``): a topic chosen there is ticked,
and one created there is added to the list and ticked, without leaving the report.
"""

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _
from wagtail.admin.staticfiles import versioned_static

from blocks.widgets import SnippetChooserWidget


class TopicsWidget(forms.CheckboxSelectMultiple):
    template_name = "cms/widgets/topics.html"
    choose_text = _("Choose or create a topic")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        topic = apps.get_model("cms", "Topic")
        # A hidden chooser of one topic: its script is Wagtail's, and it gives the modal (and its address) that
        # this list opens to choose several. Its input is named so that no form reads it.
        helper_id = f"{context['widget']['attrs']['id']}-chooser-helper"
        context["chooser"] = SnippetChooserWidget(topic).render(f"{name}-chooser-helper", None, {"id": helper_id})
        context["chooser_id"] = helper_id
        context["choose_text"] = self.choose_text
        return context

    @property
    def media(self):
        return SnippetChooserWidget(apps.get_model("cms", "Topic")).media + forms.Media(
            js=[versioned_static("cms/widgets/topics.js")]
        )
