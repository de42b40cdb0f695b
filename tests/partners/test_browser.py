"""The referral path in a real browser: pk1 refers a client to Dinas Sosial, dinsos accepts,
logs two sessions and closes with a report, and pk1 sees it on the client's timeline."""

import pytest
from django.utils import timezone

from clients.models import OrderStatus, SupervisionOrder
from partners.models import Referral, ReferralStatus
from tests.browser.conftest import browser, demo, log_in, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def _switch_user(page, log_in, email):  # noqa: F811
    page.context.clear_cookies()
    log_in(email)


def test_referral_path_through_the_browser(page, log_in):  # noqa: F811
    order = (SupervisionOrder.objects.filter(assigned_pk__email="pk1@demo.local",
                                             status=OrderStatus.ACTIVE, client__section="adult")
             .exclude(client__in=Referral.objects.values("order__client"))
             .select_related("client").first())
    today = timezone.localdate().isoformat()

    log_in("pk1@demo.local")
    page.goto(f"/partners/referrals/new/?order={order.pk}")
    page.select_option("select[name=service]", label="Bantuan sosial")
    page.select_option("select[name=partner]", label="Dinas Sosial Kabupaten Jember")
    page.fill("textarea[name=goals]", "Terdaftar dalam DTKS\nMenerima bantuan sembako")
    page.fill("input[name=consent_given_at]", today)
    page.select_option("select[name=consent_method]", value="written")
    page.click("button[name=action][value=send]")
    page.wait_for_load_state("networkidle")
    referral = Referral.objects.get(order=order)
    assert referral.status == ReferralStatus.SENT
    assert f"/partners/referrals/{referral.pk}/" in page.url

    _switch_user(page, log_in, "dinsos@demo.local")
    page.goto("/partners/portal/")
    page.click(f"a[href='/partners/portal/referrals/{referral.pk}/']")
    assert order.client.nik not in page.content()
    page.click("form:has(input[name=to][value=accepted]) button")
    page.wait_for_load_state("networkidle")
    for activity in ("Asesmen kebutuhan keluarga", "Pendaftaran DTKS dan verifikasi"):
        page.click(f"a[href='/partners/portal/referrals/{referral.pk}/sessions/new/']")
        page.fill("input[name=date]", today)
        page.fill("input[name=duration_minutes]", "60")
        page.fill("textarea[name=activity]", activity)
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")
    assert page.get_by_text("Pendaftaran DTKS dan verifikasi").is_visible()
    page.click(f"a[href='/partners/portal/referrals/{referral.pk}/report/']")
    for radio in page.locator("input[type=radio][value=achieved]").all():
        radio.check()
    page.fill("textarea[name=summary]", "Keluarga klien terdaftar DTKS dan menerima sembako.")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert referral.sessions.count() == 2

    _switch_user(page, log_in, "pk1@demo.local")
    page.goto(f"/clients/{order.client.pk}/?show=referral")
    assert page.get_by_text("Dinas Sosial Kabupaten Jember").first.is_visible()
