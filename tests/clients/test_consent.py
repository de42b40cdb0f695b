"""Recording and withdrawing a client's consent to reminders from the client page."""

import pytest
from django.urls import reverse

from bapas.models import ClientMessageConsent


def test_pk_records_and_withdraws_consent(login, users, own_client):
    client = login(users["pk"])
    page = client.get(reverse("clients:detail", args=[own_client.pk])).content.decode()
    assert "id_consent_phone" in page
    response = client.post(reverse("clients:consent_add", args=[own_client.pk]),
                           {"phone": own_client.phone, "method": "written"})
    assert response.status_code == 302
    consent = ClientMessageConsent.objects.get(client=own_client)
    assert consent.recorded_by == users["pk"] and consent.withdrawn_at is None
    client.post(reverse("clients:consent_withdraw", args=[own_client.pk, consent.pk]))
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_consent_only_on_a_number_the_client_gave(login, users, own_client):
    client = login(users["pk"])
    client.post(reverse("clients:consent_add", args=[own_client.pk]),
                {"phone": "0899999999", "method": "written"})
    assert not ClientMessageConsent.objects.exists()


def test_other_roles_cannot_record_consent(login, users, own_client):
    for role in ("pk2", "other_pk", "partner", "regional"):
        response = login(users[role]).post(
            reverse("clients:consent_add", args=[own_client.pk]),
            {"phone": own_client.phone, "method": "written"})
        assert response.status_code == 404, role  # the client is not theirs to see
    assert not ClientMessageConsent.objects.exists()


def _consent_forms(page: str, client, consent) -> tuple[bool, bool]:
    add = reverse("clients:consent_add", args=[client.pk])
    withdraw = reverse("clients:consent_withdraw", args=[client.pk, consent.pk])
    return f'action="{add}"' in page, f'action="{withdraw}"' in page


@pytest.mark.parametrize(("role", "shown"), [("pk", True), ("operator", True),
                                             ("supervisor", True), ("head", True),
                                             ("admin", False)])
def test_consent_forms_are_shown_only_to_who_may_use_them(login, users, own_client, role,
                                                          shown):
    consent = ClientMessageConsent.objects.create(client=own_client, phone=own_client.phone)
    page = login(users[role]).get(reverse("clients:detail", args=[own_client.pk]))
    assert page.status_code == 200
    assert _consent_forms(page.content.decode(), own_client, consent) == (shown, shown)
    assert consent.phone in page.content.decode()  # the consent itself stays visible


def test_admin_can_neither_record_nor_withdraw_consent(login, users, own_client):
    consent = ClientMessageConsent.objects.create(client=own_client, phone=own_client.phone)
    web = login(users["admin"])
    assert web.post(reverse("clients:consent_add", args=[own_client.pk]),
                    {"phone": own_client.phone, "method": "written"}).status_code == 403
    assert web.post(reverse("clients:consent_withdraw",
                            args=[own_client.pk, consent.pk])).status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert ClientMessageConsent.objects.count() == 1
