"""The referral lifecycle: every transition through one service, with its rules and its events."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import (
    CLOSED_STATUSES,
    Referral,
    ReferralEvent,
    ReferralGoal,
    ReferralStatus,
    ServiceReport,
    ServiceSession,
)
from tests.factories.partners import ReferralFactory, log_session

S = ReferralStatus


def transition(referral, to, by, reason=""):
    return services.referral_transition(referral=referral, to_status=to, by=by, reason=reason)


# --- Valid transitions ----------


def test_pk_sends_a_draft_with_consent_and_goals(referral, users):
    transition(referral, S.SENT, users["pk"])
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert referral.sent_at is not None
    event = referral.events.get(to_status=S.SENT)
    assert (event.from_status, event.by) == (S.DRAFT, users["pk"])


@pytest.mark.parametrize("manager", ["supervisor", "head"])
def test_supervisor_and_head_send_for_the_office(referral, users, manager):
    transition(referral, S.SENT, users[manager])
    assert Referral.objects.get(pk=referral.pk).status == S.SENT


def test_partner_accepts_then_starts_then_completes_with_report(make_referral, users):
    referral = make_referral(S.SENT)
    transition(referral, S.ACCEPTED, users["partner"])
    assert referral.status == S.ACCEPTED and referral.accepted_at
    transition(referral, S.IN_PROGRESS, users["partner"])
    services.report_submit(
        referral=referral, by=users["partner"], summary="Selesai",
        outcomes={g.pk: (ReferralGoal.Outcome.PARTLY, "catatan") for g in referral.goals.all()},
    )
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED
    assert referral.closed_at is not None
    assert list(referral.events.values_list("to_status", flat=True)) == [
        S.DRAFT, S.SENT, S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED
    ]
    assert set(referral.goals.values_list("outcome", flat=True)) == {"partly"}


def test_completing_straight_from_accepted_is_allowed(make_referral, users):
    referral = make_referral(S.ACCEPTED)
    services.report_submit(
        referral=referral, by=users["partner"], summary="Selesai",
        outcomes={g.pk: ("achieved", "") for g in referral.goals.all()},
    )
    assert Referral.objects.get(pk=referral.pk).status == S.COMPLETED


def test_partner_declines_with_reason(make_referral, users):
    referral = make_referral(S.SENT)
    transition(referral, S.DECLINED, users["partner"], "Kuota pelatihan penuh")
    referral.refresh_from_db()
    assert referral.status == S.DECLINED
    assert referral.closing_reason == "Kuota pelatihan penuh"
    assert referral.events.last().reason == "Kuota pelatihan penuh"


@pytest.mark.parametrize("start", [S.DRAFT, S.SENT, S.ACCEPTED, S.IN_PROGRESS])
def test_officer_withdraws_any_open_referral(make_referral, users, start):
    referral = make_referral(start)
    transition(referral, S.WITHDRAWN, users["pk"], "Klien pindah domisili")
    assert Referral.objects.get(pk=referral.pk).status == S.WITHDRAWN


@pytest.mark.parametrize("who", ["pk", "partner", "supervisor"])
@pytest.mark.parametrize("start", [S.ACCEPTED, S.IN_PROGRESS])
def test_either_side_ends_a_running_service_early(make_referral, users, who, start):
    referral = make_referral(start)
    transition(referral, S.ENDED_EARLY, users[who], "Klien bekerja di luar kota")
    referral.refresh_from_db()
    assert referral.status == S.ENDED_EARLY
    assert referral.closing_reason == "Klien bekerja di luar kota"


def test_first_session_starts_the_service(make_referral, users):
    referral = make_referral(S.ACCEPTED)
    log_session(referral, users["partner"])
    referral.refresh_from_db()
    assert referral.status == S.IN_PROGRESS
    event = referral.events.last()
    assert (event.from_status, event.to_status, event.by) == (
        S.ACCEPTED, S.IN_PROGRESS, users["partner"]
    )
    log_session(referral, users["partner"])
    assert referral.events.filter(to_status=S.IN_PROGRESS).count() == 1


# --- Invalid transitions ----------

ALL_MOVES = [(start, to) for start in S.values for to in S.values]


def _valid(start, to):
    return to in services.TRANSITIONS.get(start, {})


@pytest.mark.parametrize(("start", "to"), [m for m in ALL_MOVES if not _valid(*m)])
def test_every_move_outside_the_lifecycle_is_refused(make_referral, users, start, to):
    referral = make_referral(start)
    events_before = referral.events.count()
    for user in (users["pk"], users["partner"]):
        with pytest.raises(ValidationError):
            transition(referral, to, user, "alasan")
    referral.refresh_from_db()
    assert referral.status == start
    assert referral.events.count() == events_before


@pytest.mark.parametrize("closed", sorted(CLOSED_STATUSES))
def test_a_closed_referral_refuses_every_transition_with_a_clear_message(
    make_referral, users, closed
):
    referral = make_referral(closed)
    with pytest.raises(ValidationError) as exc:
        transition(referral, S.IN_PROGRESS, users["partner"])
    assert "closed" in exc.value.messages[0]


@pytest.mark.parametrize(("start", "to", "wrong"), [
    (S.DRAFT, S.SENT, "partner"),
    (S.SENT, S.ACCEPTED, "pk"),
    (S.SENT, S.DECLINED, "supervisor"),
    (S.SENT, S.WITHDRAWN, "partner"),
    (S.ACCEPTED, S.IN_PROGRESS, "pk"),
    (S.IN_PROGRESS, S.WITHDRAWN, "partner"),
])
def test_each_side_makes_only_its_own_moves(make_referral, users, start, to, wrong):
    referral = make_referral(start)
    with pytest.raises(PermissionDenied):
        transition(referral, to, users[wrong], "alasan")
    assert Referral.objects.get(pk=referral.pk).status == start


@pytest.mark.parametrize("outsider", ["pk2", "other_pk", "operator", "regional", "admin"])
def test_outsiders_cannot_move_a_referral(referral, users, outsider):
    with pytest.raises(PermissionDenied):
        transition(referral, S.SENT, users[outsider])
    assert Referral.objects.get(pk=referral.pk).status == S.DRAFT


def test_staff_of_another_partner_cannot_accept(make_referral, other_partner_staff):
    referral = make_referral(S.SENT)
    with pytest.raises(PermissionDenied):
        transition(referral, S.ACCEPTED, other_partner_staff)


def test_covering_pk_reads_but_cannot_send(referral, users):
    referral.order.cover_pk = users["pk2"]
    referral.order.save()
    with pytest.raises(PermissionDenied):
        transition(referral, S.SENT, users["pk2"])


@pytest.mark.parametrize(("start", "to", "who"), [
    (S.SENT, S.DECLINED, "partner"),
    (S.SENT, S.WITHDRAWN, "pk"),
    (S.ACCEPTED, S.ENDED_EARLY, "partner"),
])
def test_reason_is_required(make_referral, users, start, to, who):
    referral = make_referral(start)
    with pytest.raises(ValidationError) as exc:
        transition(referral, to, users[who], "   ")
    assert "reason" in exc.value.message_dict
    assert Referral.objects.get(pk=referral.pk).status == start


def test_sending_without_consent_is_refused_and_nothing_changes(referral, users):
    Referral.objects.filter(pk=referral.pk).update(consent_given_at=None, consent_method="")
    referral.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        transition(referral, S.SENT, users["pk"])
    assert "consent" in " ".join(exc.value.message_dict["consent_given_at"])
    referral.refresh_from_db()
    assert referral.status == S.DRAFT and referral.sent_at is None
    assert not referral.events.filter(to_status=S.SENT).exists()


def test_sending_without_goals_is_refused(users, own_order, partner, service):
    referral = ReferralFactory(order=own_order, partner=partner, service=service, goals=[])
    with pytest.raises(ValidationError) as exc:
        transition(referral, S.SENT, users["pk"])
    assert "goals" in exc.value.message_dict


def test_completing_needs_the_report(make_referral, users):
    referral = make_referral(S.IN_PROGRESS)
    with pytest.raises(ValidationError) as exc:
        transition(referral, S.COMPLETED, users["partner"])
    assert "report" in exc.value.messages[0]


def test_events_are_append_only(make_referral):
    referral = make_referral(S.SENT)
    event = referral.events.first()
    event.reason = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        ReferralEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionError):
        event.delete()


def test_history_records_who_changed_the_referral(make_referral, users):
    referral = make_referral(S.ACCEPTED)
    latest = referral.history.first()
    assert latest.status == S.ACCEPTED
    assert latest.history_user == users["partner"]


# --- Creating referrals ----------


def _create(order, partner, service, by, **kw):
    data = {"goals": "Memiliki KTP-el\nMemiliki KK", "consent_given_at": timezone.localdate(),
            "consent_method": "written"}
    data.update(kw)
    return services.referral_create(order=order, partner=partner, service=service, by=by, **data)


def test_create_and_send_in_one_step(users, own_order, partner, service):
    partner.services.add(service)
    referral = _create(own_order, partner, service, users["pk"], send=True)
    assert referral.status == S.SENT
    assert list(referral.goals.values_list("description", flat=True)) == [
        "Memiliki KTP-el", "Memiliki KK"
    ]
    assert list(referral.events.values_list("to_status", flat=True)) == [S.DRAFT, S.SENT]


def test_sending_without_consent_saves_nothing_not_even_a_draft(users, own_order, partner,
                                                                 service):
    partner.services.add(service)
    with pytest.raises(ValidationError) as exc:
        _create(own_order, partner, service, users["pk"], consent_given_at=None,
                consent_method="", send=True)
    assert "consent_given_at" in exc.value.message_dict
    assert not Referral.objects.exists()
    assert not ReferralGoal.objects.exists()


def test_draft_may_be_saved_without_consent(users, own_order, partner, service):
    partner.services.add(service)
    referral = _create(own_order, partner, service, users["pk"], consent_given_at=None,
                       consent_method="")
    assert referral.status == S.DRAFT


def test_partner_must_offer_the_service_and_work_with_the_office(
    users, own_order, partner, service, other_office
):
    with pytest.raises(ValidationError) as exc:
        _create(own_order, partner, service, users["pk"])
    assert "partner" in exc.value.message_dict
    partner.services.add(service)
    partner.offices.set([other_office])
    with pytest.raises(ValidationError):
        _create(own_order, partner, service, users["pk"])
    assert not Referral.objects.exists()


def test_pk_cannot_refer_a_colleagues_client(users, colleague_order, partner, service):
    partner.services.add(service)
    with pytest.raises(PermissionDenied):
        _create(colleague_order, partner, service, users["pk"])


def test_consent_in_the_future_is_refused(users, own_order, partner, service):
    partner.services.add(service)
    with pytest.raises(ValidationError) as exc:
        _create(own_order, partner, service, users["pk"],
                consent_given_at=timezone.localdate() + timedelta(days=1))
    assert "consent_given_at" in exc.value.message_dict


# --- Sessions and reports ----------


@pytest.mark.parametrize(("overrides", "field"), [
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": 1441}, "duration_minutes"),
    ({"date": timezone.localdate() + timedelta(days=1)}, "date"),
    ({"date": timezone.localdate() - timedelta(days=1)}, "date"),
    ({"activity": "  "}, "activity"),
])
def test_bad_sessions_are_refused_and_nothing_is_saved(make_referral, users, overrides, field):
    referral = make_referral(S.ACCEPTED)  # sent today: yesterday is before the referral
    with pytest.raises(ValidationError) as exc:
        log_session(referral, users["partner"], **overrides)
    assert field in exc.value.message_dict
    assert not ServiceSession.objects.exists()
    assert Referral.objects.get(pk=referral.pk).status == S.ACCEPTED


def test_duration_limits_are_inclusive(make_referral, users):
    referral = make_referral(S.ACCEPTED)
    log_session(referral, users["partner"], duration_minutes=1)
    log_session(referral, users["partner"], duration_minutes=1440)
    assert ServiceSession.objects.count() == 2


def test_session_on_a_sent_referral_asks_to_accept_first(make_referral, users):
    referral = make_referral(S.SENT)
    with pytest.raises(ValidationError) as exc:
        log_session(referral, users["partner"])
    assert "Accept" in exc.value.messages[0]


@pytest.mark.parametrize("closed", sorted(CLOSED_STATUSES))
def test_no_session_on_a_closed_referral(make_referral, users, closed):
    referral = make_referral(closed)
    with pytest.raises(ValidationError):
        log_session(referral, users["partner"])


def test_officers_do_not_log_sessions(make_referral, users):
    referral = make_referral(S.ACCEPTED)
    with pytest.raises(PermissionDenied):
        log_session(referral, users["pk"])


def test_report_needs_every_goal_outcome_and_saves_nothing_otherwise(make_referral, users):
    referral = make_referral(S.IN_PROGRESS)
    first = referral.goals.first()
    with pytest.raises(ValidationError) as exc:
        services.report_submit(referral=referral, by=users["partner"], summary="x",
                               outcomes={first.pk: ("achieved", "")})
    assert any(key.startswith("goal_") for key in exc.value.message_dict)
    assert not ServiceReport.objects.exists()
    assert not ReferralGoal.objects.exclude(outcome="").exists()
    assert Referral.objects.get(pk=referral.pk).status == S.IN_PROGRESS


def test_child_client_needs_guardian_consent(users, office, partner, service):
    from tests.factories import ClientFactory, OrderFactory

    child = ClientFactory(office=office, section="child")
    order = OrderFactory(client=child, assigned_pk=users["pk"])
    partner.services.add(service)
    with pytest.raises(ValidationError) as exc:
        _create(order, partner, service, users["pk"], consent_method="written")
    assert "consent_method" in exc.value.message_dict
    referral = _create(order, partner, service, users["pk"], consent_method="guardian",
                       send=True)
    assert referral.status == S.SENT


# --- Notifications ----------


def test_each_side_is_notified_of_the_others_changes(
    make_referral, users, django_capture_on_commit_callbacks
):
    from bapas.notifications.models import Notification

    referral = make_referral(S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        transition(referral, S.SENT, users["pk"])
    to_partner = Notification.objects.filter(recipient=users["partner"], channel="in_app")
    assert to_partner.count() == 1
    note = to_partner.get()
    assert note.link == reverse("partners:portal_referral", args=[referral.pk])
    assert "Muhammad Rizky" not in note.subject  # no client name in messages that leave
    with django_capture_on_commit_callbacks(execute=True):
        transition(referral, S.ACCEPTED, users["partner"])
    to_pk = Notification.objects.filter(recipient=users["pk"], channel="in_app").get()
    assert to_pk.link == reverse("partners:referral_detail", args=[referral.pk])
    # nobody hears about their own change: one message each, about the other side's move
    assert Notification.objects.filter(recipient=users["partner"], channel="in_app").count() == 1
