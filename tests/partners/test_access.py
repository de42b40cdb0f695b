"""Every officer URL of the partners app, for every role: allowed ones 200, others 403 or 404
(another office's objects and anything for partner staff: 404)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from partners.models import ReferralStatus
from tests.factories.partners import AgreementFactory

ROLES = ["pk", "pk2", "other_pk", "operator", "supervisor", "head", "partner", "regional",
         "admin"]
MANAGE = {"supervisor": 200, "head": 200, "admin": 200, "pk": 403, "pk2": 403, "other_pk": 403,
          "operator": 403, "partner": 404, "regional": 403}
VIEW = {"pk": 200, "pk2": 200, "operator": 200, "supervisor": 200, "head": 200, "admin": 200,
        "other_pk": 404, "partner": 404, "regional": 403}
# A draft of pk's own client: only its PK and the office's managers may edit it.
DRAFT_EDIT = {"pk": 200, "supervisor": 200, "head": 200, "pk2": 404, "other_pk": 404,
              "partner": 404, "operator": 403, "regional": 403, "admin": 403}


@pytest.fixture
def objects(office, partner, referral):
    agreement = AgreementFactory(partner=partner, office=office)
    agreement.document.save("pks.pdf", ContentFile(b"%PDF-1.4 demo"))
    return {"partner": partner, "agreement": agreement, "referral": referral}


CASES = [
    ("partners:edit", lambda o: [o["partner"].pk], MANAGE),
    ("partners:agreement_edit", lambda o: [o["partner"].pk, o["agreement"].pk], MANAGE),
    ("partners:agreement_document", lambda o: [o["partner"].pk, o["agreement"].pk], VIEW),
    ("partners:referral_edit", lambda o: [o["referral"].pk], DRAFT_EDIT),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args", "expected"), CASES, ids=[c[0] for c in CASES])
def test_role_matrix(login, users, objects, role, name, args, expected):
    response = login(users[role]).get(reverse(name, args=args(objects)))
    assert response.status_code == expected[role]


def test_regional_viewer_sees_no_referral_data(login, users, make_referral):
    referral = make_referral(ReferralStatus.SENT)
    client = login(users["regional"])
    for url in (reverse("partners:referrals"),
                reverse("partners:referral_detail", args=[referral.pk]),
                reverse("partners:portal")):
        assert client.get(url).status_code in (403, 404)


def test_supervisor_sees_partner_changes_on_the_audit_page(login, users, partner, other_office):
    from tests.factories import PartnerFactory

    partner.name = "Dinas Sosial (diubah)"
    partner.save()
    stranger = PartnerFactory(name="Mitra Luar", offices=[other_office])
    response = login(users["supervisor"]).get(reverse("audit_changes") + "?model=partners.partner")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dinas Sosial (diubah)" in body
    assert stranger.name not in body
