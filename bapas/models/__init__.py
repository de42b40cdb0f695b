from .audit import AccessLog
from .offices import Office, RegionalOffice, nip_validator
from .users import MANAGER_ROLES, OFFICE_ROLES, Role, User

__all__ = [
    "MANAGER_ROLES",
    "OFFICE_ROLES",
    "AccessLog",
    "Office",
    "RegionalOffice",
    "Role",
    "User",
    "nip_validator",
]
from bapas.notifications.models import ClientMessageConsent, Notification, NotificationPreference  # noqa: F401
from .imports import ImportBatch, ImportRow  # noqa: E402, F401
