"""The access log: every look at a client's data, every document, report download, print and
export writes who, what, when and from where; supervisors can answer "who accessed client X"
and "what did user Y access between two dates" on a page and as CSV; on PostgreSQL the
database itself refuses to change or delete a row."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from bapas.models import AccessLog

A = AccessLog.Action
BROWSER = "Mozilla/5.0 (security test) Chrome/120"
ADDRESS = "10.20.30.40"

# (role, URL name, URL kwargs → demo id keys, action, logged model, logged object's id key)
LOGGED_VIEWS = [
    ("pk", "clients:detail", {"client_pk": "client"}, A.VIEW, "clients.client", "client"),
    ("pk", "clients:photo", {"client_pk": "client"}, A.VIEW, "clients.client", "client"),
    ("pk", "clients:document", {"client_pk": "client", "doc_pk": "document"}, A.DOWNLOAD,
     "clients.clientdocument", "document"),
    ("pk", "clients:edit", {"client_pk": "client"}, A.VIEW, "clients.client", "client"),
    ("pk", "clients:order_detail", {"client_pk": "client", "order_pk": "order"}, A.VIEW,
     "clients.supervisionorder", "order"),
    ("pk", "clients:order_edit", {"client_pk": "client", "order_pk": "order"}, A.VIEW,
     "clients.supervisionorder", "order"),
    ("pk", "clients:contact_detail", {"contact_pk": "contact"}, A.VIEW, "clients.contact",
     "contact"),
    ("pk", "clients:contact_outcome", {"contact_pk": "contact"}, A.VIEW, "clients.contact",
     "contact"),
    ("pk", "clients:contact_photo", {"photo_pk": "contact_photo"}, A.DOWNLOAD,
     "clients.contactphoto", "contact_photo"),
    ("pk", "reports:progress", {"client_pk": "client"}, A.VIEW, "clients.client", "client"),
    ("pk", "reports:download", {"pk": "client_report"}, A.DOWNLOAD, "reports.generatedreport",
     "client_report"),
    ("pk", "partners:referral_detail", {"pk": "referral"}, A.VIEW, "partners.referral",
     "referral"),
    ("supervisor", "reports:detail", {"pk": "client_report"}, A.VIEW, "clients.client",
     "client"),
    ("supervisor", "reports:download", {"pk": "office_report"}, A.DOWNLOAD,
     "reports.generatedreport", "office_report"),
    ("supervisor", "clients:assign", {"order_pk": "order"}, A.VIEW, "clients.client", "client"),
    ("supervisor", "clients:revocation_decide", {"proposal_pk": "proposal"}, A.VIEW,
     "clients.supervisionorder", None),
    ("supervisor", "meetings:decide_revocation", {"pk": "tpp_meeting", "proposal_pk": "proposal"},
     A.VIEW, "clients.client", None),
    ("supervisor", "meetings:print_invitation", {"pk": "meeting"}, A.PRINT, "meetings.meeting",
     "meeting"),
    ("supervisor", "meetings:print_attendance", {"pk": "meeting"}, A.PRINT, "meetings.meeting",
     "meeting"),
    ("supervisor", "meetings:print_minutes", {"pk": "meeting"}, A.PRINT, "meetings.meeting",
     "meeting"),
    ("supervisor", "meetings:attachment", {"pk": "attachment"}, A.DOWNLOAD,
     "meetings.attachment", "attachment"),
    ("supervisor", "partners:agreement_document", {"pk": "partner", "agreement_pk": "agreement"},
     A.DOWNLOAD, "partners.agreement", "agreement"),
    ("partner", "partners:portal_referral", {"pk": "referral"}, A.VIEW, "clients.client",
     "client"),
    ("partner", "partners:portal_client_photo", {"pk": "referral"}, A.VIEW, "clients.client",
     "client"),
    ("partner", "partners:portal_session", {"pk": "referral"}, A.VIEW, "clients.client",
     "client"),
    ("partner", "partners:portal_report", {"pk": "referral"}, A.VIEW, "clients.client",
     "client"),
    ("supervisor", "audit_access_csv", {}, A.EXPORT, None, None),
    ("supervisor", "clients:caseload", {}, A.VIEW, None, None),
    # Exports of every list page, and the import files with the personal data they hold.
    ("supervisor", "clients:export_caseload", {"fmt": "csv"}, A.EXPORT, None, None),
    ("pk", "clients:export_awaiting", {"fmt": "csv"}, A.EXPORT, None, None),
    ("pk", "clients:export_agenda", {"fmt": "csv"}, A.EXPORT, None, None),
    ("supervisor", "partners:export_directory", {"fmt": "csv"}, A.EXPORT, None, None),
    ("pk", "partners:export_referrals", {"fmt": "csv"}, A.EXPORT, None, None),
    ("partner", "partners:export_portal", {"fmt": "csv"}, A.EXPORT, None, None),
    ("supervisor", "meetings:export", {"fmt": "csv"}, A.EXPORT, None, None),
    ("operator", "clients:import_preview", {"batch_pk": "client_batch"}, A.VIEW,
     "bapas.importbatch", "client_batch"),
    ("operator", "clients:import_file", {"batch_pk": "client_batch"}, A.DOWNLOAD,
     "bapas.importbatch", "client_batch"),
    ("supervisor", "partners:import_file", {"batch_pk": "partner_batch"}, A.DOWNLOAD,
     "bapas.importbatch", "partner_batch"),
]


def _get(demo, role: str, url: str, **extra):
    http = HttpClient(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ADDRESS)
    http.force_login(demo.users[role])
    return http.get(url, **extra)


@pytest.mark.parametrize(("role", "name", "args", "action", "model", "object_key"), LOGGED_VIEWS,
                         ids=[f"{row[1]}-{row[0]}" for row in LOGGED_VIEWS])
def test_each_view_of_personal_data_writes_who_what_when_and_where(
        demo, role, name, args, action, model, object_key):
    url = reverse(name, kwargs={k: demo.ids[v] for k, v in args.items()})
    before = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = timezone.now()
    response = _get(demo, role, url)
    assert response.status_code == 200, response.status_code
    rows = list(AccessLog.objects.filter(id__gt=before))
    assert len(rows) == 1, [(r.action, r.object_label) for r in rows]
    row = rows[0]
    assert row.user == demo.users[role]                       # who
    assert row.action == action                               # what
    if model:
        assert row.content_type == ContentType.objects.get_by_natural_key(*model.split("."))
    if object_key:
        assert row.object_id == str(demo.ids[object_key])
    assert started - timedelta(seconds=1) <= row.at <= timezone.now()  # when
    assert row.ip_address == ADDRESS                          # from where
    assert row.user_agent == BROWSER
    assert row.path == url
    if row.content_type:
        assert row.office_id == demo["office"]


def test_the_first_forwarded_address_is_logged_behind_the_proxy(demo):
    url = reverse("clients:detail", args=[demo["client"]])
    _get(demo, "pk", url, HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2")
    assert AccessLog.objects.filter(path=url).latest("id").ip_address == "203.0.113.9"



# --- the two breach-report questions -------------------------------------------------------

def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode() if response.streaming \
        else response.content.decode()
    return list(csv.reader(io.StringIO(text)))[1:]


def test_who_accessed_client_x_on_the_page_and_as_csv(demo):
    client_url = reverse("clients:detail", args=[demo["client"]])
    _get(demo, "pk", client_url)
    _get(demo, "head", client_url)
    other = reverse("clients:detail", args=[demo["unreferred_client"]])
    _get(demo, "operator", other)
    query = {"record_type": ContentType.objects.get_by_natural_key("clients", "client").pk,
             "record_id": demo["client"]}
    page = _get(demo, "supervisor", reverse("audit_access"), data=query)
    assert page.status_code == 200
    text = page.content.decode().split("<tbody>")[1]  # the rows, not the user filter
    assert demo.users["pk"].full_name in text and demo.users["head"].full_name in text
    assert demo.users["operator"].full_name not in text
    rows = _csv_rows(_get(demo, "supervisor", reverse("audit_access_csv"), data=query))
    emails = {row[2] for row in rows}
    assert {demo.users["pk"].email, demo.users["head"].email} <= emails
    assert demo.users["operator"].email not in emails
    assert all(row[5] == str(demo["client"]) for row in rows)


def test_who_accessed_client_x_includes_their_documents_and_orders(demo):
    """The client filter: the client's record and every record of theirs, not one record."""
    _get(demo, "head", reverse("clients:detail", args=[demo["client"]]))
    _get(demo, "pk", reverse("clients:document", args=[demo["client"], demo["document"]]))
    _get(demo, "operator", reverse("clients:order_detail",
                                   args=[demo["client"], demo["order"]]))
    _get(demo, "pk", reverse("clients:detail", args=[demo["unreferred_client"]]))
    query = {"client": demo["client"]}
    rows = _csv_rows(_get(demo, "supervisor", reverse("audit_access_csv"), data=query))
    seen = {(row[2], row[4]) for row in rows}
    assert {(demo.users["head"].email, "client"), (demo.users["pk"].email, "clientdocument"),
            (demo.users["operator"].email, "supervisionorder")} <= seen
    clients_listed = {row[5] for row in rows if row[4] == "client"}
    assert clients_listed == {str(demo["client"])}  # not the other client pk opened
    page = _get(demo, "supervisor", reverse("audit_access"), data=query)
    assert page.status_code == 200
    text = page.content.decode().split("<tbody>")[1]
    assert demo.users["operator"].full_name in text  # the order view, on the page too
    assert page.context["client"].pk == demo["client"]


def test_an_invalid_filter_lists_nothing_rather_than_everything(demo):
    _get(demo, "pk", reverse("clients:detail", args=[demo["client"]]))
    from clients.models import Client

    foreign = Client.objects.exclude(office_id=demo["office"]).values_list("pk", flat=True)[0]
    for query in ({"record_type": 999999, "record_id": demo["client"]},
                  {"user": demo.users["head"].pk, "start": "not-a-date"},
                  {"client": foreign}, {"client": "x"}):
        rows = _csv_rows(_get(demo, "supervisor", reverse("audit_access_csv"), data=query))
        assert rows == [], query
        page = _get(demo, "supervisor", reverse("audit_access"), data=query)
        assert page.context["form"].errors and not page.context["page"].object_list, query


def _logged_at(moment, **fields) -> AccessLog:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return AccessLog.objects.create(**fields)


def test_what_user_y_accessed_between_two_dates_on_the_page_and_as_csv(demo):
    user = demo.users["pk"]
    now = timezone.now()
    common = {"user": user, "office_id": demo["office"], "action": A.VIEW, "path": "/x/"}
    _logged_at(now - timedelta(days=10), object_label="Sebelum rentang ZQX-1", **common)
    _logged_at(now - timedelta(days=5), object_label="Dalam rentang ZQX-2", **common)
    _logged_at(now - timedelta(days=5), object_label="Orang lain ZQX-3",
               **{**common, "user": demo.users["head"]})
    _logged_at(now - timedelta(days=1), object_label="Sesudah rentang ZQX-4", **common)
    start = timezone.localdate(now - timedelta(days=6))
    end = timezone.localdate(now - timedelta(days=2))
    query = {"user": user.pk, "start": start.strftime("%d/%m/%Y"),
             "end": end.strftime("%d/%m/%Y")}
    page = _get(demo, "supervisor", reverse("audit_access"), data=query)
    text = page.content.decode()
    assert "ZQX-2" in text
    assert "ZQX-1" not in text and "ZQX-3" not in text and "ZQX-4" not in text
    rows = _csv_rows(_get(demo, "supervisor", reverse("audit_access_csv"), data=query))
    assert [row[6] for row in rows] == ["Dalam rentang ZQX-2"]


def test_another_office_cannot_read_our_access_log(demo):
    _get(demo, "pk", reverse("clients:detail", args=[demo["client"]]))
    from bapas.models import Office, Role, User

    bondowoso_head = User.objects.create_user(
        email="kepala@bondowoso.test", full_name="Kepala Bondowoso", role=Role.HEAD,
        office=Office.objects.get(pk=demo["other_office"]))
    http = HttpClient()
    http.force_login(bondowoso_head)
    rows = _csv_rows(http.get(reverse("audit_access_csv")))
    assert all(row[2] != demo.users["pk"].email for row in rows)


# --- search terms never reach the log --------------------------------------------------------

def test_search_terms_are_not_stored_in_the_access_log(demo):
    from clients.models import Client

    client = Client.objects.get(pk=demo["client"])
    before = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    http = HttpClient()
    http.force_login(demo.users["pk"])
    for term in (client.nik, client.full_name):
        http.post(reverse("clients:caseload"), {"q": term})
        http.get(reverse("clients:caseload"))
        http.post(reverse("clients:checkin"), {"q": term})
    http.post(reverse("clients:register"), {"step": "check", "nik": client.nik,
                                            "full_name": "", "birth_date": ""})
    searches = AccessLog.objects.filter(id__gt=before, action=A.SEARCH)
    assert searches.count() >= 4
    for row in searches:
        assert client.nik not in row.object_label and client.nik not in row.path
        assert client.nik not in row.user_agent
        if row.content_type is None:  # a search, not the record it found
            assert client.full_name not in row.object_label and client.full_name not in row.path


# --- the database refuses to change the log ------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the access-log trigger exists on PostgreSQL only (SQLite has no separate role)")


@postgres_only
@pytest.mark.parametrize("statement", [
    "UPDATE bapas_accesslog SET object_label = 'changed' WHERE id = %s",
    "UPDATE bapas_accesslog SET user_id = NULL WHERE id = %s",
    "DELETE FROM bapas_accesslog WHERE id = %s",
])
def test_database_refuses_to_change_or_delete_access_log_rows(db, statement):
    row = AccessLog.objects.create(action=A.VIEW, path="/clients/1/", object_label="Klien")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement, [row.pk])
    assert AccessLog.objects.get(pk=row.pk).object_label == "Klien"


@postgres_only
def test_truncate_stays_possible_for_restores(db):
    AccessLog.objects.create(action=A.VIEW, path="/clients/1/")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # as restore does: run the pending deferred foreign-key checks first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE bapas_accesslog")
        assert not AccessLog.objects.exists()
        transaction.set_rollback(True)
    assert AccessLog.objects.exists()


@postgres_only
def test_inserting_rows_is_still_allowed(db):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bapas_accesslog (at, action, object_id, object_label, path, "
                       "user_agent) VALUES (now(), 'view', '', '', '/x/', '')")
    assert AccessLog.objects.filter(path="/x/").exists()
