"""Recording and withdrawing a client's consent to reminders from the client page."""

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
        assert response.status_code in (403, 404), role
    assert not ClientMessageConsent.objects.exists()
