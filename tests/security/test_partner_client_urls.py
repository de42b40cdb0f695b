"""Issue 4's check, on the demo data: every client URL that pk1 can open and whose client is not
referred to Dinas Sosial answers 404 to dinsos@demo.local, and no such answer carries a NIK.

The URLs are found the way a user finds them: pk1's client pages, and the links on them and on
the pages they lead to (orders, contacts, documents, reports), two clicks deep.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.test import Client as HttpClient

HREF = re.compile(r'href="(/[^"#?]*)')
# Client URLs: the client's own pages and everything reached from them that names a record.
CLIENT_URL = re.compile(r"^/(clients|reports/clients|partners/referrals|privacy)/.*\d")
NOT_RECORDS = ("/clients/?", "/clients/import", "/clients/export")


def _links(html: str) -> set[str]:
    return {urlsplit(href).path for href in HREF.findall(html)}


def _pk1_client_urls(pk1: HttpClient, clients) -> set[str]:
    seen: set[str] = set()
    frontier = {f"/clients/{client.pk}/" for client in clients}
    for _depth in range(2):
        found: set[str] = set()
        for url in sorted(frontier - seen):
            seen.add(url)
            response = pk1.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            found |= {link for link in _links(response.content.decode())
                      if CLIENT_URL.match(link) and not link.startswith(NOT_RECORDS)
                      and "/logout" not in link}
        frontier = found
    return seen | frontier


def test_dinsos_gets_404_on_every_client_url_of_pk1_not_referred_to_it(demo):
    from bapas.models import User
    from clients.models import Client
    from partners.models import Referral

    pk1 = User.objects.get(email="pk1@demo.local")
    dinsos = User.objects.get(email="dinsos@demo.local")
    referred = set(Referral.objects.filter(partner=dinsos.partner)
                   .values_list("order__client_id", flat=True))
    clients = list(Client.objects.filter(orders__assigned_pk=pk1).exclude(pk__in=referred)
                   .distinct())
    assert len(clients) >= 10  # the demo gives pk1 a real caseload

    as_pk1 = HttpClient()
    as_pk1.force_login(pk1)
    urls = _pk1_client_urls(as_pk1, clients)
    # The crawl reached more than the client pages: orders, contacts, papers, exports.
    kinds = {url.split("/")[2] if url.startswith("/clients/") else url.split("/")[1]
             for url in urls}
    assert len(urls) > 3 * len(clients), sorted(urls)[:20]
    assert {"orders", "contacts"} <= kinds, kinds

    as_dinsos = HttpClient()
    as_dinsos.force_login(dinsos)
    niks = {client.nik for client in clients if client.nik}
    wrong = []
    for url in sorted(urls):
        response = as_dinsos.get(url)
        body = response.content.decode("utf-8", "replace")
        if response.status_code != 404:
            wrong.append(f"{url}: {response.status_code}")
        leaked = [nik for nik in niks if nik in body]
        if leaked:
            wrong.append(f"{url}: NIK {leaked[0]}")
    assert not wrong, f"{len(wrong)} of {len(urls)} URLs:\n" + "\n".join(wrong)
