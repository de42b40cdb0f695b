"""request.user comes with its office, partner and region in the same query (bapas.auth_backends),
and the backend still refuses a deactivated account."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY, get_user
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _request(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.session = client.session
    return request


def test_user_is_loaded_with_office_partner_and_region(login, users):
    for name in ("pk", "partner", "regional"):
        client = login(users[name])
        request = _request(client)
        assert request.session[SESSION_KEY] == str(users[name].pk)  # the session is read
        with CaptureQueriesContext(connection) as captured:
            user = get_user(request)
            placement = (getattr(user.office, "name", None), getattr(user.partner, "name", None),
                         getattr(user.regional_office, "name", None))
        assert user.pk == users[name].pk
        assert any(placement), name
        assert len(captured) == 1, [q["sql"] for q in captured.captured_queries]


def test_a_deactivated_account_is_logged_out_at_the_next_request(login, users):
    client = login(users["pk"])
    assert client.get(reverse("clients:caseload")).status_code == 200
    users["pk"].is_active = False
    users["pk"].save()
    assert get_user(_request(client)).is_anonymous
    response = client.get(reverse("clients:caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
