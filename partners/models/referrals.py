"""Referrals of clients to partners, their lifecycle events, service sessions and final report.

Every status change goes through ``partners.services.referral_transition``; the models only know
facts about themselves (which states are open, what the partner may see).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bapas.models import Role
from bapas.scoping import ALL, office_ids_for

MAX_SESSION_MINUTES = 24 * 60


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent, awaiting the partner")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    ENDED_EARLY = "ended_early", _("ended early")


OPEN_STATUSES = frozenset(
    {ReferralStatus.DRAFT, ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}
)
CLOSED_STATUSES = frozenset(
    {ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.WITHDRAWN,
     ReferralStatus.ENDED_EARLY}
)
# What the partner's portal groups into its tabs. Drafts and withdrawn referrals never show.
PORTAL_TABS = {
    "new": (ReferralStatus.SENT,),
    "active": (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS),
    "closed": (ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.ENDED_EARLY),
}
PARTNER_VISIBLE = frozenset(s for statuses in PORTAL_TABS.values() for s in statuses)
# While the service runs, partner staff see the client's contact details and photo.
PARTNER_CARD_STATUSES = frozenset(
    {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}
)

STATUS_BADGES = {
    ReferralStatus.DRAFT: "text-bg-light border",
    ReferralStatus.SENT: "text-bg-info",
    ReferralStatus.ACCEPTED: "text-bg-primary",
    ReferralStatus.DECLINED: "text-bg-danger",
    ReferralStatus.IN_PROGRESS: "text-bg-primary",
    ReferralStatus.COMPLETED: "text-bg-success",
    ReferralStatus.WITHDRAWN: "text-bg-secondary",
    ReferralStatus.ENDED_EARLY: "text-bg-warning",
}


class ReferralQuerySet(models.QuerySet):
    def for_user(self, user):
        """Referrals an officer may open: a PK their caseload's (and cover), managers the office.

        Partner staff and regional viewers get nothing here; the portal uses ``for_partner``.
        """
        if not getattr(user, "is_authenticated", False) or user.role in {
            Role.PARTNER, Role.REGIONAL
        }:
            return self.none()
        office_ids = office_ids_for(user)
        qs = self if office_ids is ALL else self.filter(order__client__office_id__in=office_ids)
        if user.role == Role.PK:
            qs = qs.filter(models.Q(order__assigned_pk=user) | models.Q(order__cover_pk=user))
        return qs

    def for_partner(self, user):
        """The referrals partner staff may open: their active organisation's, once sent.

        A withdrawn referral (or a draft) is invisible at once, whatever the staff member holds.
        """
        if (
            not getattr(user, "is_authenticated", False)
            or not user.is_active
            or user.role != Role.PARTNER
            or not user.partner_id
        ):
            return self.none()
        return self.filter(
            partner_id=user.partner_id, partner__is_active=True, status__in=PARTNER_VISIBLE
        )

    def with_session_count(self):
        """Annotate ``session_count``, the referral's logged sessions.

        A correlated subquery rather than ``Count("sessions")``: the join and ``GROUP BY`` made
        PostgreSQL count the sessions of every referral of the list before sorting and cutting
        it to a page; the subquery runs for the rows shown only.
        """
        sessions = (
            ServiceSession.objects.filter(referral=models.OuterRef("pk"))
            .order_by()
            .values("referral")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(session_count=Coalesce(
            models.Subquery(sessions, output_field=models.IntegerField()), 0
        ))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Referral(models.Model):
    """A PK refers a client, for one of their orders, to a partner for a service."""

    class ConsentMethod(models.TextChoices):
        WRITTEN = "written", _("signed consent form")
        VERBAL = "verbal", _("verbal, witnessed by the PK")
        GUARDIAN = "guardian", _("signed by parent or guardian (child client)")

    order = models.ForeignKey(
        "clients.SupervisionOrder", verbose_name=_("supervision order"),
        on_delete=models.PROTECT, related_name="referrals",
    )
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner organisation"), on_delete=models.PROTECT,
        related_name="referrals",
    )
    service = models.ForeignKey(
        "partners.Service", verbose_name=_("service"), on_delete=models.PROTECT,
        related_name="referrals",
    )
    note_for_partner = models.TextField(
        _("note for the partner"), blank=True,
        help_text=_("What the partner needs to know to provide the service. Partner staff see it."),
    )
    # What the PK chose to share beyond the basic card (name, photo, sex, age, contact, address).
    share_nik = models.BooleanField(_("share the NIK"), default=False)
    share_offence = models.BooleanField(_("share the offence"), default=False)
    share_risk = models.BooleanField(_("share the risk level"), default=False)
    share_case_notes = models.BooleanField(
        _("share non-confidential case notes"), default=False
    )
    consent_given_at = models.DateField(_("consent given on"), null=True, blank=True)
    consent_method = models.CharField(
        _("how consent was given"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices,
        default=ReferralStatus.DRAFT, editable=False, db_index=True,
    )
    closing_reason = models.TextField(
        _("reason"), blank=True, editable=False,
        help_text=_("Why the referral was declined, withdrawn or ended early."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "status"]),
            models.Index(fields=["order", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.partner}"

    def get_absolute_url(self) -> str:
        return reverse("partners:referral_detail", args=[self.pk])

    @property
    def client(self):
        return self.order.client

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def has_consent(self) -> bool:
        return bool(self.consent_given_at and self.consent_method)

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def partner_sees_card(self) -> bool:
        """Contact details and photo are shown to the partner only while the service runs."""
        return self.status in PARTNER_CARD_STATUSES

    @property
    def service_started_on(self):
        """The first day a session may be logged: the day the referral was sent (or accepted)."""
        moment = self.sent_at or self.accepted_at
        return timezone.localdate(moment) if moment else None

    def shared_fields(self) -> list[str]:
        names = {"share_nik": _("NIK"), "share_offence": _("offence"),
                 "share_risk": _("risk level"), "share_case_notes": _("case notes")}
        return [str(label) for field, label in names.items() if getattr(self, field)]


class ReferralGoal(models.Model):
    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", _("achieved")
        PARTLY = "partly", _("partly achieved")
        NOT_ACHIEVED = "not_achieved", _("not achieved")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("goal"), max_length=500)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("note on the outcome"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral goal")
        verbose_name_plural = _("referral goals")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def outcome_badge(self) -> str:
        return {
            self.Outcome.ACHIEVED: "text-bg-success",
            self.Outcome.PARTLY: "text-bg-warning",
            self.Outcome.NOT_ACHIEVED: "text-bg-danger",
        }.get(self.outcome, "text-bg-light border")


class ReferralEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Referral events are append-only")

    def delete(self):
        raise PermissionError("Referral events are append-only")


class ReferralEvent(models.Model):
    """One status change of a referral: from, to, why, who, when. Never updated or deleted."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(
        _("from"), max_length=12, choices=ReferralStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=ReferralStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = ReferralEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Referral events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Referral events are append-only")

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[self.to_status]


class ServiceSession(models.Model):
    """One session of the service, logged by the partner's staff."""

    class Attendance(models.TextChoices):
        ATTENDED = "attended", _("attended (hadir)")
        ABSENT = "absent", _("absent (tidak hadir)")
        EXCUSED = "excused", _("excused (izin)")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SESSION_MINUTES)],
    )
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices)
    activity = models.TextField(_("what was done"))
    progress = models.TextField(_("progress"), blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT,
        related_name="+",
    )
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service session")
        verbose_name_plural = _("service sessions")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    duration_minutes__gte=1, duration_minutes__lte=MAX_SESSION_MINUTES
                ),
                name="session_duration_within_a_day",
            )
        ]
        indexes = [models.Index(fields=["referral", "date"])]  # a month's sessions

    def __str__(self) -> str:
        return f"{self.date} · {self.referral}"

    @property
    def attendance_badge(self) -> str:
        return ATTENDANCE_BADGES[self.attendance]


ATTENDANCE_BADGES = {
    ServiceSession.Attendance.ATTENDED: "text-bg-success",
    ServiceSession.Attendance.ABSENT: "text-bg-danger",
    ServiceSession.Attendance.EXCUSED: "text-bg-secondary",
}


class ServiceReport(models.Model):
    """The partner's end-of-service report; the outcome of each goal lives on the goal."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="report")
    summary = models.TextField(_("summary of the service"))
    recommendation = models.TextField(_("recommendation for the PK"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("end-of-service report")
        verbose_name_plural = _("end-of-service reports")

    def __str__(self) -> str:
        return f"{self.referral} · {self.submitted_at:%Y-%m-%d}"
