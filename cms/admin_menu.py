"""The admin menu's entry for event reports: every report in one flat list, in every language.

In the page tree a report sits under its language's index page; editors look for "their report", not for a place
in a tree, and Wagtail's own "Reports" menu (statistics of the admin) is easily taken for it. The listing is
Wagtail's page listing for one page type (``PageListingViewSet``): its search, filters (language included),
bulk actions and links to edit are Wagtail's.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, LocaleColumn
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.permissions import policy_registry
from wagtail.utils.version import get_main_version

from blocks.widgets import lazy_percent
from cms.models import EventReportPage


class EventDatesColumn(Column):
    """The event's dates only as exactly as the report gives them ("maijs 2021", not 01.05.2021)."""

    cell_template_name = "cms/admin/event_dates_cell.html"


class EventReportIndexView(IndexView):
    # The language has a column of its own (sortable, and filtered by Wagtail's language filter), so the title
    # does not repeat it as a label.
    show_locale_labels = False


def _columns():
    wagtail_columns = {column.name: column for column in IndexView.base_columns}
    return [
        wagtail_columns["bulk_actions"],
        wagtail_columns["title"],
        EventDatesColumn("start_date", label=_("When"), sort_key="start_date", width="16%"),
        wagtail_columns["status"],
        LocaleColumn(label=_("Language"), width="10%"),
        wagtail_columns["latest_revision_created_at"],
    ]


class EventReportListingViewSet(PageListingViewSet):
    """The "Event reports" menu entry: where an editor finds a report to edit or starts a new one."""

    model = EventReportPage
    index_view_class = EventReportIndexView
    icon = "calendar"
    menu_label = _("Event reports")
    menu_name = "event-reports"
    add_to_admin_menu = True
    # Right under "Pages" (Wagtail's explorer is at 100), above the event content (snippets, 200).
    menu_order = 150
    columns = _columns()

    @cached_property
    def menu_item_class(self):
        # Shown to those who may open the listing, as Wagtail does for its model viewsets.
        any_permission_required = self.index_view_class.any_permission_required
        model = self.model

        def is_shown(_item, request):
            policy = policy_registry.get_by_type(model)
            return policy.user_has_any_permission(request.user, any_permission_required)

        return type("EventReportsMenuItem", (MenuItem,), {"is_shown": is_shown})


event_report_listing = EventReportListingViewSet("event_reports")


@hooks.register("register_admin_viewset")
def register_event_report_listing():
    return event_report_listing


# Menu labels that Wagtail and wagtail-localize translate once, when a menu is first built (in the language of
# whoever asked first; wagtail-localize's "Translations" report is gettext, Wagtail's "What's new" is formatted
# at once): given back lazily, by the item's name, so that each editor reads them in their own language.
WAGTAIL_VERSION = get_main_version(include_patch=False)
LAZY_MENU_LABELS = {
    "translations": _("Translations"),
    f"whats-new-in-wagtail-{WAGTAIL_VERSION}": lazy_percent(
        "What's new in Wagtail %(version)s", version=WAGTAIL_VERSION
    ),
}


@hooks.register("construct_reports_menu")
@hooks.register("construct_help_menu")
def translate_menu_labels_when_shown(request, menu_items):
    for item in menu_items:
        label = LAZY_MENU_LABELS.get(item.name)
        if label is not None:
            item.label = label
