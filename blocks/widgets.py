"""Chooser widgets whose labels are read in each editor's language.

Wagtail formats a snippet chooser's labels (“Choose person”, “Edit this person”) when the widget is made, and a
form's or block's widgets are made once per process, at the first use: every editor would then read them in the
language of whoever came first. Here they are formatted each time they are shown.
"""

from django.utils.functional import lazy
from django.utils.translation import gettext
from wagtail.snippets.widgets import AdminSnippetChooser


def lazy_percent(msgid, **params):
    """``gettext(msgid) % params``, translated when it is shown (params may be lazy too: verbose names)."""
    return lazy(lambda: gettext(msgid) % params, str)()


def translate_labels_when_shown(widget):
    name = widget.model._meta.verbose_name
    widget.choose_one_text = lazy_percent("Choose %(object)s", object=name)
    widget.choose_another_text = lazy_percent("Choose another %(object)s", object=name)
    widget.link_to_chosen_text = lazy_percent("Edit this %(object)s", object=name)
    return widget


class SnippetChooserWidget(AdminSnippetChooser):
    """The chooser of a snippet in a form, its labels in each editor's language."""

    def __init__(self, model=None, **kwargs):
        super().__init__(model=model, **kwargs)
        translate_labels_when_shown(self)
