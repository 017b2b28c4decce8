from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from cms.publishing import PublishingRuleFormMixin


class SnippetForm(PublishingRuleFormMixin, WagtailAdminModelForm):
    """The admin form of people, organisations, contact cards, projects and topics: choices in the snippet's
    language, and no publishing while it shows unpublished snippets (``cms.publishing``)."""


class EventReportPageForm(PublishingRuleFormMixin, WagtailAdminPageForm):
    """Presents on each session the rule the page model holds (``EventReportPage.sessions_outside_event``); keeps
    chosen snippets in the report's language and refuses publishing while it shows unpublished ones
    (``cms.publishing``)."""

    def clean(self):
        cleaned_data = super().clean()
        sessions = self.formsets.get("sessions") if hasattr(self, "formsets") else None
        if sessions is None:
            return cleaned_data
        edited = []
        for form in sessions.forms:
            # Child forms validate lazily; is_valid() builds form.instance from what the editor typed.
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk or form.has_changed():  # an untouched extra form is no session
                edited.append(form)
        # The model checks these rather than the sessions last saved (see EventReportPage._clean_sessions).
        self.instance.edited_sessions = [form.instance for form in edited]
        page = self.instance
        for name in ("start_date", "end_date", "date_precision"):
            if name in cleaned_data:
                setattr(page, name, cleaned_data[name])
        outside = {id(session) for session in page.sessions_outside_event(page.edited_sessions)}
        for form in edited:
            if id(form.instance) in outside:
                form.add_error("date", _("The session must fall within the event's start and end dates."))
        return cleaned_data
