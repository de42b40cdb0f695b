from bapas.notifications.models import ClientMessageConsent, Notification, NotificationPreference

from .audit import AccessLog
from .imports import ImportBatch, ImportRow
from .offices import Office, RegionalOffice, nip_validator
from .users import MANAGER_ROLES, OFFICE_ROLES, Role, User

__all__ = [
    "MANAGER_ROLES",
    "OFFICE_ROLES",
    "AccessLog",
    "ClientMessageConsent",
    "ImportBatch",
    "ImportRow",
    "Notification",
    "NotificationPreference",
    "Office",
    "RegionalOffice",
    "Role",
    "User",
    "nip_validator",
]
