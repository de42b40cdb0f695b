"""Planning contacts, recording outcomes (with visit photos), rescheduling, cancelling, the
awaiting-outcome page, the agenda and the office's reporting intervals."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from bapas.models import AccessLog
from clients.models import (
    Contact,
    ContactKind,
    ContactPhoto,
    OrderStatus,
    Outcome,
    ReportingInterval,
    RiskLevel,
)
from tests.factories import ClientFactory, ContactFactory, OrderFactory

# Roles and what they get on a page about pk's client: pk2 and other_pk cannot see the client
# at all (404); the operator, regional viewers and IT administrators do no casework (403);
# partner staff get 404 for every office page (no hint that it exists).
CASE_PAGE_STATUS = {
    "pk": 200, "supervisor": 200, "head": 200,
    "pk2": 404, "other_pk": 404,
    "operator": 403, "partner": 404, "regional": 403, "admin": 403,
}
LIST_PAGE_STATUS = {
    "pk": 200, "pk2": 200, "other_pk": 200, "supervisor": 200, "head": 200,
    "operator": 403, "partner": 404, "regional": 403, "admin": 403,
}


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source messages, whatever the catalogues hold."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name="rumah.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def local(day, hour=10, minute=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def past_contact(own_order):
    return ContactFactory(order=own_order, planned_at=timezone.now() - timedelta(days=2))


@pytest.fixture
def future_contact(own_order):
    return ContactFactory(order=own_order, planned_at=timezone.now() + timedelta(days=3))


@pytest.fixture
def past_visit(own_order):
    return ContactFactory(
        order=own_order, kind=ContactKind.HOME_VISIT, place="Jl. Mawar 3, Sumbersari",
        planned_at=timezone.now() - timedelta(days=1),
    )


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role,status", CASE_PAGE_STATUS.items())
@pytest.mark.parametrize(
    "page", ["contact_plan", "schedule_generate", "contact_detail", "contact_outcome",
             "contact_reschedule", "contact_cancel"],
)
def test_case_pages_per_role(login, users, own_order, past_contact, page, role, status):
    target = own_order.pk if page in ("contact_plan", "schedule_generate") else past_contact.pk
    response = login(users[role]).get(reverse(f"clients:{page}", args=[target]))
    assert response.status_code == status


@pytest.mark.parametrize("role,status", CASE_PAGE_STATUS.items())
@pytest.mark.parametrize("page", ["contact_plan", "contact_outcome", "contact_cancel"])
def test_case_writes_per_role_save_nothing_when_refused(
    login, users, own_order, past_contact, page, role, status
):
    target = own_order.pk if page == "contact_plan" else past_contact.pk
    data = {
        "contact_plan": {"kind": ContactKind.PHONE,
                         "planned_at": (timezone.localdate() + timedelta(days=2))
                         .strftime("%d/%m/%Y 10:00")},
        "contact_outcome": {"outcome": Outcome.MISSED},
        "contact_cancel": {"reason": "Klien sakit"},
    }[page]
    before = Contact.objects.count()
    response = login(users[role]).post(reverse(f"clients:{page}", args=[target]), data)
    past_contact.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
    else:
        assert response.status_code == status
        assert Contact.objects.count() == before
        assert past_contact.outcome == "" and past_contact.cancelled_at is None


def test_contact_pages_are_not_cached(login, users, past_contact):
    response = login(users["pk"]).get(reverse("clients:contact_detail", args=[past_contact.pk]))
    assert "no-store" in response["Cache-Control"]


def test_covering_pk_reads_the_contact_but_cannot_change_it(login, users, colleague_order):
    colleague_order.cover_pk = users["pk"]
    colleague_order.save()
    contact = ContactFactory(order=colleague_order, planned_at=timezone.now() - timedelta(days=1))
    client = login(users["pk"])
    assert client.get(reverse("clients:contact_detail", args=[contact.pk])).status_code == 200
    response = client.post(reverse("clients:contact_outcome", args=[contact.pk]),
                           {"outcome": Outcome.ATTENDED})
    assert response.status_code == 403
    assert client.get(reverse("clients:contact_plan", args=[colleague_order.pk])).status_code \
        == 403
    contact.refresh_from_db()
    assert contact.outcome == ""


def test_contact_detail_is_access_logged(login, users, past_contact):
    login(users["supervisor"]).get(reverse("clients:contact_detail", args=[past_contact.pk]))
    entry = AccessLog.objects.get(object_id=str(past_contact.pk), action=AccessLog.Action.VIEW)
    assert entry.user == users["supervisor"]
    assert entry.office_id == past_contact.order.client.office_id
    assert "Muhammad Rizky" in entry.object_label


# --- Planning -------------------------------------------------------------------------------


def test_pk_plans_a_home_visit_for_the_assigned_pk(login, users, own_order):
    day = timezone.localdate() + timedelta(days=5)
    response = login(users["pk"]).post(
        reverse("clients:contact_plan", args=[own_order.pk]),
        {"kind": ContactKind.HOME_VISIT, "planned_at": f"{day:%Y-%m-%d}T14:30",
         "place": "Jl. Mawar 3", "officer": ""},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(order=own_order)
    assert contact.kind == ContactKind.HOME_VISIT
    assert timezone.localtime(contact.planned_at) == local(day, 14, 30)
    assert contact.officer == users["pk"]
    assert contact.created_by == users["pk"]
    assert contact.history.get().history_user == users["pk"]


def test_planning_accepts_indonesian_typed_date_and_time(login, users, own_order):
    day = timezone.localdate() + timedelta(days=3)
    for typed in (f"{day:%d/%m/%Y} 09:15", f"{day:%d/%m/%Y} 09.15"):
        response = login(users["supervisor"]).post(
            reverse("clients:contact_plan", args=[own_order.pk]),
            {"kind": ContactKind.PHONE, "planned_at": typed, "officer": users["pk2"].pk},
        )
        assert response.status_code == 302
    planned = list(Contact.objects.filter(order=own_order).values_list("planned_at", "officer"))
    assert len(planned) == 2
    assert all(timezone.localtime(at) == local(day, 9, 15) for at, _officer in planned)
    assert all(officer == users["pk2"].pk for _at, officer in planned)


def test_remote_reporting_needs_a_justification(login, users, own_order):
    day = timezone.localdate() + timedelta(days=2)
    typed = f"{day:%d/%m/%Y} 10:00"
    response = login(users["pk"]).post(
        reverse("clients:contact_plan", args=[own_order.pk]),
        {"kind": ContactKind.REMOTE_REPORT, "planned_at": typed},
    )
    assert response.status_code == 200
    assert "write why the client cannot report in person" in response.content.decode()
    assert typed in response.content.decode()  # what was typed is kept
    assert not Contact.objects.exists()


def test_remote_reporting_with_a_justification_is_planned(login, users, own_order):
    day = timezone.localdate() + timedelta(days=2)
    login(users["pk"]).post(
        reverse("clients:contact_plan", args=[own_order.pk]),
        {"kind": ContactKind.REMOTE_REPORT, "planned_at": f"{day:%d/%m/%Y} 10:00",
         "remote_justification": "Bekerja di Bali"},
    )
    assert Contact.objects.get().remote_justification == "Bekerja di Bali"


def test_planning_on_a_closed_order_is_refused(login, users, own_order):
    own_order.status = OrderStatus.COMPLETED
    own_order.save()
    client = login(users["pk"])
    url = reverse("clients:contact_plan", args=[own_order.pk])
    assert "only be planned for an active order" in client.get(url).content.decode()
    day = timezone.localdate() + timedelta(days=2)
    response = client.post(url, {"kind": ContactKind.PHONE,
                                 "planned_at": f"{day:%d/%m/%Y} 10:00"})
    assert response.status_code == 200
    assert "only possible for an active order" in response.content.decode()
    assert not Contact.objects.exists()


def test_planning_outside_the_supervision_period_is_refused(login, users, own_order):
    after_end = own_order.supervision_end + timedelta(days=3)
    response = login(users["pk"]).post(
        reverse("clients:contact_plan", args=[own_order.pk]),
        {"kind": ContactKind.PHONE, "planned_at": f"{after_end:%d/%m/%Y} 10:00"},
    )
    assert "within the supervision period" in response.content.decode()
    assert not Contact.objects.exists()


def test_planning_rejects_a_garbled_date(login, users, own_order):
    response = login(users["pk"]).post(
        reverse("clients:contact_plan", args=[own_order.pk]),
        {"kind": ContactKind.PHONE, "planned_at": "31/02/2026 25:00"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["planned_at"]
    assert not Contact.objects.exists()


def test_officer_of_another_office_cannot_be_chosen(login, users, own_order):
    day = timezone.localdate() + timedelta(days=2)
    response = login(users["supervisor"]).post(
        reverse("clients:contact_plan", args=[own_order.pk]),
        {"kind": ContactKind.PHONE, "planned_at": f"{day:%d/%m/%Y} 10:00",
         "officer": users["other_pk"].pk},
    )
    assert response.context["form"].errors["officer"]
    assert not Contact.objects.exists()


# --- Outcomes -------------------------------------------------------------------------------


def test_pk_records_a_missed_report(login, users, past_contact):
    response = login(users["pk"]).post(
        reverse("clients:contact_outcome", args=[past_contact.pk]),
        {"outcome": Outcome.MISSED, "notes": "Tidak datang, HP tidak aktif"},
    )
    assert response.status_code == 302
    past_contact.refresh_from_db()
    assert past_contact.outcome == Outcome.MISSED
    assert past_contact.notes == "Tidak datang, HP tidak aktif"
    assert past_contact.recorded_by == users["pk"]
    assert past_contact.happened_at == past_contact.planned_at
    assert past_contact.history.first().history_user == users["pk"]


def test_outcome_for_a_future_contact_is_refused(login, users, future_contact):
    client = login(users["pk"])
    url = reverse("clients:contact_outcome", args=[future_contact.pk])
    assert "cannot have an outcome yet" in client.get(url).content.decode()
    response = client.post(url, {"outcome": Outcome.ATTENDED, "notes": "hadir"})
    assert response.status_code == 200
    assert "A contact in the future cannot have an outcome yet" in response.content.decode()
    future_contact.refresh_from_db()
    assert future_contact.outcome == ""


def test_outcome_time_cannot_be_in_the_future(login, users, past_contact):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = login(users["pk"]).post(
        reverse("clients:contact_outcome", args=[past_contact.pk]),
        {"outcome": Outcome.ATTENDED, "happened_at": f"{tomorrow:%d/%m/%Y} 10:00"},
    )
    assert response.context["form"].errors["happened_at"]
    past_contact.refresh_from_db()
    assert past_contact.outcome == ""


def test_cancelled_contact_cannot_get_an_outcome(login, users, past_contact):
    past_contact.cancelled_at = timezone.now()
    past_contact.cancel_reason = "Libur"
    past_contact.save()
    response = login(users["pk"]).post(
        reverse("clients:contact_outcome", args=[past_contact.pk]), {"outcome": Outcome.MISSED}
    )
    assert "cancelled, so it cannot have an outcome" in response.content.decode()
    past_contact.refresh_from_db()
    assert past_contact.outcome == ""


def test_outcome_must_be_chosen(login, users, past_contact):
    response = login(users["pk"]).post(
        reverse("clients:contact_outcome", args=[past_contact.pk]), {"notes": "catatan"}
    )
    assert "Choose what happened." in response.content.decode()
    assert "catatan" in response.content.decode()
    past_contact.refresh_from_db()
    assert past_contact.outcome == ""


def test_home_visit_with_photos_is_recorded_and_photos_are_served_privately(
    login, users, past_visit, settings
):
    client = login(users["pk"])
    response = client.post(
        reverse("clients:contact_outcome", args=[past_visit.pk]),
        {"outcome": Outcome.ATTENDED, "place": "Rumah klien, Jl. Mawar 3",
         "notes": "Klien bekerja di bengkel", "photos": [png_upload("a.png"), png_upload("b.png")]},
    )
    assert response.status_code == 302
    past_visit.refresh_from_db()
    assert past_visit.outcome == Outcome.ATTENDED
    assert past_visit.place == "Rumah klien, Jl. Mawar 3"
    photos = list(ContactPhoto.objects.filter(contact=past_visit))
    assert len(photos) == 2
    assert photos[0].uploaded_by == users["pk"]
    # Stored in private storage, outside MEDIA_ROOT, with no public URL.
    assert photos[0].image.path.startswith(str(settings.PRIVATE_STORAGE_ROOT))
    assert not photos[0].image.path.startswith(str(settings.MEDIA_ROOT))
    served = client.get(reverse("clients:contact_photo", args=[photos[0].pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert "no-store" in served["Cache-Control"]
    assert b"".join(served.streaming_content) == png_bytes()
    assert AccessLog.objects.filter(
        object_id=str(photos[0].pk), action=AccessLog.Action.DOWNLOAD, user=users["pk"]
    ).exists()


@pytest.mark.parametrize("role,status", CASE_PAGE_STATUS.items())
def test_visit_photo_per_role(login, users, past_visit, role, status):
    photo = ContactPhoto.objects.create(contact=past_visit, image=png_upload(),
                                        uploaded_by=users["pk"])
    response = login(users[role]).get(reverse("clients:contact_photo", args=[photo.pk]))
    assert response.status_code == status


def test_photo_that_is_not_an_image_is_refused(login, users, past_visit):
    fake = SimpleUploadedFile("foto.jpg", b"<html><script>alert(1)</script></html>",
                              content_type="image/jpeg")
    response = login(users["pk"]).post(
        reverse("clients:contact_outcome", args=[past_visit.pk]),
        {"outcome": Outcome.ATTENDED, "place": "Rumah", "notes": "ok", "photos": [fake]},
    )
    assert response.status_code == 200
    assert "not a real .jpg file" in response.content.decode()
    past_visit.refresh_from_db()
    assert past_visit.outcome == ""
    assert not ContactPhoto.objects.exists()


def test_photo_over_ten_megabytes_is_refused(login, users, past_visit):
    big = SimpleUploadedFile("besar.png", png_bytes() + b"\0" * (10 * 1024 * 1024),
                             content_type="image/png")
    response = login(users["pk"]).post(
        reverse("clients:contact_outcome", args=[past_visit.pk]),
        {"outcome": Outcome.ATTENDED, "place": "Rumah", "photos": [big]},
    )
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    past_visit.refresh_from_db()
    assert past_visit.outcome == ""
    assert not ContactPhoto.objects.exists()


def test_visit_needs_its_place(login, users, own_order):
    visit = ContactFactory(order=own_order, kind=ContactKind.WORKPLACE_VISIT, place="",
                           planned_at=timezone.now() - timedelta(hours=3))
    response = login(users["pk"]).post(
        reverse("clients:contact_outcome", args=[visit.pk]),
        {"outcome": Outcome.ATTENDED, "place": ""},
    )
    assert "Write where the visit took place." in response.content.decode()
    visit.refresh_from_db()
    assert visit.outcome == ""


def test_same_pk_corrects_an_outcome_and_history_keeps_both(login, users, past_contact):
    client = login(users["pk"])
    url = reverse("clients:contact_outcome", args=[past_contact.pk])
    client.post(url, {"outcome": Outcome.MISSED})
    client.post(url, {"outcome": Outcome.EXCUSED, "notes": "Surat dokter menyusul"})
    past_contact.refresh_from_db()
    assert past_contact.outcome == Outcome.EXCUSED
    outcomes = list(past_contact.history.order_by("history_date").values_list("outcome",
                                                                               flat=True))
    assert outcomes == ["", Outcome.MISSED, Outcome.EXCUSED]


def test_supervisor_corrects_but_pk_cannot_correct_a_supervisors_outcome(
    login, users, past_contact
):
    url = reverse("clients:contact_outcome", args=[past_contact.pk])
    login(users["pk"]).post(url, {"outcome": Outcome.MISSED})
    assert login(users["supervisor"]).post(url, {"outcome": Outcome.EXCUSED}).status_code == 302
    past_contact.refresh_from_db()
    assert past_contact.recorded_by == users["supervisor"]
    response = login(users["pk"]).post(url, {"outcome": Outcome.ATTENDED})
    assert response.status_code == 403
    past_contact.refresh_from_db()
    assert past_contact.outcome == Outcome.EXCUSED


def test_quick_outcome_from_the_awaiting_page_with_htmx(login, users, past_contact):
    response = login(users["pk"]).post(
        reverse("clients:contact_outcome", args=[past_contact.pk]),
        {"outcome": Outcome.ATTENDED_NONCOMPLIANT, "notes": "Terlambat", "quick": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "list-group-item-success" in response.content.decode()
    past_contact.refresh_from_db()
    assert past_contact.outcome == Outcome.ATTENDED_NONCOMPLIANT


def test_quick_outcome_error_stays_in_the_row(login, users, past_visit):
    response = login(users["pk"]).post(
        reverse("clients:contact_outcome", args=[past_visit.pk]),
        {"outcome": Outcome.ATTENDED, "place": "", "quick": "1"}, HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith('<div class="list-group-item js-contact-row"')
    assert f'id="contact-{past_visit.pk}"' in body
    assert "Write where the visit took place." in body
    past_visit.refresh_from_db()
    assert past_visit.outcome == ""


# --- Reschedule and cancel ------------------------------------------------------------------


def test_reschedule_keeps_the_original_time_and_reason(login, users, future_contact):
    original = future_contact.planned_at
    new_day = timezone.localdate() + timedelta(days=6)
    response = login(users["pk"]).post(
        reverse("clients:contact_reschedule", args=[future_contact.pk]),
        {"planned_at": f"{new_day:%d/%m/%Y} 13:00", "reason": "Klien bekerja shift pagi"},
    )
    assert response.status_code == 302
    future_contact.refresh_from_db()
    assert future_contact.rescheduled_from == original
    assert future_contact.reschedule_reason == "Klien bekerja shift pagi"
    assert timezone.localtime(future_contact.planned_at) == local(new_day, 13)
    assert future_contact.history.count() == 2


def test_reschedule_needs_a_reason(login, users, future_contact):
    original = future_contact.planned_at
    new_day = timezone.localdate() + timedelta(days=6)
    typed = f"{new_day:%d/%m/%Y} 13:00"
    response = login(users["pk"]).post(
        reverse("clients:contact_reschedule", args=[future_contact.pk]),
        {"planned_at": typed, "reason": ""},
    )
    assert response.status_code == 200
    assert "Give the reason for rescheduling." in response.content.decode()
    assert typed in response.content.decode()
    future_contact.refresh_from_db()
    assert future_contact.planned_at == original
    assert future_contact.rescheduled_from is None


def test_reschedule_into_the_past_is_refused(login, users, future_contact):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = login(users["pk"]).post(
        reverse("clients:contact_reschedule", args=[future_contact.pk]),
        {"planned_at": f"{yesterday:%d/%m/%Y} 13:00", "reason": "x"},
    )
    assert "must be in the future" in response.content.decode()
    future_contact.refresh_from_db()
    assert future_contact.rescheduled_from is None


def test_contact_with_an_outcome_cannot_be_rescheduled(login, users, past_contact):
    past_contact.outcome = Outcome.ATTENDED
    past_contact.save()
    new_day = timezone.localdate() + timedelta(days=6)
    response = login(users["pk"]).post(
        reverse("clients:contact_reschedule", args=[past_contact.pk]),
        {"planned_at": f"{new_day:%d/%m/%Y} 13:00", "reason": "x"},
    )
    assert response.status_code == 200
    past_contact.refresh_from_db()
    assert past_contact.rescheduled_from is None


def test_cancel_needs_a_reason_and_then_blocks_outcomes(login, users, past_contact):
    client = login(users["pk"])
    url = reverse("clients:contact_cancel", args=[past_contact.pk])
    response = client.post(url, {"reason": "  "})
    assert "Give the reason for cancelling." in response.content.decode()
    past_contact.refresh_from_db()
    assert past_contact.cancelled_at is None
    assert client.post(url, {"reason": "Hari libur nasional"}).status_code == 302
    past_contact.refresh_from_db()
    assert past_contact.cancelled_at is not None
    assert past_contact.cancel_reason == "Hari libur nasional"
    assert past_contact not in Contact.objects.awaiting_outcome()


# --- The awaiting-outcome page --------------------------------------------------------------


@pytest.mark.parametrize("role,status", LIST_PAGE_STATUS.items())
@pytest.mark.parametrize("page", ["awaiting_outcomes", "agenda"])
def test_list_pages_per_role(login, users, page, role, status):
    assert login(users[role]).get(reverse(f"clients:{page}")).status_code == status


def test_awaiting_lists_past_open_contacts_oldest_first(login, users, own_order, colleague_order):
    now = timezone.now()
    older = ContactFactory(order=own_order, planned_at=now - timedelta(days=9))
    newer = ContactFactory(order=own_order, planned_at=now - timedelta(hours=2))
    ContactFactory(order=own_order, planned_at=now + timedelta(days=1))  # future
    ContactFactory(order=own_order, planned_at=now - timedelta(days=3), outcome=Outcome.MISSED)
    ContactFactory(order=own_order, planned_at=now - timedelta(days=4), cancelled_at=now)
    ContactFactory(order=colleague_order, planned_at=now - timedelta(days=5))
    response = login(users["pk"]).get(reverse("clients:awaiting_outcomes"))
    rows = list(response.context["page"])
    assert rows == [older, newer]
    assert rows[0].days_overdue == 9
    assert "Muhammad Rizky" in response.content.decode()
    assert "Siti Aminah" not in response.content.decode()


def test_supervisor_sees_the_office_and_filters_by_pk(login, users, own_order, colleague_order,
                                                      foreign_order):
    past = timezone.now() - timedelta(days=1)
    mine = ContactFactory(order=own_order, planned_at=past)
    theirs = ContactFactory(order=colleague_order, planned_at=past)
    ContactFactory(order=foreign_order, planned_at=past)
    client = login(users["supervisor"])
    response = client.get(reverse("clients:awaiting_outcomes"))
    assert set(response.context["page"]) == {mine, theirs}
    response = client.get(reverse("clients:awaiting_outcomes"), {"pk": users["pk2"].pk})
    assert list(response.context["page"]) == [theirs]


def test_other_office_pk_sees_none_of_our_contacts(login, users, own_order):
    ContactFactory(order=own_order, planned_at=timezone.now() - timedelta(days=1))
    response = login(users["other_pk"]).get(reverse("clients:awaiting_outcomes"))
    assert list(response.context["page"]) == []
    assert "Muhammad Rizky" not in response.content.decode()


def _make_past_contacts(office, pk, count):
    now = timezone.now()
    for n in range(count):
        order = OrderFactory(client=ClientFactory(office=office), assigned_pk=pk)
        ContactFactory(order=order, planned_at=now - timedelta(days=1, hours=n))


@pytest.mark.parametrize("role", ["pk", "supervisor"])
def test_awaiting_page_runs_constant_queries(login, users, office, role):
    client = login(users[role])
    url = reverse("clients:awaiting_outcomes")
    _make_past_contacts(office, users["pk"], 3)
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["page"]) == 3
    _make_past_contacts(office, users["pk"], 27)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).context["page"]) == 25
    assert len(few.captured_queries) == len(many.captured_queries)


def test_awaiting_page_paginates_by_25(login, users, office):
    _make_past_contacts(office, users["pk"], 30)
    client = login(users["pk"])
    first = client.get(reverse("clients:awaiting_outcomes"))
    second = client.get(reverse("clients:awaiting_outcomes"), {"page": 2})
    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 5
    assert first.context["page"].paginator.count == 30


# --- Agenda ---------------------------------------------------------------------------------


def test_agenda_shows_the_next_two_weeks(login, users, own_order, colleague_order):
    today = timezone.localdate()
    soon = ContactFactory(order=own_order, planned_at=local(today + timedelta(days=1)))
    last_day = ContactFactory(order=own_order, planned_at=local(today + timedelta(days=14), 16))
    ContactFactory(order=own_order, planned_at=local(today + timedelta(days=16)))
    ContactFactory(order=own_order, planned_at=local(today + timedelta(days=2)),
                   cancelled_at=timezone.now())
    ContactFactory(order=colleague_order, planned_at=local(today + timedelta(days=1)))
    response = login(users["pk"]).get(reverse("clients:agenda"))
    assert list(response.context["page"]) == [soon, last_day]


def test_agenda_runs_constant_queries_and_paginates(login, users, office):
    def make(count):
        start = timezone.now() + timedelta(hours=1)
        for n in range(count):
            order = OrderFactory(client=ClientFactory(office=office), assigned_pk=users["pk"])
            ContactFactory(order=order, planned_at=start + timedelta(hours=n * 5))

    client = login(users["supervisor"])
    url = reverse("clients:agenda")
    make(3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    make(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"]) == 25
    assert len(few.captured_queries) == len(many.captured_queries)


# --- Reporting intervals --------------------------------------------------------------------


@pytest.mark.parametrize("role,status", {
    "supervisor": 200, "head": 200, "pk": 403, "operator": 403, "partner": 404,
    "regional": 403, "admin": 403,
}.items())
def test_interval_page_per_role(login, users, role, status):
    assert login(users[role]).get(reverse("clients:intervals")).status_code == status


def test_supervisor_sets_the_office_intervals_with_history(login, users, office, other_office):
    response = login(users["supervisor"]).post(
        reverse("clients:intervals"),
        {RiskLevel.LOW: 21, RiskLevel.MEDIUM: 14, RiskLevel.HIGH: 5},
    )
    assert response.status_code == 302
    assert ReportingInterval.days_for(office, RiskLevel.LOW) == 21
    assert ReportingInterval.days_for(office, RiskLevel.HIGH) == 5
    assert ReportingInterval.days_for(other_office, RiskLevel.LOW) == 30
    row = ReportingInterval.objects.get(office=office, risk_level=RiskLevel.LOW)
    assert row.history.get().history_user == users["supervisor"]


@pytest.mark.parametrize("bad", ["0", "91", "", "tujuh"])
def test_interval_must_be_1_to_90_days(login, users, office, bad):
    response = login(users["head"]).post(
        reverse("clients:intervals"),
        {RiskLevel.LOW: bad, RiskLevel.MEDIUM: 14, RiskLevel.HIGH: 7},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[RiskLevel.LOW]
    assert not ReportingInterval.objects.exists()
