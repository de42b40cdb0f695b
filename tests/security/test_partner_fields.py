"""Partner staff get only what a referral needs: never the client's NIK, offence or case notes
unless the PK shared them, and never anything of a client not referred to them.

Every page a partner may open (taken from the route matrix: the routes where ``partner`` gets
200), every file they may download (PDF text read with pdftotext, spreadsheets unzipped) and
their calendar feed is searched for the exact strings.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import zipfile

import pytest
from django.test import Client as HttpClient
from django.urls import NoReverseMatch, reverse

from .conftest import CONFIDENTIAL_NOTE, SHAREABLE_NOTE
from .route_matrix import OK, ROUTES

PDFTOTEXT = shutil.which("pdftotext")


def readable(response) -> str:
    """What a person could read in the response: PDF text, spreadsheet cells, or the body."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF"):
        if PDFTOTEXT is None:
            pytest.skip("pdftotext (poppler-utils) is not installed: cannot read PDF text")
        result = subprocess.run([PDFTOTEXT, "-", "-"], input=content, capture_output=True,
                                check=True)
        return result.stdout.decode("utf-8", "replace")
    if content.startswith(b"PK\x03\x04"):  # XLSX, DOCX, ZIP
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace")
                             for name in archive.namelist())
    return content.decode("utf-8", "replace")


def partner_urls(demo, role: str = "partner") -> list[str]:
    """Every URL the route matrix lets this partner open, filled with the demo's objects."""
    urls = []
    for key, route in ROUTES.items():
        if route.get.get(role) != OK or not (":" in key or key.isidentifier()):
            continue
        try:
            urls.append(reverse(key, kwargs={k: demo.ids[v] for k, v in route.args.items()}))
        except NoReverseMatch:
            continue  # an optional route not present in this configuration
    return urls


def _export_urls() -> list[str]:
    """The partner's own exports, in every format the site offers."""
    from bapas.exports import FORMATS

    urls = []
    for fmt in FORMATS:
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse("partners:export_portal", kwargs={"fmt": fmt}))
    return urls


def _secrets(demo) -> dict[str, str]:
    from clients.models import SupervisionOrder

    secrets = {"NIK": demo["client_nik"], "confidential note": CONFIDENTIAL_NOTE,
               "shareable note": SHAREABLE_NOTE}
    for order in SupervisionOrder.objects.filter(client_id=demo["client"]):
        secrets[f"offence of order {order.pk}"] = order.offence
        if order.article:
            secrets[f"article of order {order.pk}"] = order.article
    return secrets


def _leaks(demo, role: str, secrets: dict[str, str]) -> list[str]:
    from meetings.models import CalendarToken

    http = HttpClient(raise_request_exception=False)
    user = demo.users[role]
    http.force_login(user)
    token = CalendarToken.objects.create(user=user).token
    urls = [*partner_urls(demo, role), *_export_urls(),
            reverse("meetings:calendar_feed", args=[token])]
    assert reverse("partners:portal") in urls
    leaks = []
    for url in urls:
        response = http.get(url)
        assert response.status_code == 200, (url, response.status_code)
        text = readable(response)
        leaks += [f"{url}: {label}" for label, value in secrets.items() if value in text]
    return leaks


def _link_client_to_partner_meeting(demo):
    """The client is also discussed at a meeting the partner is invited to."""
    from meetings.models import MeetingClient

    MeetingClient.objects.get_or_create(meeting_id=demo["meeting"], client_id=demo["client"],
                                        defaults={"added_by": demo.users["supervisor"]})


def test_referred_partner_never_sees_unshared_nik_offence_or_notes(demo):
    _link_client_to_partner_meeting(demo)
    leaks = _leaks(demo, "partner", _secrets(demo))
    assert not leaks, "unshared data shown to partner staff:\n" + "\n".join(leaks)


def test_referred_partner_sees_the_basic_card_of_their_client(demo):
    """The positive control: the portal does show the referral's client (name), so the
    search above looks at the right pages."""
    http = HttpClient()
    http.force_login(demo.users["partner"])
    page = readable(http.get(reverse("partners:portal_referral", args=[demo["referral"]])))
    assert demo["client_name"] in page


def test_what_the_pk_shared_is_shown_and_confidential_notes_never(demo):
    from partners.models import Referral

    Referral.objects.filter(pk=demo["referral"]).update(
        share_nik=True, share_offence=True, share_case_notes=True)
    http = HttpClient()
    http.force_login(demo.users["partner"])
    page = readable(http.get(reverse("partners:portal_referral", args=[demo["referral"]])))
    assert demo["client_nik"] in page
    assert demo["client_offence"] in page
    assert SHAREABLE_NOTE in page
    assert CONFIDENTIAL_NOTE not in page


def test_partner_without_a_referral_sees_nothing_of_the_client(demo):
    from clients.models import Client

    client = Client.objects.get(pk=demo["client"])
    secrets = {**_secrets(demo), "name": client.full_name}
    if client.phone:
        secrets["phone"] = client.phone
    if client.address_street:
        secrets["address"] = client.address_street
    leaks = _leaks(demo, "partner_other", secrets)
    assert not leaks, "data of an unreferred client shown to partner staff:\n" + "\n".join(leaks)


def test_partner_never_sees_any_nik_on_any_page(demo):
    """No page open to partner staff carries the NIK of any client (nothing is shared in the
    demo but one completed referral, whose card is closed)."""
    from clients.models import Client

    _link_client_to_partner_meeting(demo)
    niks = {f"NIK of client {pk}": nik for pk, nik in
            Client.objects.exclude(nik__isnull=True).exclude(nik="").values_list("pk", "nik")}
    leaks = _leaks(demo, "partner", niks)
    assert not leaks, "\n".join(leaks)


def test_partner_sees_nothing_of_a_client_not_referred_to_them(demo):
    from clients.models import Client

    client = Client.objects.get(pk=demo["unreferred_client"])
    secrets = {"name": client.full_name, "register number": client.register_number}
    if client.nik:
        secrets["NIK"] = client.nik
    leaks = _leaks(demo, "partner", secrets)
    assert not leaks, "\n".join(leaks)
