"""A new user's path through a coordination meeting, in a real browser.

The kasubsi plans a meeting inviting three partners, prints the invitation and the attendance
sheet, records attendance, the minutes and two action items; the partner's staff member then
closes their organisation's item.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from bapas.demo import DEMO_PASSWORD
from bapas.models import Office, Role, User
from meetings.models import ActionItem, Attendance, Meeting
from tests.browser.conftest import browser, demo, log_in, page  # noqa: F401 (fixtures)
from tests.factories import PartnerFactory

pytestmark = pytest.mark.browser


def test_kasubsi_runs_a_meeting_and_the_partner_closes_its_item(page, log_in):  # noqa: F811
    jember = Office.objects.get(name="Bapas Kelas II Jember")
    partners = [PartnerFactory(name=name, offices=[jember]) for name in (
        "Pokmas Lipas Uji Jalan", "Dinas Sosial Uji Jalan", "Dukcapil Uji Jalan")]
    staff = User.objects.create_user(email="mitra.uji@demo.local", password=DEMO_PASSWORD,
                                     full_name="Rahmat Mitra", role=Role.PARTNER,
                                     partner=partners[0])
    pk1 = User.objects.get(email="pk1@demo.local")

    log_in("kasubsi@demo.local")
    page.goto("/meetings/new/")
    start = timezone.localtime() - timedelta(minutes=5)
    page.fill("input[name=title]", "Rapat Koordinasi Uji Jalan")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "Aula Bapas Kelas II Jember")
    page.fill("input[name='agenda-0-title']", "Program pelatihan kerja klien")
    for partner in partners:
        page.check(f"input[name=partners][value='{partner.pk}']")
    page.check(f"input[name=invitees][value='{staff.pk}']")
    page.check(f"input[name=invitees][value='{pk1.pk}']")
    page.click("button[type=submit].btn-lg")
    page.wait_for_load_state("networkidle")
    meeting = Meeting.objects.get(title="Rapat Koordinasi Uji Jalan")
    assert page.url.endswith(meeting.get_absolute_url())
    assert meeting.partners.count() == 3

    for name in ("undangan", "daftar-hadir"):
        response = page.request.get(f"/meetings/{meeting.pk}/print/{name}.pdf")
        assert response.status == 200
        assert response.body().startswith(b"%PDF")

    page.goto(f"/meetings/{meeting.pk}/attendance/")
    page.check(f"input[name=present][value='{staff.pk}']")
    page.fill("input[name='walkin-0-name']", "Sri Wahyuni")
    page.fill("input[name='walkin-0-organisation']", "Dinas Sosial Uji Jalan")
    page.click("main form button[type=submit].btn-bapas")
    page.wait_for_load_state("networkidle")
    assert Attendance.objects.filter(meeting=meeting, present=True).count() == 2

    page.goto(f"/meetings/{meeting.pk}/minutes/")
    page.fill("textarea[name=minutes]", "Peserta membahas pelatihan keterampilan kerja.")
    page.fill("textarea[name='decision-0-text']", "Jadwal pelatihan disusun bersama")
    page.click("button[type=submit].btn-bapas")
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Jadwal pelatihan disusun bersama").is_visible()

    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    for owner, text in ((f"p{partners[0].pk}", "Menyusun jadwal pelatihan"),
                        (f"u{pk1.pk}", "Mendata klien tanpa KTP-el")):
        page.goto(f"/meetings/{meeting.pk}/actions/new/")
        page.fill("textarea[name=description]", text)
        page.select_option("select[name=owner]", owner)
        page.fill("input[name=due_date]", due)
        page.click("button[type=submit].btn-bapas")
        page.wait_for_load_state("networkidle")
    assert ActionItem.objects.filter(meeting=meeting).count() == 2

    page.context.clear_cookies()
    log_in("mitra.uji@demo.local")
    item = ActionItem.objects.get(description="Menyusun jadwal pelatihan")
    page.goto("/meetings/actions/")
    assert page.get_by_text("Menyusun jadwal pelatihan").is_visible()
    page.click(f"a[href='/meetings/actions/{item.pk}/?next=my_actions']")
    page.select_option("select[name=status]", "done")
    page.fill("textarea[name=completion_note]", "Jadwal dibagikan ke semua PK")
    page.click("button[type=submit].btn-bapas")
    page.wait_for_load_state("networkidle")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert item.completed_by == staff
