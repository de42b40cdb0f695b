"""Inbox, unread count, preferences and the administrators' outbox: access and behaviour."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bapas.notifications import engine
from bapas.notifications.models import Channel, Notification, NotificationPreference, Status
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

ROLES = ["pk", "pk2", "other_pk", "operator", "supervisor", "head", "partner", "regional", "admin"]


def in_app(user, subject="Hello", about=None, dedupe="", **fields) -> Notification:
    draft = engine.Draft(
        kind="test.inbox",
        channel=Channel.IN_APP,
        due_at=timezone.now(),
        subject=subject,
        recipient=user,
        about=about,
        dedupe=dedupe or subject,
        **fields,
    )
    engine.ensure([draft])
    return Notification.objects.get(unique_key=draft.key())


def failed(user) -> Notification:
    draft = engine.Draft(
        kind="test.outbox",
        channel=Channel.EMAIL,
        due_at=timezone.now(),
        subject="Could not send",
        recipient=user,
    )
    engine.ensure([draft])
    Notification.objects.filter(unique_key=draft.key()).update(
        status=Status.FAILED, error="SMTP 421 try later (gave up after 6 attempts)", attempts=6
    )
    return Notification.objects.get(unique_key=draft.key())


# --- Inbox -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_user_sees_only_their_own_notifications(login, users, role):
    for key in ROLES:
        in_app(users[key], subject=f"For [{key}]")
    response = login(users[role]).get(reverse("notifications:inbox"))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"For [{role}]" in content
    for other in ROLES:
        if other != role:
            assert f"For [{other}]" not in content
    assert "no-store" in response["Cache-Control"]


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["pk2", "supervisor", "admin", "partner"])
@pytest.mark.parametrize("view", ["notifications:open", "notifications:mark_read"])
def test_someone_elses_notification_is_404(login, users, role, view):
    notification = in_app(users["pk"])
    client = login(users[role])
    response = client.post(reverse(view, args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_unread_count_shows_in_the_navigation_on_every_page(login, users):
    in_app(users["pk"], subject="One")
    in_app(users["pk"], subject="Two")
    in_app(users["pk2"], subject="Not mine")
    client = login(users["pk"])
    for url in [reverse("home"), reverse("notifications:preferences")]:
        content = client.get(url).content.decode()
        assert 'id="nav-unread-count"' in content
        assert "</span>2</span>" in content


def test_no_badge_without_unread_notifications(login, users):
    content = login(users["pk"]).get(reverse("home")).content.decode()
    assert reverse("notifications:inbox") in content
    assert 'id="nav-unread-count"' not in content


def test_unread_count_costs_one_query(login, users, rf):
    from bapas.notifications.context_processors import notifications

    in_app(users["pk"])
    request = rf.get("/")
    request.user = users["pk"]
    context = notifications(request)
    with CaptureQueriesContext(connection) as queries:
        assert context["notifications_unread"] == 1
        assert str(context["notifications_unread"]) == "1"
    assert len(queries) == 1


def test_mark_one_read(login, users):
    first, second = in_app(users["pk"], "First"), in_app(users["pk"], "Second")
    response = login(users["pk"]).post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_mark_read_needs_post(login, users):
    notification = in_app(users["pk"])
    response = login(users["pk"]).get(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 405


def test_mark_all_read_touches_only_mine(login, users):
    mine = [in_app(users["pk"], f"n{i}") for i in range(3)]
    theirs = in_app(users["pk2"])
    login(users["pk"]).post(reverse("notifications:mark_all_read"))
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_ignores_an_outside_next_url(login, users):
    notification = in_app(users["pk"])
    response = login(users["pk"]).post(
        reverse("notifications:mark_read", args=[notification.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("notifications:inbox")


def test_open_marks_read_and_goes_to_the_object(login, users, own_order):
    contact = ContactFactory(order=own_order)
    notification = in_app(users["pk"], about=contact)
    response = login(users["pk"]).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == contact.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_no_link_to_an_object_the_user_may_not_open(login, users, own_order):
    contact = ContactFactory(order=own_order)  # users["pk"]'s case, not pk2's
    notification = in_app(users["pk2"], about=contact)
    client = login(users["pk2"])
    content = client.get(reverse("notifications:inbox")).content.decode()
    assert contact.get_absolute_url() not in content
    assert reverse("notifications:open", args=[notification.pk]) not in content
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:inbox")

    supervisor_note = in_app(users["supervisor"], about=contact)
    content = login(users["supervisor"]).get(reverse("notifications:inbox")).content.decode()
    assert reverse("notifications:open", args=[supervisor_note.pk]) in content


def test_inbox_lists_unread_first(login, users):
    old = in_app(users["pk"], "Old unread")
    read = in_app(users["pk"], "Newer, read")
    read.read_at = timezone.now()
    read.save()
    content = login(users["pk"]).get(reverse("notifications:inbox")).content.decode()
    assert content.index("Old unread") < content.index("Newer, read")
    unread_only = login(users["pk"]).get(reverse("notifications:inbox") + "?show=unread")
    assert "Newer, read" not in unread_only.content.decode()
    assert old.subject in unread_only.content.decode()


def test_inbox_pages_by_25(login, users):
    for i in range(30):
        in_app(users["pk"], f"Note {i:02d}")
    client = login(users["pk"])
    first = client.get(reverse("notifications:inbox"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("notifications:inbox") + "?page=2")
    assert len(second.context["page"].object_list) == 5


def test_inbox_query_count_does_not_grow_with_rows(login, users, own_order):
    contact = ContactFactory(order=own_order)
    client = login(users["pk"])

    def make(n, start):
        for i in range(start, start + n):
            in_app(users["pk"], f"Row {i}", about=contact if i % 2 else None)

    make(3, 0)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:inbox"))
    make(27, 3)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:inbox"))
    assert len(few) == len(many)


# --- Preferences --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_user_can_open_their_settings(login, users, role):
    assert login(users[role]).get(reverse("notifications:preferences")).status_code == 200


def test_preferences_are_saved(login, users):
    response = login(users["pk"]).post(
        reverse("notifications:preferences"), {"in_app": "on", "language": "en"}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=users["pk"])
    assert (preference.in_app, preference.email, preference.language) == (True, False, "en")


def test_whatsapp_without_a_number_is_refused(settings, login, users):
    settings.WHATSAPP_GATEWAY = "file"
    users["pk"].phone = ""
    users["pk"].save()
    response = login(users["pk"]).post(
        reverse("notifications:preferences"),
        {"in_app": "on", "email": "on", "whatsapp": "on", "whatsapp_number": "", "language": "en"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "whatsapp_number" in form.errors
    assert form["language"].value() == "en"  # what was typed is kept
    assert not NotificationPreference.objects.exists()


def test_bad_whatsapp_number_is_refused(settings, login, users):
    settings.WHATSAPP_GATEWAY = "file"
    response = login(users["pk"]).post(
        reverse("notifications:preferences"),
        {"whatsapp": "on", "whatsapp_number": "call me", "language": "id"},
    )
    assert response.status_code == 200
    assert "whatsapp_number" in response.context["form"].errors
    assert b"call me" in response.content
    assert not NotificationPreference.objects.exists()


def test_whatsapp_choice_hidden_when_no_gateway(login, users):
    response = login(users["pk"]).get(reverse("notifications:preferences"))
    assert "whatsapp" not in response.context["form"].fields


# --- Outbox -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_outbox_is_for_administrators_only(login, users, role):
    notification = failed(users["pk"])
    client = login(users[role])
    refused = 404 if role == "partner" else 403  # partner staff: not even that it exists
    assert client.get(reverse("notifications:outbox")).status_code == refused
    assert client.post(reverse("notifications:retry", args=[notification.pk])).status_code \
        == refused
    notification.refresh_from_db()
    assert notification.status == Status.FAILED


def test_outbox_shows_the_queue_with_errors(login, users):
    failed(users["pk"])
    in_app(users["pk2"], subject="Delivered")
    response = login(users["admin"]).get(reverse("notifications:outbox"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "SMTP 421 try later" in content and "Delivered" in content
    assert (
        reverse("notifications:retry", args=[Notification.objects.get(status=Status.FAILED).pk])
        in content
    )


def test_outbox_filters_by_status_and_channel(login, users):
    failed(users["pk"])
    in_app(users["pk2"], subject="Delivered")
    client = login(users["admin"])
    content = client.get(reverse("notifications:outbox") + "?status=failed").content.decode()
    assert "Could not send" in content and "Delivered" not in content
    content = client.get(reverse("notifications:outbox") + "?channel=in_app").content.decode()
    assert "Could not send" not in content and "Delivered" in content


def test_outbox_hides_client_phone_numbers(login, users, own_client):
    from bapas.notifications.models import ClientMessageConsent

    consent = ClientMessageConsent.objects.create(client=own_client, phone="081234567890")
    engine.ensure(
        [
            engine.Draft(
                kind="t",
                channel=Channel.WHATSAPP,
                due_at=timezone.now(),
                subject="Pengingat",
                phone=consent.phone,
                consent_id=consent.pk,
            )
        ]
    )
    content = login(users["admin"]).get(reverse("notifications:outbox")).content.decode()
    assert "••••7890" in content and "6281234567890" not in content


def test_retry_sends_a_failed_notification_again(login, users, django_capture_on_commit_callbacks):
    from django.core import mail

    notification = failed(users["pk"])
    with django_capture_on_commit_callbacks(execute=True):
        response = login(users["admin"]).post(
            reverse("notifications:retry", args=[notification.pk])
        )
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.attempts == 1 and notification.error == ""
    assert [m.subject for m in mail.outbox] == ["[Bapas] Could not send"]


def test_retry_refuses_a_notification_that_did_not_fail(login, users):
    notification = in_app(users["pk"])
    client = login(users["admin"])
    client.cookies["django_language"] = "en"  # read the English source message
    response = client.post(reverse("notifications:retry", args=[notification.pk]), follow=True)
    assert "Only a failed notification can be sent again." in response.content.decode()
    notification.refresh_from_db()
    assert notification.status == Status.SENT


def test_retry_of_a_missing_notification_is_404(login, users):
    response = login(users["admin"]).post(reverse("notifications:retry", args=[999999]))
    assert response.status_code == 404


def test_outbox_query_count_does_not_grow_with_rows(login, users):
    client = login(users["admin"])
    for i in range(3):
        in_app(users["pk"], f"Row {i}")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:outbox"))
    for i in range(3, 30):
        in_app(users[ROLES[i % len(ROLES)]], f"Row {i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("notifications:outbox"))
    assert len(few) == len(many)
    assert len(response.context["page"].object_list) == 25
