"""The PK's path in a real browser, from registration to a revoked order.

The operator registers a client and records the order from the decree, assigned to pk1; pk1
generates the reporting schedule, records a missed report and a home visit with a photo, and
proposes revocation; the kasubsi approves it with the decree number and date, and the order then
shows it is revoked. Another office's PK and a partner's staff get a 404 for the client's pages.

The browser asks for Indonesian (the deployment's language), so the texts asserted are the
Indonesian ones of locale/id.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from PIL import Image

from clients.models import (
    Client,
    Contact,
    ContactKind,
    ContactPhoto,
    OrderStatus,
    OrderStatusChange,
    Outcome,
    RevocationProposal,
    SupervisionOrder,
)
from clients.selectors import consecutive_missed
from tests.browser.conftest import browser, demo, log_in, page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

NIK = "3509010703929137"  # Jember, Kec. Jombang; born 07-03-1992; a man
NAME = "Bagus Wicaksono Uji Jalan"
DECREE = "PAS-1234.PK.05.03 Tahun 2025"
REVOCATION_DECREE = "PAS-777.PK.05.03 Tahun 2025"
OTHER_OFFICE_PK = "pk@bondowoso.demo.local"
PARTNER = "dinsos@demo.local"


def _switch_user(page, log_in, email):  # noqa: F811
    page.context.clear_cookies()
    log_in(email)


def _submit(page, selector: str = "main form button[type=submit]"):  # noqa: F811
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _local(day, hour: int, minute: int = 0) -> str:
    """The value a datetime-local input takes."""
    return datetime.combine(day, time(hour, minute)).strftime("%Y-%m-%dT%H:%M")


def _plan(page, order, kind: str, planned_at: str):  # noqa: F811
    """From the order page: Plan a contact, choose the kind and the time, plan."""
    page.click(f"main a[href='/clients/orders/{order.pk}/contacts/new/']")
    page.select_option("select[name=kind]", kind)
    page.fill("input[name=planned_at]", planned_at)
    _submit(page)
    assert page.url.endswith(order.get_absolute_url())
    return Contact.objects.filter(order=order, kind=kind).latest("pk")


def _photo(tmp_path):
    path = tmp_path / "kunjungan-rumah.png"
    Image.new("RGB", (64, 48), (40, 120, 80)).save(path, format="PNG")
    return path


def test_pk_path_from_registration_to_revocation(page, log_in, tmp_path):  # noqa: F811
    today = timezone.localdate()
    assert not Client.objects.filter(nik=NIK).exists()

    # --- The operator registers the client: duplicate check, then the identity form ---------
    log_in("operator@demo.local")
    page.click("nav a[href='/clients/']")
    page.click("main a[href='/clients/register/']")
    page.fill("input[name=nik]", NIK)
    _submit(page)
    assert page.input_value("input[name=nik]") == NIK  # carried into step 2
    page.fill("input[name=full_name]", NAME)
    page.fill("input[name=birth_place]", "Jember")
    page.fill("input[name=birth_date]", "1992-03-07")
    page.select_option("select[name=sex]", "L")
    page.fill("input[name=address_street]", "Jl. Kenanga 7")
    # The address selects cascade: each choice loads the next level's options.
    page.select_option("select[name=province]", "35")
    page.wait_for_selector("select[name=regency] option[value='35.09']", state="attached")
    page.select_option("select[name=regency]", "35.09")
    page.wait_for_selector("select[name=district] option[value='35.09.01']", state="attached")
    page.select_option("select[name=district]", "35.09.01")
    page.wait_for_selector("select[name=village] option[value='35.09.01.2001']", state="attached")
    page.select_option("select[name=village]", "35.09.01.2001")
    page.fill("input[name=whatsapp]", "081234500917")
    page.fill("input[name=guarantor_name]", "Sumiati")
    page.fill("input[name=guarantor_relationship]", "Ibu kandung")
    _submit(page, "main form button[type=submit].btn-lg")
    client = Client.objects.get(nik=NIK)
    assert (client.full_name, client.village_id) == (NAME, "35.09.01.2001")
    # Next comes the order from the decree.
    assert page.url.endswith(f"/clients/{client.pk}/orders/new/")
    assert page.get_by_text(f"terdaftar dengan nomor {client.register_number}").is_visible()

    start, end = today - timedelta(days=60), today + timedelta(days=300)
    page.select_option("select[name=program]", "pb")
    page.select_option("select[name=risk_level]", "sedang")
    page.fill("input[name=decree_number]", DECREE)
    page.fill("input[name=decree_date]", (start - timedelta(days=5)).isoformat())
    page.fill("input[name=offence]", "Pencurian dengan pemberatan")
    page.fill("input[name=article]", "Pasal 363 KUHP")
    page.fill("input[name=offence_date]", "2022-08-17")
    page.fill("input[name=sentence]", "3 tahun")
    page.fill("input[name=supervision_start]", start.isoformat())
    page.fill("input[name=supervision_end]", end.isoformat())
    page.select_option("select[name=assigned_pk]", label="Agus Prasetyo, S.H.")
    _submit(page)
    order = SupervisionOrder.objects.get(client=client)
    assert (order.assigned_pk.email, order.status) == ("pk1@demo.local", OrderStatus.ACTIVE)
    assert page.url.endswith(order.get_absolute_url())
    assert page.get_by_text("Program bimbingan telah didaftarkan.").is_visible()

    # --- pk1 finds the new client in their caseload and plans the reporting schedule ----------
    _switch_user(page, log_in, "pk1@demo.local")
    page.click("nav a[href='/clients/']")
    page.fill("#caseload-search", NAME)
    page.evaluate("window.beforeSearch = true")  # gone if the search reloaded the page
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.click("form[role=search] button[type=submit]")
    page.wait_for_selector("main tbody tr:only-child")  # swapped in
    # htmx swapped the list in: one request, no reload; the address has no name in it.
    assert page.evaluate("window.beforeSearch") is True
    assert page.url.endswith("/clients/")
    assert page.input_value("#caseload-search") == NAME
    assert page.locator("main tbody tr").count() == 1
    page.reload()  # the term is in the session: the same list
    assert page.locator("main tbody tr").count() == 1
    page.click(f"main a[href='/clients/{client.pk}/']")
    page.click(f"#orders a[href='{order.get_absolute_url()}']")
    page.click(f"main a[href='/clients/orders/{order.pk}/schedule/']")
    page.wait_for_selector("button[name=action][value=confirm]")  # the dates are previewed
    _submit(page, "button[name=action][value=confirm]")
    schedule = list(Contact.objects.filter(order=order, kind=ContactKind.REPORT))
    assert len(schedule) >= 10  # fortnightly for sedang, for ten months
    assert all(c.planned_at > timezone.now() and c.officer == order.assigned_pk for c in schedule)
    assert page.get_by_text(
        f"{len(schedule)} tanggal wajib lapor telah ditambahkan ke jadwal."
    ).is_visible()

    # A home visit ten days ago, with a photo; then a report three days ago that was missed.
    visit = _plan(page, order, ContactKind.HOME_VISIT, _local(today - timedelta(days=10), 10))
    report = _plan(page, order, ContactKind.REPORT, _local(today - timedelta(days=3), 9))

    # The missed report, from the list of contacts awaiting their outcome (one-row form).
    page.click("nav a[href='/clients/contacts/awaiting/']")
    row = page.locator(f"#contact-{report.pk}")
    row.locator("select[name=outcome]").select_option(Outcome.MISSED)
    row.locator("input[name=notes]").fill("Tidak datang, telepon tidak aktif")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(f"#contact-{report.pk}.list-group-item-success")
    assert (
        page.locator(f"#contact-{report.pk}").get_by_text("tidak hadir tanpa alasan").is_visible()
    )
    report.refresh_from_db()
    assert (report.outcome, report.recorded_by.email) == (Outcome.MISSED, "pk1@demo.local")

    # The home visit, through the contact page and the full outcome form with a photo.
    page.click(f"#contact-{visit.pk} a[href='/clients/contacts/{visit.pk}/']")
    page.click(f"main a[href='/clients/contacts/{visit.pk}/outcome/']")
    assert page.input_value("input[name=place]")  # the client's address is offered
    page.fill("input[name=place]", "Rumah klien, Jl. Kenanga 7")
    page.check(f"input[name=outcome][value={Outcome.ATTENDED}]")
    page.fill("textarea[name=notes]", "Klien bekerja membantu orang tua di sawah.")
    page.set_input_files("input[name=photos]", str(_photo(tmp_path)))
    _submit(page)
    assert page.url.endswith(f"/clients/contacts/{visit.pk}/")
    assert page.get_by_text("Hasil telah dicatat.").is_visible()
    visit.refresh_from_db()
    assert (visit.outcome, visit.place) == (Outcome.ATTENDED, "Rumah klien, Jl. Kenanga 7")
    photo = ContactPhoto.objects.get(contact=visit)
    image = page.locator(f"main img[src='/clients/contacts/photos/{photo.pk}/']")
    image.wait_for()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 64  # served and shown
    assert consecutive_missed([order.pk]) == {order.pk: 1}

    # --- pk1 proposes revocation from the order page ---------------------------------------
    page.click(f"main a[href='{order.get_absolute_url()}']")
    page.click(f"main a[href='/clients/{client.pk}/orders/{order.pk}/revocation/']")
    page.fill("textarea[name=reasons]", "Tidak wajib lapor tanpa alasan; tidak dapat dihubungi.")
    _submit(page)
    proposal = RevocationProposal.objects.get(order=order)
    assert (proposal.status, proposal.proposed_by.email) == ("pending", "pk1@demo.local")
    assert page.url.endswith(order.get_absolute_url())
    assert page.get_by_text("Usulan pencabutan telah diajukan untuk diputuskan.").is_visible()

    # --- The kasubsi finds the proposal and approves the revocation -------------------------
    _switch_user(page, log_in, "kasubsi@demo.local")
    page.click("nav a[href='/clients/']")
    page.click("main a[href='/clients/revocations/']")  # proposals awaiting a decision
    proposal_row = page.locator(
        "main tr", has=page.locator(f"a[href='{order.get_absolute_url()}']")
    )
    assert proposal_row.get_by_text(NAME).is_visible()
    proposal_row.locator(f"a[href='/clients/revocations/{proposal.pk}/decide/']").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Tidak wajib lapor tanpa alasan").is_visible()
    page.check("input[name=decision][value=approve]")
    page.fill("textarea[name=reason]", "TPP merekomendasikan pencabutan.")
    page.fill("input[name=decree_number]", REVOCATION_DECREE)
    page.fill("input[name=decree_date]", today.isoformat())
    _submit(page)

    # --- The order shows the revocation ----------------------------------------------------
    assert page.url.endswith(order.get_absolute_url())
    assert page.get_by_text("Pencabutan disetujui: program kini berstatus dicabut.").is_visible()
    status_badge = page.locator("main dd .badge").first
    assert status_badge.inner_text().strip() == "dicabut"
    assert page.get_by_text(REVOCATION_DECREE).first.is_visible()
    order.refresh_from_db()
    proposal.refresh_from_db()
    assert order.status == OrderStatus.REVOKED
    assert (
        proposal.status,
        proposal.decree_number,
        proposal.decree_date,
        proposal.decided_by.email,
    ) == ("approved", REVOCATION_DECREE, today, "kasubsi@demo.local")
    change = OrderStatusChange.objects.get(order=order)
    assert (
        change.from_status,
        change.to_status,
        change.reference,
        change.effective_date,
        change.changed_by.email,
    ) == (OrderStatus.ACTIVE, OrderStatus.REVOKED, REVOCATION_DECREE, today, "kasubsi@demo.local")
    # The reporting dates after the decree are cancelled; the recorded contacts are kept.
    open_contacts = Contact.objects.filter(order=order, cancelled_at__isnull=True)
    assert not open_contacts.filter(pk__in=[c.pk for c in schedule]).exists()
    assert set(open_contacts.values_list("pk", flat=True)) == {visit.pk, report.pk}
    # The client page's order card shows it too.
    page.click(f"main a[href='/clients/{client.pk}/']")
    assert page.locator("#orders .badge", has_text="dicabut").is_visible()


@pytest.mark.parametrize("email", [OTHER_OFFICE_PK, PARTNER])
def test_another_office_and_a_partner_get_404_for_the_client(page, log_in, email):  # noqa: F811
    """The pages of the path above, for the demo's client of Jember with a pending revocation."""
    proposal = RevocationProposal.objects.select_related("order__client").get(
        status="pending", order__client__office__name="Bapas Kelas II Jember"
    )
    order = proposal.order
    contact = Contact.objects.filter(order=order).first()
    urls = [
        f"/clients/{order.client_id}/",
        order.get_absolute_url(),
        f"/clients/{order.client_id}/edit/",
        f"/clients/{order.client_id}/orders/new/",
        f"/clients/orders/{order.pk}/schedule/",
        f"/clients/orders/{order.pk}/contacts/new/",
        f"/clients/contacts/{contact.pk}/",
        f"/clients/contacts/{contact.pk}/outcome/",
        f"/clients/{order.client_id}/orders/{order.pk}/revocation/",
    ]
    log_in(email)
    for url in urls:
        response = page.goto(url)
        assert response.status == 404, url
        assert page.get_by_text("Halaman tidak ditemukan").is_visible(), url
        assert order.client.full_name not in page.content(), url
    # The decision page looks the proposal up within what the user sees first: 404 as well, and
    # the same answer as for a proposal that does not exist.
    decide = page.goto(f"/clients/revocations/{proposal.pk}/decide/")
    assert decide.status == 404
    assert page.goto("/clients/revocations/999999/decide/").status == 404
    assert order.client.full_name not in page.content()
