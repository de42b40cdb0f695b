"""Coordination meetings, TPP hearings and case conferences: who was invited and came, what was
said and decided, and who must do what by when. Plus each user's private calendar feed token."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bapas.models import Role
from bapas.scoping import ALL, office_ids_for
from clients.models.storage import private_storage

# Calendar events of meetings without an end time ("until finished") last this long.
DEFAULT_DURATION = timedelta(hours=2)


class MeetingKind(models.TextChoices):
    COORDINATION = "coordination", _("Coordination meeting (rapat koordinasi)")
    TPP = "tpp", _("Review board hearing (sidang TPP)")
    CASE_CONFERENCE = "case_conference", _("Case conference")
    OTHER = "other", _("Other meeting")


# Meeting kinds that discuss particular clients.
CLIENT_KINDS = frozenset({MeetingKind.TPP, MeetingKind.CASE_CONFERENCE})

KIND_BADGES = {
    MeetingKind.COORDINATION: "text-bg-primary",
    MeetingKind.TPP: "text-bg-danger",
    MeetingKind.CASE_CONFERENCE: "text-bg-warning",
    MeetingKind.OTHER: "text-bg-secondary",
}


class MeetingQuerySet(models.QuerySet):
    def for_user(self, user):
        """Office staff see their offices' meetings; partner staff the meetings they or their
        organisation are invited to; regional viewers none (meetings name clients)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role == Role.PARTNER:
            invited = Invitation.objects.filter(meeting=OuterRef("pk"), user=user)
            condition = Q(Exists(invited))
            if user.partner_id:
                org_invited = Meeting.partners.through.objects.filter(
                    meeting=OuterRef("pk"), partner_id=user.partner_id
                )
                condition |= Q(Exists(org_invited))
            return self.filter(condition)
        if user.role == Role.REGIONAL:
            return self.none()
        office_ids = office_ids_for(user)
        return self if office_ids is ALL else self.filter(office_id__in=office_ids)

    def upcoming(self, now=None):
        start_of_today = timezone.localtime(now or timezone.now()).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return self.filter(starts_at__gte=start_of_today)

    def past(self, now=None):
        start_of_today = timezone.localtime(now or timezone.now()).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return self.filter(starts_at__lt=start_of_today)

    def involving(self, user):
        """Meetings in the user's own calendar: invited, organised or chaired by them, or (for
        partner staff) their organisation is invited."""
        condition = (
            Q(Exists(Invitation.objects.filter(meeting=OuterRef("pk"), user=user)))
            | Q(created_by=user) | Q(chair=user)
        )
        if user.role == Role.PARTNER and user.partner_id:
            condition |= Q(Exists(Meeting.partners.through.objects.filter(
                meeting=OuterRef("pk"), partner_id=user.partner_id
            )))
        return self.filter(condition)


class Meeting(models.Model):
    office = models.ForeignKey(
        "bapas.Office", verbose_name=_("organising office"), on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("type"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(
        _("letter number"), max_length=100, blank=True,
        help_text=_("The number of the invitation letter (nomor surat)."),
    )
    letter_date = models.DateField(
        _("letter date"), null=True, blank=True,
        help_text=_("The date printed on the invitation; today if left empty."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(
        _("ends"), null=True, blank=True,
        help_text=_("Leave empty for 'until finished' (s.d. selesai)."),
    )
    place = models.CharField(_("place"), max_length=255, blank=True)
    online_link = models.URLField(_("online meeting link"), max_length=500, blank=True)
    notes = models.TextField(
        _("notes for the invitees"), blank=True,
        help_text=_("Printed on the invitation: what to bring, dress code, contact person."),
    )
    partners = models.ManyToManyField(
        "partners.Partner", verbose_name=_("invited organisations"), related_name="meetings",
        blank=True,
    )
    clients = models.ManyToManyField(
        "clients.Client", verbose_name=_("clients discussed"), through="MeetingClient",
        related_name="meetings", blank=True,
    )
    revocation_proposals = models.ManyToManyField(
        "clients.RevocationProposal", verbose_name=_("revocation proposals heard"),
        related_name="hearings", blank=True,
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chaired by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    minutes_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("minutes taken by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    minutes = models.TextField(_("minutes (notulen)"), blank=True)
    minutes_updated_at = models.DateTimeField(_("minutes last changed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organised by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords(m2m_fields=[partners, revocation_proposals])
    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["office", "starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The meeting cannot end before it starts.")
        if not (self.place or "").strip() and not (self.online_link or "").strip():
            errors["place"] = _("Give a place or an online meeting link.")
        if errors:
            raise ValidationError(errors)

    @property
    def day(self) -> date:
        return timezone.localdate(self.starts_at)

    @property
    def effective_end(self):
        return self.ends_at or self.starts_at + DEFAULT_DURATION

    @property
    def duration_minutes(self) -> int | None:
        if not self.ends_at:
            return None
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def has_started_day(self) -> bool:
        """Attendance and decisions can be recorded from the meeting's day on."""
        return self.day <= timezone.localdate()

    @property
    def is_upcoming(self) -> bool:
        return self.day >= timezone.localdate()

    @property
    def discusses_clients(self) -> bool:
        return self.kind in CLIENT_KINDS

    @property
    def kind_badge(self) -> str:
        return KIND_BADGES.get(self.kind, "text-bg-secondary")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("agenda item"), max_length=255)
    presenter = models.CharField(_("presented by"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """A person invited to a meeting, with their answer."""

    class Response(models.TextChoices):
        PENDING = "pending", _("no answer yet")
        CONFIRMED = "confirmed", _("will attend")
        DECLINED = "declined", _("cannot attend")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="meeting_invitations",
    )
    response = models.CharField(
        _("answer"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    response_note = models.CharField(_("note"), max_length=255, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_response_display()}"

    @property
    def response_badge(self) -> str:
        return {
            self.Response.CONFIRMED: "text-bg-success",
            self.Response.DECLINED: "text-bg-secondary",
        }.get(self.response, "text-bg-light border")


class MeetingClient(models.Model):
    """A client discussed at a TPP hearing or case conference."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="client_links")
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT,
        related_name="meeting_links",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    added_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client discussed")
        verbose_name_plural = _("clients discussed")
        ordering = ["meeting", "client__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "client"], name="client_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.client}"


class Attendance(models.Model):
    """Who came: an invitee (user) or a walk-in (name and organisation)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invitee"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    position = models.CharField(_("position (jabatan)"), max_length=200, blank=True)
    present = models.BooleanField(_("present"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False),
                name="attendance_once_per_invitee",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="attendance_has_person"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.full_name if self.user_id else self.name


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("decision"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Attachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), storage=private_storage, upload_to="meetings/%Y/%m/")
    content_type = models.CharField(max_length=100, editable=False, blank=True)
    size = models.PositiveIntegerField(editable=False, default=0)
    shared_with_partners = models.BooleanField(
        _("visible to invited partner staff"), default=False,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")
        ordering = ["meeting", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ActionItemQuerySet(models.QuerySet):
    def for_user(self, user):
        """Office staff: their offices' items. Partner staff: their own and their
        organisation's items, whatever meeting they came from."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role == Role.PARTNER:
            condition = Q(owner_user=user)
            if user.partner_id:
                condition |= Q(owner_partner_id=user.partner_id)
            return self.filter(condition)
        if user.role == Role.REGIONAL:
            return self.none()
        office_ids = office_ids_for(user)
        return self if office_ids is ALL else self.filter(meeting__office_id__in=office_ids)

    def owned_by(self, user):
        condition = Q(owner_user=user)
        if user.role == Role.PARTNER and user.partner_id:
            condition |= Q(owner_partner_id=user.partner_id)
        return self.filter(condition)

    def open(self):
        return self.filter(status=ActionItem.Status.OPEN)

    def overdue_first(self, today: date | None = None):
        today = today or timezone.localdate()
        return self.annotate(
            is_overdue=models.Case(
                models.When(status=ActionItem.Status.OPEN, due_date__lt=today, then=True),
                default=False, output_field=models.BooleanField(),
            )
        ).order_by("-is_overdue", "due_date", "id")


class ActionItem(models.Model):
    """Something someone (a person or an organisation) must do after a meeting."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    description = models.TextField(_("what must be done"))
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner (person)"), on_delete=models.PROTECT,
        related_name="meeting_action_items", null=True, blank=True,
    )
    owner_partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("owner (organisation)"), on_delete=models.PROTECT,
        related_name="meeting_action_items", null=True, blank=True,
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    completion_note = models.TextField(_("completion note"), blank=True)
    completed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords()
    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False, owner_partner__isnull=True)
                           | Q(owner_user__isnull=True, owner_partner__isnull=False)),
                name="action_item_has_one_owner",
            )
        ]
        indexes = [
            models.Index(fields=["owner_user", "status", "due_date"]),
            models.Index(fields=["owner_partner", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self) -> None:
        errors = {}
        if bool(self.owner_user_id) == bool(self.owner_partner_id):
            errors["owner_user"] = _("Choose one owner: a person or an organisation.")
        if self.due_date and self.meeting_id and self.due_date < self.meeting.day:
            errors["due_date"] = _(
                "The due date cannot be before the meeting (%(day)s)."
            ) % {"day": date_format(self.meeting.day, "SHORT_DATE_FORMAT")}
        if self.status == self.Status.DONE and not self.completion_note.strip():
            errors["completion_note"] = _("Say what was done before closing the item.")
        if errors:
            raise ValidationError(errors)

    @property
    def owner(self):
        return self.owner_user or self.owner_partner

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner else ""

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()

    @property
    def status_badge(self) -> str:
        if self.overdue:
            return "text-bg-danger"
        return {
            self.Status.OPEN: "text-bg-warning",
            self.Status.DONE: "text-bg-success",
            self.Status.CANCELLED: "text-bg-secondary",
        }[self.status]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a user's private calendar feed URL. Revoked tokens stay for the record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    # The secret itself is kept out of the history tables.
    history = HistoricalRecords(excluded_fields=["token", "last_used_at"])

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True),
                name="one_active_calendar_token",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'revoked' if self.revoked_at else 'active'})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
