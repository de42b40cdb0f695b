"""Every write about partners and referrals goes through a function here.

The referral lifecycle lives in ``referral_transition``: which status may follow which, which side
(the referring office or the partner) may move it, what each step requires, and the append-only
``ReferralEvent`` written for it. Functions validate first and raise ``ValidationError`` with
translated messages keyed by form field, then save inside one transaction, so a refused request
leaves nothing half-saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from bapas.models import MANAGER_ROLES, Role
from bapas.uploads import validate_upload
from clients.models import OrderStatus, SupervisionOrder

from .models import (
    CLOSED_STATUSES,
    MAX_SESSION_MINUTES,
    Agreement,
    Partner,
    Referral,
    ReferralEvent,
    ReferralGoal,
    ReferralStatus,
    Service,
    ServiceReport,
    ServiceSession,
)
from .notifications import notify_transition

S = ReferralStatus
OFFICER = "officer"
PARTNER = "partner"
EITHER = "either"

# from status -> {to status: which side may make the move}
TRANSITIONS: dict[str, dict[str, str]] = {
    S.DRAFT: {S.SENT: OFFICER, S.WITHDRAWN: OFFICER},
    S.SENT: {S.ACCEPTED: PARTNER, S.DECLINED: PARTNER, S.WITHDRAWN: OFFICER},
    S.ACCEPTED: {
        S.IN_PROGRESS: PARTNER, S.COMPLETED: PARTNER, S.WITHDRAWN: OFFICER, S.ENDED_EARLY: EITHER,
    },
    S.IN_PROGRESS: {S.COMPLETED: PARTNER, S.WITHDRAWN: OFFICER, S.ENDED_EARLY: EITHER},
}
REASON_REQUIRED = frozenset({S.DECLINED, S.WITHDRAWN, S.ENDED_EARLY})
AGREEMENT_DOCUMENT_TYPES = ("pdf", "jpg", "jpeg", "png")


# --- Who is on which side ------------------------------------------------------------------------


def is_office_manager(user, office_id: int) -> bool:
    return user.role in MANAGER_ROLES and user.office_id == office_id


def can_refer(user, order: SupervisionOrder) -> bool:
    """The order's own PK, or a supervisor or head of its office (a covering PK only reads)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    office_id = order.client.office_id
    if user.role == Role.PK:
        return order.assigned_pk_id == user.pk and user.office_id == office_id
    return is_office_manager(user, office_id)


def is_partner_side(user, referral: Referral) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.PARTNER
        and user.partner_id == referral.partner_id
    )


def side_of(user, referral: Referral) -> str | None:
    if is_partner_side(user, referral):
        return PARTNER
    if can_refer(user, referral.order):
        return OFFICER
    return None


def allowed_transitions(user, referral: Referral) -> list[str]:
    """The statuses this user may move the referral to now (for the buttons on the page)."""
    side = side_of(user, referral)
    if side is None:
        return []
    return [
        to for to, who in TRANSITIONS.get(referral.status, {}).items() if who in (side, EITHER)
    ]


# --- The lifecycle -------------------------------------------------------------------------------


def _label(status: str) -> str:
    return str(ReferralStatus(status).label)


def _check_sendable(referral: Referral) -> None:
    errors: dict[str, list[str]] = {}
    if not referral.has_consent:
        errors.setdefault("consent_given_at", []).append(
            _("Record the client's consent to share their data with the partner (date and how) "
              "before sending the referral.")
        )
    if not referral.goals.exists():
        errors.setdefault("goals", []).append(_("Write at least one goal before sending."))
    order = referral.order
    if order.status != OrderStatus.ACTIVE:
        errors.setdefault("__all__", []).append(
            _("The supervision order is no longer active; it cannot be referred.")
        )
    partner = referral.partner
    if not partner.is_active or not partner.offices.filter(pk=order.client.office_id).exists():
        errors.setdefault("partner", []).append(
            _("%(partner)s no longer works with this office.") % {"partner": partner}
        )
    elif not partner.services.filter(pk=referral.service_id).exists():
        errors.setdefault("partner", []).append(
            _("%(partner)s does not offer %(service)s.")
            % {"partner": partner, "service": referral.service}
        )
    if errors:
        raise ValidationError(errors)


def _check_completable(referral: Referral) -> None:
    if not ServiceReport.objects.filter(referral=referral).exists():
        raise ValidationError(
            _("Write the end-of-service report before completing the referral.")
        )
    if referral.goals.filter(outcome="").exists():
        raise ValidationError(_("Give the outcome of every goal before completing the referral."))


def referral_transition(*, referral: Referral, to_status: str, by, reason: str = "") -> Referral:
    """Move a referral to ``to_status`` if the lifecycle and the user's side allow it.

    Raises ``ValidationError`` for a move the lifecycle refuses (including any move out of a
    closed referral) or a missing requirement, ``PermissionDenied`` when the user is on the
    wrong side. Writes a ``ReferralEvent``. Returns the updated referral (``referral`` itself is
    refreshed too).
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update()
            .select_related("order__client", "partner", "service")
            .get(pk=referral.pk)
        )
        current = locked.status
        if current in CLOSED_STATUSES:
            raise ValidationError(
                _("This referral is closed (%(status)s); its status cannot change any more.")
                % {"status": _label(current)}
            )
        if to_status not in ReferralStatus.values:
            raise ValidationError(_("Unknown referral status."))
        side = TRANSITIONS.get(current, {}).get(to_status)
        if side is None:
            raise ValidationError(
                _("A referral that is %(current)s cannot become %(target)s.")
                % {"current": _label(current), "target": _label(to_status)}
            )
        actor = side_of(by, locked)
        if actor is None or side not in (actor, EITHER):
            raise PermissionDenied(_("You may not make this change to the referral."))
        if to_status in REASON_REQUIRED and not reason:
            raise ValidationError({"reason": _("Give a reason.")})
        if to_status == S.SENT:
            _check_sendable(locked)
        if to_status == S.COMPLETED:
            _check_completable(locked)

        now = timezone.now()
        locked.status = to_status
        if to_status == S.SENT:
            locked.sent_at = now
        elif to_status == S.ACCEPTED:
            locked.accepted_at = now
        if to_status in CLOSED_STATUSES:
            locked.closed_at = now
            locked.closing_reason = reason
        locked._history_user = by
        locked.save()
        event = ReferralEvent.objects.create(
            referral=locked, from_status=current, to_status=to_status, reason=reason, by=by, at=now
        )
        # After commit, so a notification problem never undoes the change itself.
        transaction.on_commit(partial(notify_transition, event.pk))
    for field in ("status", "sent_at", "accepted_at", "closed_at", "closing_reason"):
        setattr(referral, field, getattr(locked, field))
    return locked


# --- Creating and editing referrals --------------------------------------------------------------


def clean_goals(goals: Iterable[str] | str) -> list[str]:
    """One goal per non-empty line (a textarea) or per item."""
    if isinstance(goals, str):
        goals = goals.splitlines()
    return [line.strip()[:500] for line in goals if line and line.strip()]


def _validate_referral(
    *, order: SupervisionOrder, partner: Partner, service: Service, goals: list[str], by,
    consent_given_at: date | None, consent_method: str,
) -> None:
    if not can_refer(by, order):
        raise PermissionDenied(_("Only the client's PK or a supervisor of the office may refer."))
    errors: dict[str, list[str]] = {}
    if order.status != OrderStatus.ACTIVE:
        errors.setdefault("__all__", []).append(
            _("Only clients with an active supervision order can be referred.")
        )
    if not service.is_active:
        errors.setdefault("service", []).append(_("This service is no longer offered."))
    if not partner.is_active or not partner.offices.filter(pk=order.client.office_id).exists():
        errors.setdefault("partner", []).append(
            _("Choose a partner that works with this office.")
        )
    elif not partner.services.filter(pk=service.pk).exists():
        errors.setdefault("partner", []).append(
            _("%(partner)s does not offer %(service)s.")
            % {"partner": partner, "service": service}
        )
    if not goals:
        errors.setdefault("goals", []).append(_("Write at least one goal, one per line."))
    if consent_given_at and consent_given_at > timezone.localdate():
        errors.setdefault("consent_given_at", []).append(
            _("The consent date cannot be in the future.")
        )
    if consent_given_at and not consent_method:
        errors.setdefault("consent_method", []).append(_("Say how the client gave consent."))
    if (consent_method and order.client.is_child
            and consent_method != Referral.ConsentMethod.GUARDIAN):
        errors.setdefault("consent_method", []).append(
            _("For a child client, the parent or guardian gives consent.")
        )
    if consent_method and not consent_given_at:
        errors.setdefault("consent_given_at", []).append(
            _("Give the date the client gave consent.")
        )
    if errors:
        raise ValidationError(errors)


def _save_goals(referral: Referral, goals: list[str], by) -> None:
    existing = list(referral.goals.all())
    for goal in existing:
        goal._history_user = by
        goal.delete()
    rows = [ReferralGoal(referral=referral, position=i, description=text)
            for i, text in enumerate(goals)]
    bulk_create_with_history(rows, ReferralGoal, default_user=by)


def referral_create(
    *, order: SupervisionOrder, partner: Partner, service: Service, goals: Iterable[str] | str,
    by, note_for_partner: str = "", share_nik: bool = False, share_offence: bool = False,
    share_risk: bool = False, share_case_notes: bool = False,
    consent_given_at: date | None = None, consent_method: str = "", send: bool = False,
) -> Referral:
    """Create a draft referral with its goals; with ``send`` also send it, or save nothing."""
    goal_list = clean_goals(goals)
    _validate_referral(order=order, partner=partner, service=service, goals=goal_list, by=by,
                       consent_given_at=consent_given_at, consent_method=consent_method)
    if send and not (consent_given_at and consent_method):
        raise ValidationError({"consent_given_at": _(
            "Record the client's consent to share their data with the partner (date and how) "
            "before sending the referral. You can save it as a draft meanwhile."
        )})
    with transaction.atomic():
        referral = Referral(
            order=order, partner=partner, service=service, note_for_partner=note_for_partner,
            share_nik=share_nik, share_offence=share_offence, share_risk=share_risk,
            share_case_notes=share_case_notes, consent_given_at=consent_given_at,
            consent_method=consent_method, created_by=by,
        )
        referral._history_user = by
        referral.save()
        _save_goals(referral, goal_list, by)
        ReferralEvent.objects.create(referral=referral, from_status="", to_status=S.DRAFT, by=by)
        if send:
            referral_transition(referral=referral, to_status=S.SENT, by=by)
    return referral


def referral_update_draft(
    *, referral: Referral, partner: Partner, service: Service, goals: Iterable[str] | str, by,
    note_for_partner: str = "", share_nik: bool = False, share_offence: bool = False,
    share_risk: bool = False, share_case_notes: bool = False,
    consent_given_at: date | None = None, consent_method: str = "", send: bool = False,
) -> Referral:
    """Change a draft (only drafts change: what was sent is what the partner agreed to)."""
    if referral.status != S.DRAFT:
        raise ValidationError(_("Only a draft referral can be edited."))
    goal_list = clean_goals(goals)
    _validate_referral(order=referral.order, partner=partner, service=service, goals=goal_list,
                       by=by, consent_given_at=consent_given_at, consent_method=consent_method)
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != S.DRAFT:
            raise ValidationError(_("Only a draft referral can be edited."))
        for field, value in {
            "partner": partner, "service": service, "note_for_partner": note_for_partner,
            "share_nik": share_nik, "share_offence": share_offence, "share_risk": share_risk,
            "share_case_notes": share_case_notes, "consent_given_at": consent_given_at,
            "consent_method": consent_method,
        }.items():
            setattr(locked, field, value)
        locked._history_user = by
        locked.save()
        _save_goals(locked, goal_list, by)
        if send:
            referral_transition(referral=locked, to_status=S.SENT, by=by)
    referral.refresh_from_db()
    return referral


# --- The partner's side: sessions and the final report -------------------------------------------


def _check_partner_working(referral: Referral, by, action: str) -> None:
    if not is_partner_side(by, referral):
        raise PermissionDenied(_("Only staff of the partner may %(action)s.") % {"action": action})
    if referral.status == S.SENT:
        raise ValidationError(_("Accept the referral first."))
    if referral.status not in (S.ACCEPTED, S.IN_PROGRESS):
        raise ValidationError(
            _("This referral is %(status)s; nothing more can be recorded on it.")
            % {"status": _label(referral.status)}
        )


def session_log(
    *, referral: Referral, by, date: date, duration_minutes: int, attendance: str,
    activity: str, progress: str = "",
) -> ServiceSession:
    """Log one service session. The first session starts the service (accepted → in progress)."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().select_related("order__client").get(
            pk=referral.pk
        )
        _check_partner_working(locked, by, _("log sessions"))
        errors: dict[str, list[str]] = {}
        today = timezone.localdate()
        started = locked.service_started_on
        if date is None:
            errors.setdefault("date", []).append(_("Give the date of the session."))
        elif date > today:
            errors.setdefault("date", []).append(_("The session date cannot be in the future."))
        elif started and date < started:
            errors.setdefault("date", []).append(
                _("The session date cannot be before the referral was sent (%(day)s).")
                % {"day": date_format(started, "DATE_FORMAT")}
            )
        if duration_minutes is None or not 1 <= duration_minutes <= MAX_SESSION_MINUTES:
            errors.setdefault("duration_minutes", []).append(
                _("The duration must be between 1 and %(max)s minutes (one day).")
                % {"max": MAX_SESSION_MINUTES}
            )
        if attendance not in ServiceSession.Attendance.values:
            errors.setdefault("attendance", []).append(_("Choose the attendance."))
        if not (activity or "").strip():
            errors.setdefault("activity", []).append(_("Describe what was done."))
        if errors:
            raise ValidationError(errors)
        session = ServiceSession(
            referral=locked, date=date, duration_minutes=duration_minutes, attendance=attendance,
            activity=activity.strip(), progress=(progress or "").strip(), logged_by=by,
        )
        session._history_user = by
        session.save()
        if locked.status == S.ACCEPTED:
            referral_transition(referral=locked, to_status=S.IN_PROGRESS, by=by)
    referral.refresh_from_db()
    return session


def report_submit(
    *, referral: Referral, by, summary: str, outcomes: Mapping[int, tuple[str, str]],
    recommendation: str = "", complete: bool = True,
) -> ServiceReport:
    """Write the end-of-service report with an outcome per goal, and (by default) complete.

    ``outcomes`` maps each goal's id to ``(outcome, note)``.
    """
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        _check_partner_working(locked, by, _("write the report"))
        goals = list(locked.goals.all())
        errors: dict[str, list[str]] = {}
        if not (summary or "").strip():
            errors.setdefault("summary", []).append(_("Summarise the service given."))
        for goal in goals:
            outcome, _note = outcomes.get(goal.pk, ("", ""))
            if outcome not in ReferralGoal.Outcome.values:
                errors.setdefault(f"goal_{goal.pk}", []).append(
                    _("Choose the outcome of this goal.")
                )
        if errors:
            raise ValidationError(errors)
        report = ServiceReport.objects.filter(referral=locked).first() or ServiceReport(
            referral=locked
        )
        report.summary = summary.strip()
        report.recommendation = (recommendation or "").strip()
        report.submitted_by = by
        report.submitted_at = timezone.now()
        report._history_user = by
        report.save()
        for goal in goals:
            outcome, note = outcomes[goal.pk]
            goal.outcome = outcome
            goal.outcome_note = (note or "").strip()
            goal._history_user = by
            goal.save()
        if complete:
            referral_transition(referral=locked, to_status=S.COMPLETED, by=by)
    referral.refresh_from_db()
    return report


# --- Agreements and partners ---------------------------------------------------------------------


def can_manage_partner(user, partner: Partner | None = None) -> bool:
    """Supervisors and heads for the partners of their office; administrators for all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_admin:
        return True
    if user.role not in MANAGER_ROLES or not user.office_id:
        return False
    return partner is None or partner.pk is None or partner.offices.filter(
        pk=user.office_id
    ).exists()


def agreement_save(
    *, partner: Partner, by, office, kind: str, number: str, title: str, start_date: date,
    end_date: date, parties: str = "", document=None, agreement: Agreement | None = None,
) -> Agreement:
    """Record or correct an MoU/PKS between a partner and an office."""
    if not can_manage_partner(by, partner) or not (by.is_admin or office.pk == by.office_id):
        raise PermissionDenied(_("Only a supervisor of the office may record its agreements."))
    errors: dict[str, list[str]] = {}
    if not (number or "").strip():
        errors.setdefault("number", []).append(_("Give the agreement number."))
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("Give the title of the agreement."))
    if start_date and end_date and end_date < start_date:
        errors.setdefault("end_date", []).append(
            _("The agreement cannot end before it starts.")
        )
    if not partner.offices.filter(pk=office.pk).exists():
        errors.setdefault("office", []).append(
            _("%(partner)s does not work with this office.") % {"partner": partner}
        )
    if document is not None:
        try:
            validate_upload(document, AGREEMENT_DOCUMENT_TYPES)
        except ValidationError as exc:
            errors.setdefault("document", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement = agreement or Agreement(partner=partner, created_by=by)
        if agreement.partner_id != partner.pk:
            raise PermissionDenied
        agreement.office = office
        agreement.kind = kind
        agreement.number = number.strip()
        agreement.title = title.strip()
        agreement.parties = (parties or "").strip()
        agreement.start_date = start_date
        agreement.end_date = end_date
        if document is not None:
            agreement.document = document
        agreement._history_user = by
        agreement.save()
    return agreement


def partner_save(
    *, partner: Partner, by, services: Iterable[Service], offices: Iterable | None = None,
) -> Partner:
    """Save a partner with the services it offers and the offices it works with.

    Supervisors and heads add their own office to a new partner and never touch the links other
    offices made; administrators set the offices.
    """
    if not can_manage_partner(by, partner):
        raise PermissionDenied
    if partner.kind != Partner.Kind.POKMAS:
        partner.pokmas_group = ""
    elif not partner.pokmas_group:
        raise ValidationError({"pokmas_group": _("Choose the group of this Pokmas Lipas.")})
    office_list = list(offices) if offices is not None else None
    if by.is_admin and office_list is not None and not office_list:
        raise ValidationError({"offices": _("Choose at least one office.")})
    with transaction.atomic():
        partner._history_user = by
        partner.save()
        partner.services.set(list(services))
        if by.is_admin and office_list is not None:
            partner.offices.set(office_list)
        elif by.office_id:
            partner.offices.add(by.office_id)
    return partner
