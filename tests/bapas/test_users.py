"""Accounts are created by administrators and supervisors, never by sign-up."""

import pytest
from django.core import mail
from django.urls import reverse

from bapas.models import Role, User


def new_account(**overrides):
    data = {"full_name": "Budi Santoso", "email": "budi@test.local", "nip": "",
            "phone": "", "role": Role.PK, "is_active": "on"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("role", "status"), [
    ("pk", 403), ("operator", 403), ("partner", 404), ("regional", 403), ("other_pk", 403)])
def test_roles_without_user_management_are_refused(login, users, role, status):
    client = login(users[role])
    assert client.get(reverse("users")).status_code == status
    assert client.get(reverse("user_create")).status_code == status
    assert client.get(reverse("user_edit", args=[users["pk"].pk])).status_code == status


def test_supervisor_creates_pk_in_own_office_and_invitation_is_sent(
    login, users, office, django_capture_on_commit_callbacks
):
    client = login(users["supervisor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("user_create"), new_account(office=office.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(email="budi@test.local")
    assert created.office == office
    assert created.role == Role.PK
    assert not created.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    # the link works: it opens the set-password form
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/key/" in line)
    path = link.split("127.0.0.1:8000", 1)[1].strip()
    follow = client.get(path, follow=True)
    assert follow.status_code == 200
    assert b"password1" in follow.content


def test_supervisor_cannot_create_for_other_office_or_admin(login, users, other_office):
    client = login(users["supervisor"])
    response = client.post(reverse("user_create"), new_account(office=other_office.pk))
    assert response.status_code == 200
    response = client.post(reverse("user_create"), new_account(role=Role.ADMIN))
    assert response.status_code == 200
    assert not User.objects.filter(email="budi@test.local").exists()


def test_supervisor_cannot_open_other_offices_accounts(login, users):
    client = login(users["supervisor"])
    assert client.get(reverse("user_edit", args=[users["other_pk"].pk])).status_code == 404
    assert client.get(reverse("user_edit", args=[users["admin"].pk])).status_code == 404
    assert client.get(reverse("user_edit", args=[999999])).status_code == 404


def test_bad_nip_is_refused_with_message_and_input_kept(login, users, office):
    client = login(users["supervisor"])
    response = client.post(reverse("user_create"), new_account(office=office.pk, nip="12345"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "18 digit" in content
    assert 'value="Budi Santoso"' in content
    assert not User.objects.filter(email="budi@test.local").exists()


def test_duplicate_email_is_refused(login, users, office):
    client = login(users["supervisor"])
    response = client.post(reverse("user_create"), new_account(office=office.pk,
                                                              email="PK@test.local"))
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="pk@test.local").count() == 1


def test_partner_staff_account_needs_partner(login, users, partner):
    client = login(users["supervisor"])
    response = client.post(reverse("user_create"), new_account(role=Role.PARTNER,
                                                              office=users["supervisor"].office_id))
    assert response.status_code == 200
    response = client.post(reverse("user_create"), new_account(
        role=Role.PARTNER, partner=partner.pk, office=users["supervisor"].office_id))
    assert response.status_code == 302
    created = User.objects.get(email="budi@test.local")
    assert created.partner == partner and created.office is None


def test_admin_creates_regional_viewer(login, users, region):
    client = login(users["admin"])
    response = client.post(reverse("user_create"), new_account(
        role=Role.REGIONAL, regional_office=region.pk))
    assert response.status_code == 302
    assert User.objects.get(email="budi@test.local").regional_office == region


def test_user_list_query_count_does_not_grow(login, users, office, django_assert_max_num_queries):
    from tests.factories import UserFactory

    client = login(users["supervisor"])
    UserFactory.create_batch(3, office=office)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("users"))
    UserFactory.create_batch(30, office=office)
    with django_assert_max_num_queries(12) as many:
        client.get(reverse("users"))
    assert len(many) == len(few)


def test_every_change_to_an_account_is_in_history(login, users):
    client = login(users["supervisor"])
    target = users["pk2"]
    client.post(reverse("user_edit", args=[target.pk]), new_account(
        full_name="Dewi Baru", email=target.email, office=target.office_id))
    latest = target.history.latest()
    assert latest.full_name == "Dewi Baru"
    assert latest.history_user == users["supervisor"]


def test_new_staff_account_form_is_prefilled_from_the_partner_page(login, users, partner):
    page = login(users["supervisor"]).get(
        reverse("user_create"), {"role": "partner", "partner": partner.pk}
    ).content.decode()
    assert f'<option value="{partner.pk}" selected>' in page
    assert '<option value="partner" selected>' in page


# --- Django's technical admin --------------------------------------------------------------

ADMIN_PASSWORD = "Kuat-dan-Panjang-2024!"


def _admin_add(client, **fields):
    data = {"email": "baru@test.local", "full_name": "Petugas Baru",
            "password1": ADMIN_PASSWORD, "password2": ADMIN_PASSWORD, "usable_password": "true"}
    data.update(fields)
    return client.post(reverse("admin:bapas_user_add"), data)


def test_django_admin_add_user_reports_a_missing_placement_on_the_form(login, users):
    response = _admin_add(login(users["admin"]), role=Role.PK)
    assert response.status_code == 200  # the form again, not a server error
    assert list(response.context["adminform"].form.errors) == ["office"]
    assert not User.objects.filter(email="baru@test.local").exists()


def test_django_admin_adds_a_user_with_role_and_office(login, users, office):
    response = _admin_add(login(users["admin"]), role=Role.OPERATOR, office=office.pk)
    assert response.status_code == 302
    created = User.objects.get(email="baru@test.local")
    assert (created.role, created.office) == (Role.OPERATOR, office)
    assert created.check_password(ADMIN_PASSWORD)
