"""The benchmark's in-process half: what needs Django (run by bench/run.py as a subprocess).

    python bench/jobs.py status            # is there scale data? row counts, PostgreSQL version
    python bench/jobs.py plan              # who logs in, which client, contacts, search terms
    python bench/jobs.py clear-cache       # login rate limits of earlier runs
    python bench/jobs.py queries PLAN [PAGE…]  # queries per page (Django test client, same DB)
    python bench/jobs.py cpu PLAN [PAGE…]  # CPU time per request (Django + its PostgreSQL backend)
    python bench/jobs.py explain PLAN OUT  # EXPLAIN (ANALYZE, BUFFERS) of each page's main queries
    python bench/jobs.py timings           # reminder sweep, monthly and progress report renders

Every command prints one JSON document on stdout. The settings come from the environment that
bench/run.py sets (production-like: DEBUG off, PostgreSQL, Redis).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bapas.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client as TestClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bapas import scale  # noqa: E402
from bapas.models import Office, RegionalOffice, User  # noqa: E402
from clients.models import Client, Contact, SupervisionOrder  # noqa: E402
from clients.search import search_clients  # noqa: E402
from partners.models import Referral, ServiceSession  # noqa: E402

BIG_TABLES = {"clients_client", "clients_contact", "clients_supervisionorder",
              "partners_referral", "partners_servicesession", "partners_referralevent",
              "bapas_accesslog", "meetings_meeting", "bapas_notification", "django_session"}


def emit(data) -> None:
    json.dump(data, sys.stdout, default=str, indent=1)
    sys.stdout.write("\n")


# --- status and plan -------------------------------------------------------------------------


def status() -> dict:
    result = {"scale": scale.holds_scale_data(), "vendor": connection.vendor}
    counts = {}
    for label, qs in (("offices", Office.objects), ("clients", Client.objects),
                      ("orders", SupervisionOrder.objects), ("contacts", Contact.objects),
                      ("referrals", Referral.objects), ("sessions", ServiceSession.objects),
                      ("users", User.objects)):
        counts[label] = qs.count()
    from meetings.models import Meeting

    counts["meetings"] = Meeting.objects.count()
    counts["active_orders"] = SupervisionOrder.objects.filter(status="aktif").count()
    result["counts"] = counts
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql"
                       else "SELECT sqlite_version()")
        result["database_version"] = cursor.fetchone()[0]
    return result


SWAPS = [("y", "i"), ("i", "y"), ("z", "s"), ("kh", "h"), ("ch", "kh"), ("u", "oe"),
         ("f", "p"), ("dj", "j")]


def misspell(name: str) -> str:
    """One spelling variant offices meet (y/i, z/s, kh/h...) and one dropped letter."""
    words = [w for w in re.sub(r"[^A-Za-z ]", " ", name).split() if len(w) > 1]
    words = words[:2] if len(words) > 1 else words
    first = words[0]
    for old, new in SWAPS:
        if old in first.lower()[1:]:
            index = first.lower().index(old, 1)
            first = first[:index] + new + first[index + len(old):]
            break
    words[0] = first
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) >= 5:
        words[longest] = word[:len(word) // 2] + word[len(word) // 2 + 1:]
    return " ".join(words).lower()


def _caseload(user):
    return SupervisionOrder.objects.for_user(user).filter(assigned_pk=user)


def plan(personas: int) -> dict:
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    pks, supervisors, partners, operators = [], [], [], []
    offices = list(Office.objects.filter(email__endswith=f".{scale.BENCH_DOMAIN}")
                   .order_by("pk")[:personas])
    for office in offices:
        no = int(re.search(r"office(\d+)\.", office.email).group(1))
        pk = User.objects.get(email=scale.office_email("pk1", no))
        orders = _caseload(pk).filter(status="aktif")
        rich = (orders.annotate(n=Count("contacts", filter=Q(contacts__planned_at__gte=year_ago,
                                                             contacts__planned_at__lte=now)))
                .order_by("-n", "pk").select_related("client").first())
        contacts = list(
            Contact.objects.filter(order__assigned_pk=pk, cancelled_at__isnull=True,
                                   planned_at__lt=now - timedelta(hours=1),
                                   planned_at__gte=year_ago,
                                   kind__in=["wajib_lapor", "telepon", "lapor_daring"])
            .filter(Q(outcome="") | Q(recorded_by=pk))
            .order_by("-planned_at").values("pk", "planned_at")[:150]
        )
        # The search: another client of the caseload, misspelled; checked to be found.
        search = None
        for order in orders.select_related("client").order_by("-supervision_start")[:20]:
            term = misspell(order.client.full_name)
            found = search_clients(_caseload(pk), term, client_path="client__").filter(
                client=order.client).exists()
            if found:
                search = {"term": term, "name": order.client.full_name,
                          "client": order.client_id}
                break
        pks.append({
            "email": pk.email, "office": office.name, "office_no": no,
            "caseload_active": orders.count(),
            "client": rich.client_id if rich else None,
            "client_contacts_last_year": getattr(rich, "n", 0),
            "contacts": [{"pk": c["pk"], "at": timezone.localtime(c["planned_at"])
                          .strftime("%Y-%m-%dT%H:%M")} for c in contacts],
            "search": search,
        })
        supervisors.append({"email": scale.office_email("kasubsi", no), "office_no": no})
        partners.append({"email": scale.office_email("mitra1", no), "office_no": no})
        operators.append({"email": scale.office_email("operator", no), "office_no": no})
    result = {"password": scale.BENCH_PASSWORD, "pks": pks, "supervisors": supervisors,
              "partners": partners, "operators": operators,
              "admin": {"email": f"admin@{scale.BENCH_DOMAIN}",
                        "search": pks[0]["search"] if pks else None}}
    result["personas"] = [persona_pages(result, i) for i in range(len(pks))]
    return result


# --- pages, as the driver requests them ------------------------------------------------------

HTMX = {"HX-Request": "true"}  # headers of a request that htmx sends


def send(client: TestClient, request):
    """One request of a page, ``(method, path, form[, headers])``, with the test client."""
    method, path, form, *rest = request
    headers = rest[0] if rest else None
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, form, headers=headers)


def persona_pages(plan_data: dict, i: int) -> list[dict]:
    """The benchmarked pages as persona ``i`` (a PK, supervisor, partner staff member and
    operator of one office) requests them. ``variants``: request lists a user cycles through."""
    k = len(plan_data["pks"])
    pk = plan_data["pks"][i % k]
    supervisor = plan_data["supervisors"][i % k]["email"]
    search = pk["search"] or {"term": "santoso"}
    admin_search = (plan_data["admin"].get("search") or search)["term"]

    def searching(term):
        # As the search form sends it with JavaScript (htmx): the answer is the list itself.
        return [("POST", "/clients/", {"q": term}, HTMX)]

    clear = [("POST", "/clients/", {"clear_search": "1"})]

    result = [
        ("floor", plan_data["operators"][i % k]["email"], [[("GET", "/", None)]]),
        ("pk_home", pk["email"], [[("GET", "/", None)]]),
        ("caseload_filtered", pk["email"],
         [[("GET", "/clients/?attention=any&sort=last_contact", None)]]),
        ("search_misspelled", pk["email"], [searching(search["term"])], clear),
        ("client_page", pk["email"], [[("GET", f"/clients/{pk['client']}/", None)]]),
        ("record_outcome", pk["email"], [
            [("POST", f"/clients/contacts/{c['pk']}/outcome/",
              {"outcome": "hadir_patuh", "happened_at": c["at"],
               "notes": "Klien melapor (bench).", "place": "Rumah klien"})]
            for c in pk["contacts"]
        ]),
        ("partner_portal", plan_data["partners"][i % k]["email"],
         [[("GET", "/partners/portal/?tab=active", None)]]),
        ("office_list", supervisor, [[("GET", "/clients/", None)]]),
        ("office_dashboard", supervisor, [[("GET", "/", None)]]),
        ("search_national", plan_data["admin"]["email"], [searching(admin_search)], clear),
    ]
    return [{"name": name, "who": who, "variants": variants,
             "cleanup": rest[0] if rest else []}
            for name, who, variants, *rest in result if variants]


def extra_pages(plan_data: dict) -> list[dict]:
    """Other list pages, not loaded but counted and explained: their filters and orderings."""
    pk = plan_data["pks"][0]["email"]
    supervisor = plan_data["supervisors"][0]["email"]
    office_list = [
        ("awaiting_office", supervisor, "/clients/contacts/awaiting/"),
        ("agenda_pk", pk, "/clients/contacts/agenda/"),
        ("office_list_by_end", supervisor, "/clients/?sort=end&risk_level=tinggi"),
        ("office_list_all_statuses", supervisor, "/clients/?status=&sort=-name"),
        ("office_list_overdue", supervisor, "/clients/?attention=overdue&sort=last_contact"),
        ("referrals_office", supervisor, "/partners/referrals/"),
        ("meetings_office", supervisor, "/meetings/"),
        ("access_log_office", supervisor, "/audit/access/"),
        ("checkin_operator", plan_data["operators"][0]["email"], "/clients/checkin/"),
    ]
    return [{"name": name, "who": who, "requests": [("GET", path, None)], "cleanup": []}
            for name, who, path in office_list]


def pages(plan_data: dict, *, extra: bool = False) -> list[dict]:
    """Persona 0's pages with their first variant, for counting queries and EXPLAIN."""
    result = [{"name": p["name"], "who": p["who"], "requests": p["variants"][0],
               "cleanup": p["cleanup"]} for p in persona_pages(plan_data, 0)]
    return result + (extra_pages(plan_data) if extra else [])


def query_counts(plan_data: dict, only: list[str] | None = None) -> dict:
    """Queries per request of each page (second run: caches warm, as in a steady state)."""
    counts = {}
    for page in pages(plan_data, extra=True):
        if only and page["name"] not in only:
            continue
        client = TestClient(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=page["who"]))
        per_request = []
        for _attempt in range(2):
            per_request = []
            for request in page["requests"]:
                method, path = request[:2]
                with CaptureQueriesContext(connection) as captured:
                    response = send(client, request)
                per_request.append({"path": path, "method": method,
                                    "status": response.status_code,
                                    "queries": len(captured.captured_queries)})
            for _method, path, form in page["cleanup"]:
                client.post(path, form)
        counts[page["name"]] = per_request
    return counts


def _backend_cpu(pid: int) -> float:
    """CPU seconds the PostgreSQL backend ``pid`` has used (same machine: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_costs(plan_data: dict, repeat: int = 15, only: list[str] | None = None) -> dict:
    """CPU time per request of each page: this process (Django) plus its PostgreSQL backend.

    Unlike latencies, CPU time hardly depends on what else the machine runs, so it estimates
    what the page costs on an idle server: two cores serve at most 2 / cost requests a second.
    """
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    result = {}
    for page in pages(plan_data, extra=bool(only)):  # the list pages only when named
        if only and page["name"] not in only:
            continue
        client = TestClient(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=page["who"]))

        def once(client=client, page=page):
            for request in page["requests"]:
                send(client, request)

        once()  # warm
        python0, postgres0, wall0 = time.process_time(), _backend_cpu(backend), time.time()
        for _ in range(repeat):
            once()
        python = (time.process_time() - python0) / repeat * 1000
        postgres = (_backend_cpu(backend) - postgres0) / repeat * 1000
        wall = (time.time() - wall0) / repeat * 1000
        for _method, path, form in page["cleanup"]:
            client.post(path, form)
        result[page["name"]] = {"python_ms": round(python, 1), "postgres_ms": round(postgres, 1),
                                "cpu_ms": round(python + postgres, 1), "wall_ms": round(wall, 1)}
    return result


# --- EXPLAIN -------------------------------------------------------------------------------

EXTRA_NAMES = {"awaiting_office", "agenda_pk", "office_list_by_end", "office_list_all_statuses",
               "office_list_overdue", "referrals_office", "meetings_office", "access_log_office",
               "checkin_operator"}
EXPLAINED = ["caseload_filtered", "search_misspelled", "client_page", "partner_portal",
             "office_list", "office_dashboard", "search_national", "pk_home"]
def _scans(plan_text: str) -> list[str]:
    found = []
    for line in plan_text.splitlines():
        match = re.search(r"(Parallel Seq Scan|Seq Scan|Index Only Scan|Index Scan)"
                          r"(?: Backward)?(?: using (\S+))? on (\S+)", line)
        bitmap = re.search(r"Bitmap Index Scan on (\S+)", line)
        rows = re.search(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)", line)
        suffix = f" (rows={rows.group(1)}, loops={rows.group(2)})" if rows else ""
        if match:
            kind, index, table = match.groups()
            found.append(f"{kind} on {table}" + (f" using {index}" if index else "") + suffix)
        elif bitmap:
            found.append(f"Bitmap Index Scan on {bitmap.group(1)}" + suffix)
    return found


def explain(plan_data: dict, out: Path, top: int = 3) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest queries of each page; a summary of scans."""
    summary: dict = {}
    chunks = []
    for page in pages(plan_data, extra=True):
        if page["name"] not in EXPLAINED and page["name"] not in EXTRA_NAMES:
            continue
        client = TestClient(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=page["who"]))
        captured_all = []
        for request in page["requests"]:
            send(client, request)  # warm
            with CaptureQueriesContext(connection) as captured:
                send(client, request)
            captured_all += captured.captured_queries
        for _method, path, form in page["cleanup"]:
            client.post(path, form)
        interesting = [q for q in captured_all if q["sql"].lstrip().upper().startswith("SELECT")
                       and "django_session" not in q["sql"]]
        interesting.sort(key=lambda q: -float(q["time"]))
        entries = []
        for q in interesting[:top]:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                text = "\n".join(row[0] for row in cursor.fetchall())
                transaction.set_rollback(True)
            total = re.search(r"Execution Time: ([\d.]+) ms", text)
            scans = _scans(text)
            seq_big = [s for s in scans if "Seq Scan" in s
                       and s.split(" on ")[1].split()[0] in BIG_TABLES]
            entries.append({"ms": float(total.group(1)) if total else None,
                            "sql": q["sql"][:300], "scans": scans, "seq_scans_on_big": seq_big})
            chunks.append(f"### {page['name']} ({total.group(1) if total else '?'} ms)\n\n"
                          f"```sql\n{q['sql']}\n```\n\n```\n{text}\n```\n")
        summary[page["name"]] = entries
    out.write_text("# EXPLAIN (ANALYZE, BUFFERS) of each page's slowest queries\n\n"
                   + "\n".join(chunks))
    return summary


# --- background work ---------------------------------------------------------------------

def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _timed_cpu(fn) -> tuple[float, float, object]:
    """Wall seconds, CPU seconds (this process plus its PostgreSQL backend) and the result.
    CPU time hardly depends on what else a shared machine runs; wall time does."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    python0, postgres0 = time.process_time(), _backend_cpu(backend)
    elapsed, result = _timed(fn)
    cpu = time.process_time() - python0 + _backend_cpu(backend) - postgres0
    return elapsed, cpu, result


def _working_morning() -> datetime:
    day = timezone.localdate()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))


# What a PK types on the progress report's form before printing it (the report prints it whole).
PROGRESS_EVALUATION = (
    "Selama periode pembimbingan klien melaksanakan wajib lapor sesuai jadwal yang ditetapkan "
    "dalam kontrak bimbingan. Klien bersikap kooperatif, terbuka ketika diwawancarai dan "
    "menunjukkan penyesalan atas perbuatannya. Hasil kunjungan rumah menunjukkan klien tinggal "
    "bersama keluarga yang mendukung proses reintegrasi; penjamin aktif mengingatkan jadwal "
    "lapor. Klien mengikuti pelatihan keterampilan di mitra dan telah bekerja sebagai buruh "
    "harian. Tidak ditemukan indikasi pelanggaran syarat umum maupun syarat khusus. Dua kali "
    "klien terlambat melapor dengan alasan pekerjaan, dan setelah diberi teguran lisan klien "
    "kembali tertib. Berdasarkan penilaian risiko ulang, tingkat risiko klien tetap atau "
    "menurun dibanding awal pembimbingan."
)
PROGRESS_RECOMMENDATION = (
    "Pembimbingan dilanjutkan pada tahap berikutnya dengan frekuensi wajib lapor sesuai tingkat "
    "risiko; klien dirujuk ke mitra untuk pendampingan kerja dan keluarga dilibatkan dalam "
    "evaluasi berikutnya."
)


def _pdf_pages(data: bytes) -> int | None:
    """Pages of a PDF, read with poppler's pdfinfo (None when it is not installed)."""
    import shutil
    import subprocess
    import tempfile

    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        # A fixed tool found on PATH reading our own temporary file.
        out = subprocess.run([pdfinfo, handle.name], capture_output=True,  # noqa: S603
                             text=True, check=False).stdout
    found = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
    return int(found.group(1)) if found else None


def _largest_office() -> tuple[Office, int]:
    """The bench office with the most active supervision orders, and that number."""
    row = (SupervisionOrder.objects.filter(status="aktif",
                                           client__office__email__endswith=f".{scale.BENCH_DOMAIN}")
           .values("client__office_id").annotate(n=Count("id")).order_by("-n", "client__office_id")
           .first())
    return Office.objects.get(pk=row["client__office_id"]), row["n"]


def progress_timing() -> dict:
    """A progress report (laporan perkembangan) over the last 12 months, evaluation and
    recommendation filled, for the order with the most contacts in that period. Nothing is
    saved: the report row is built in memory, as the renderer only reads."""
    from reports.documents import progress_contacts, progress_referrals, render_document
    from reports.figures import day_range
    from reports.models import GeneratedReport, ReportKind
    from reports.services import office_supervisor

    last = timezone.localdate()
    first = last - timedelta(days=364)
    start, end = day_range(first, last)  # the bounds progress_contacts() uses
    richest = (Contact.objects.filter(cancelled_at__isnull=True, planned_at__gte=start,
                                      planned_at__lte=end)
               .values("order_id").annotate(n=Count("id")).order_by("-n", "order_id").first())
    order = SupervisionOrder.objects.select_related("client").get(pk=richest["order_id"])
    supervisor = office_supervisor(order.client.office_id)
    report = GeneratedReport(
        kind=ReportKind.PROGRESS, office_id=order.client.office_id, client_id=order.client_id,
        order=order, period_start=first, period_end=last,
        parameters={"signer_id": order.assigned_pk_id,
                    "acknowledger_id": supervisor.pk if supervisor else None,
                    "evaluation": PROGRESS_EVALUATION,
                    "recommendation": PROGRESS_RECOMMENDATION})
    elapsed, cpu, data = _timed_cpu(lambda: render_document(report))
    return {"seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2), "bytes": len(data),
            "pages": _pdf_pages(data),
            "contacts": progress_contacts(order, first, last).count(),
            "referrals": progress_referrals(order, first, last).count(),
            "period": f"{first:%Y-%m-%d}..{last:%Y-%m-%d}", "order": order.pk}


def timings(label: str) -> dict:
    """The reminder sweep (rolled back, so it can be repeated), the monthly reports of the
    office with the most active orders, the regional and national figures, and a progress
    report with a year of contacts."""
    from bapas.notifications.engine import run_sweeps
    from reports.documents import render_document
    from reports.figures import month_bounds, monthly_figures, previous_month
    from reports.models import GeneratedReport, ReportKind
    from reports.xlsx import build_workbook

    result: dict = {"scale": label, "offices": Office.objects.count(),
                    "clients": Client.objects.count(), "contacts": Contact.objects.count()}
    now = _working_morning()
    with transaction.atomic():
        elapsed, sweep = _timed(lambda: run_sweeps(now=now))
        transaction.set_rollback(True)
    result["reminder_sweep"] = {"seconds": round(elapsed, 2), "created": sweep.created,
                                "cancelled": sweep.cancelled, "errors": sweep.errors,
                                "at": now.isoformat()}
    year, month = previous_month(timezone.localdate())
    first, last = month_bounds(year, month)
    office, active = _largest_office()
    # Clients under supervision at the end of the reported month, as the report prints it.
    end_of_month = monthly_figures([office.pk], year, month).totals()["end"]
    reports = {}
    for kind in (ReportKind.MONTHLY_PDF, ReportKind.MONTHLY_XLSX):
        report = GeneratedReport(kind=kind, office=office, period_start=first, period_end=last)
        elapsed, cpu, data = _timed_cpu(lambda r=report: render_document(r))
        entry = {"seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
                 "bytes": len(data), "office": office.name,
                 "active_orders": active, "active_at_month_end": end_of_month}
        if kind == ReportKind.MONTHLY_PDF:
            entry["pages"] = _pdf_pages(data)
        reports[f"office {kind}"] = entry
    region = (RegionalOffice.objects.annotate(n=Count("offices")).order_by("-n", "pk").first())
    if region is not None:
        report = GeneratedReport(kind=ReportKind.REGIONAL_PDF, regional_office=region,
                                 period_start=first, period_end=last)
        elapsed, data = _timed(lambda: render_document(report))
        reports["regional_pdf"] = {"seconds": round(elapsed, 2), "bytes": len(data),
                                   "offices": region.n}
    all_offices = list(Office.objects.values_list("pk", flat=True))
    elapsed, figures = _timed(lambda: monthly_figures(all_offices, year, month, regional=True))
    elapsed_xlsx, data = _timed(lambda: build_workbook(
        figures, title="Nasional", issuer="Nasional", regional=True))
    reports["national_figures_and_xlsx"] = {"seconds": round(elapsed + elapsed_xlsx, 2),
                                            "figures_seconds": round(elapsed, 2),
                                            "bytes": len(data), "offices": len(all_offices)}
    reports["progress_pdf"] = progress_timing()
    result["reports"] = reports
    result["period"] = f"{first:%Y-%m}"
    return result


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "status"
    if command == "status":
        emit(status())
    elif command == "plan":
        emit(plan(int(argv[1]) if len(argv) > 1 else 7))
    elif command == "clear-cache":
        cache.clear()
        emit({"cleared": True})
    elif command == "queries":
        emit(query_counts(json.loads(Path(argv[1]).read_text()), argv[2:]))
    elif command == "cpu":
        emit(cpu_costs(json.loads(Path(argv[1]).read_text()), only=argv[2:]))
    elif command == "explain":
        emit(explain(json.loads(Path(argv[1]).read_text()), Path(argv[2])))
    elif command == "timings":
        emit(timings(argv[1] if len(argv) > 1 else "national"))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
