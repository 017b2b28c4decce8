from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm


class EventReportPageForm(WagtailAdminPageForm):
    """Checks that need the page and its inline sessions together."""

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start_date"), cleaned_data.get("end_date")
        sessions = self.formsets.get("sessions") if hasattr(self, "formsets") else None
        if not start or sessions is None:
            return cleaned_data
        last_day = end if end and end >= start else start
        for form in sessions.forms:
            # Child forms validate lazily; is_valid() fills cleaned_data so the date can be compared.
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            day = form.cleaned_data.get("date")
            if day and not start <= day <= last_day:
                form.add_error("date", _("The session must fall within the event's start and end dates."))
        return cleaned_data
