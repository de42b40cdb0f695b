from .organisations import (
    AGREEMENT_BADGES,
    EXPIRING_WITHIN_DAYS,
    Agreement,
    AgreementStatus,
    Partner,
    PartnerContact,
    PartnerQuerySet,
    Service,
    agreement_status_for,
)
from .referrals import (
    CLOSED_STATUSES,
    MAX_SESSION_MINUTES,
    OPEN_STATUSES,
    PARTNER_CARD_STATUSES,
    PARTNER_VISIBLE,
    PORTAL_TABS,
    STATUS_BADGES,
    Referral,
    ReferralEvent,
    ReferralGoal,
    ReferralStatus,
    ServiceReport,
    ServiceSession,
)

__all__ = [
    "AGREEMENT_BADGES", "CLOSED_STATUSES", "EXPIRING_WITHIN_DAYS", "MAX_SESSION_MINUTES",
    "OPEN_STATUSES", "PARTNER_CARD_STATUSES", "PARTNER_VISIBLE", "PORTAL_TABS", "STATUS_BADGES",
    "Agreement", "AgreementStatus", "Partner", "PartnerContact", "PartnerQuerySet", "Referral",
    "ReferralEvent", "ReferralGoal", "ReferralStatus", "Service", "ServiceReport",
    "ServiceSession", "agreement_status_for",
]
