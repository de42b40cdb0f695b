"""Navigation: what the logged-in user's role may open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .roles import can

# (label, url name, capability or None for everyone logged in, icon). Feature apps' entries are
# listed here by URL name only, so bapas never imports their code.
NAV_ITEMS = [
    (_("Home"), "home", None, "house"),
    (_("Caseload"), "clients:caseload", "clients.view", "people"),
    (_("Check-in"), "clients:checkin", "clients.checkin", "person-check"),
    (_("Outcomes"), "clients:awaiting_outcomes", "clients.casework", "hourglass-split"),
    (_("Referrals"), "partners:portal", "partners.portal", "inbox"),
    (_("Partners"), "partners:directory", "partners.view", "diagram-3"),
    (_("Meetings"), "meetings:list", "meetings.view", "calendar-event"),
    (_("Reports"), "reports:index", "reports.office", "file-earmark-bar-graph"),
    (_("Statistics"), "reports:regional", "reports.regional", "bar-chart"),
    (_("Users"), "users", "users.manage", "person-gear"),
    (_("Offices"), "offices", "offices.manage", "building"),
    (_("Audit"), "audit_changes", "audit.view", "shield-check"),
    (_("Outbox"), "notifications:outbox", "offices.manage", "send-check"),
]
# Administration pages go in one dropdown so the bar fits a laptop screen.
ADMIN_URL_NAMES = frozenset({"users", "offices", "audit_changes", "notifications:outbox"})


def _reverse_or_none(name: str) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse(name)
    except NoReverseMatch:  # the feature app has not added that page yet
        return None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_admin_items": []}
    items = []
    admin_items = []
    for label, url_name, capability, icon in NAV_ITEMS:
        if capability and not can(user, capability):
            continue
        url = _reverse_or_none(url_name)
        if url:
            entry = {"label": label, "url": url, "icon": icon, "active": request.path == url
                     or (url != "/" and request.path.startswith(url))}
            (admin_items if url_name in ADMIN_URL_NAMES else items).append(entry)
    return {"nav_items": items, "nav_admin_items": admin_items}
