#!/usr/bin/env python3
"""``make bench``: national-scale data, gunicorn in production mode, and a load driver.

Steps: create the PostgreSQL databases if missing (``bapas_bench`` at national scale and
``bapas_bench_office``, one large office: OFFICE_SHARE average offices' worth), migrate, seed
them once (later runs reuse the data), count each page's queries and EXPLAIN its main queries,
serve the project with gunicorn on 127.0.0.1 with DEBUG off, then drive it from this process
with 8 and 32 concurrent users, one page at a time for a fixed time each. Finally it times the
reminder sweep, the monthly reports and a progress report with a year of contacts, and writes
bench/results/<date>-<commit>.md and .json (``--timings-only``: that last step alone).

The driver uses only the standard library (threads and http.client) and talks to 127.0.0.1
only. Cookies are handled by hand: with DEBUG off they are Secure and named ``__Host-...``,
which a cookie jar would not send over plain http.

    python bench/run.py                       # the defaults of the issue
    python bench/run.py --duration 10 --users 8     # a quick look
    python bench/run.py --size quarter        # 50,000 clients instead of 200,000
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PY = ROOT / ".venv" / "bin" / "python"
PY = str(VENV_PY if VENV_PY.exists() else Path(sys.executable))
GUNICORN = str(Path(PY).parent / "gunicorn")
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
PG = "postgres://postgres@127.0.0.1:5432"

SIZES = {  # seed_scale arguments; "office" databases get OFFICE_SHARE/offices of it
    "full": {"offices": 90, "clients": 200_000, "contacts": 2_000_000, "referrals": 300_000,
             "sessions": 1_000_000, "meetings": 20_000},
    "quarter": {"offices": 90, "clients": 50_000, "contacts": 500_000, "referrals": 75_000,
                "sessions": 250_000, "meetings": 5_000},
    "tiny": {"offices": 4, "clients": 2_000, "contacts": 20_000, "referrals": 3_000,
             "sessions": 10_000, "meetings": 200},
}
# The office database holds one large office: three average offices' worth of everything
# (at the full size about 6,700 clients, 2,000+ of them under active supervision: the office
# size at which issue 7 asks for the monthly report's render time).
OFFICE_SHARE = 3
TARGET_P95_MS = 250
TARGET_SEARCH_P95_MS = 150
TARGET_RATIO = 0.40
TARGET_QUERIES = 20


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# --- Environment and subprocesses ------------------------------------------------------------


def bench_env(database_url: str, **extra: str) -> dict:
    """Production-like settings (DEBUG off) for gunicorn and the Django-side jobs."""
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "k3y-0f-s1xty-ch4racters-f0r-the-b3nchmark-0nly-xx" + "0123456",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "MFA_REQUIRED": "false",
        "CACHE_URL": "redis://127.0.0.1:6379/3",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/4",
        "VAR_DIR": str(ROOT / "var" / "bench"),
        "WHATSAPP_GATEWAY": "file",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("TESTING", None)
    env.update(extra)
    return env


def run(args: list[str], env: dict, *, capture: bool = False, check: bool = True) -> str:
    # The venv's python running manage.py or bench/ scripts, as a list: no shell to inject into.
    result = subprocess.run(args, cwd=ROOT, env=env, text=True, check=False,  # noqa: S603
                            stdout=subprocess.PIPE if capture else None)
    if check and result.returncode:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(args)}")
    return result.stdout or ""


def job(env: dict, *args: str) -> dict:
    return json.loads(run([PY, "bench/jobs.py", *args], env, capture=True))


def manage(env: dict, *args: str) -> None:
    run([PY, "manage.py", *args], env)


# Run with the venv's Python (psycopg is a project dependency); names arrive as arguments.
CREATE_DATABASE = """
import sys
import psycopg
from psycopg import sql
url, name, template = sys.argv[1:4]
with psycopg.connect(url + "/postgres", autocommit=True) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        print("exists")
    else:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(statement)
        print("created")
"""


def ensure_database(name: str, template: str | None = None) -> bool:
    """Create the database if missing; True when it was created."""
    out = run([PY, "-c", CREATE_DATABASE, PG, name, template or ""], dict(os.environ),
              capture=True)
    return out.strip() == "created"


def seed_args(size: dict) -> list[str]:
    return [part for name, value in size.items() for part in (f"--{name}", str(value))]


def office_size(size: dict) -> dict:
    """seed_scale arguments of the office database: one office, OFFICE_SHARE offices' worth."""
    share = {k: max(1, v * OFFICE_SHARE // size["offices"]) for k, v in size.items()}
    share["offices"] = 1
    return share


def prepare(size: dict, env_main: dict, env_office: dict, main: str, office: str) -> None:
    created = ensure_database(main)
    if created:
        log(f"created database {main}")
    log(f"migrate {main}")
    manage(env_main, "migrate", "--noinput", "-v0")
    main_status = job(env_main, "status")
    if not ensure_database(office, None if main_status["scale"] else main):
        log(f"migrate {office}")
    else:
        log(f"created database {office}" + ("" if main_status["scale"] else f" from {main}"))
    manage(env_office, "migrate", "--noinput", "-v0")
    if not main_status["scale"]:
        log(f"seeding {main}: " + ", ".join(f"{k} {v:,}" for k, v in size.items()))
        manage(env_main, "seed_scale", "--force", *seed_args(size))
    else:
        log(f"{main} already holds scale data: reused ({main_status['counts']['clients']:,} "
            "clients)")
    office_status = job(env_office, "status")
    share = office_size(size)
    if not office_status["scale"]:
        log(f"seeding {office}: " + ", ".join(f"{k} {v:,}" for k, v in share.items()))
        manage(env_office, "seed_scale", "--force", *seed_args(share))
    elif office_status["counts"]["clients"] != share["clients"]:
        log(f"note: {office} holds {office_status['counts']['clients']:,} clients, not the "
            f"{share['clients']:,} of this size's office database; to replace its data run "
            f"DATABASE_URL={PG}/{office} {PY} manage.py seed_scale --force --reset "
            + " ".join(seed_args(share)))
    static = Path(env_main["VAR_DIR"]) / "static" / "staticfiles.json"
    newest = max(p.stat().st_mtime for p in (ROOT / "static").rglob("*") if p.is_file())
    if not static.exists() or static.stat().st_mtime < newest:
        log("collectstatic")
        manage(env_main, "collectstatic", "--noinput", "-v0")


# --- HTTP with hand-made cookies -------------------------------------------------------------


class Session:
    """One logged-in user: its cookies, sent back over plain http to 127.0.0.1.

    Several driver threads may act for the same user (as one person's browser tabs); each thread
    has its own connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.local = threading.local()

    def csrf(self) -> str:
        return next((v for k, v in self.cookies.items() if k.endswith("csrftoken")), "")

    def request(self, method: str, path: str, form: dict | None = None,
                extra_headers: dict | None = None) -> tuple[int, int, str]:
        headers = {"Host": HOST, "User-Agent": "bapas-bench/1", **(extra_headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            data = dict(form or {})
            data["csrfmiddlewaretoken"] = self.csrf()
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        local = self.local
        for attempt in range(2):
            if getattr(local, "conn", None) is None:
                local.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
            try:
                local.conn.request(method, path, body=body, headers=headers)
                response = local.conn.getresponse()
                payload = response.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                local.conn.close()
                local.conn = None
                if attempt:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            pair = value.split(";", 1)[0]
            name, _, cookie = pair.partition("=")
            if "max-age=0" in value.lower() or cookie in ('""', ""):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = cookie.strip()
        if response.will_close:
            local.conn.close()
            local.conn = None
        return response.status, len(payload), response.getheader("Location") or ""

    def login(self, email: str, password: str) -> None:
        for attempt in range(12):
            self.cookies.clear()
            self.request("GET", "/accounts/login/")
            status, _size, location = self.request(
                "POST", "/accounts/login/", {"login": email, "password": password})
            if status == 302 and "/accounts/login" not in location:
                return
            if status == 429:  # allauth allows 30 logins a minute per address
                time.sleep(5 + attempt * 5)
                continue
            raise SystemExit(f"login failed for {email}: HTTP {status} -> {location}")
        raise SystemExit(f"login for {email} still rate-limited after retries")


# --- Load ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def drive(port: int, sessions: dict[str, Session], personas: list[list[dict]], page: str,
          users: int, duration: float, warmup: float) -> dict:
    """``users`` threads request ``page`` in a closed loop for ``warmup`` + ``duration``."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    last = [0.0]
    start = time.perf_counter()
    measure_from = start + warmup
    deadline = measure_from + duration

    def user(index: int) -> None:
        spec = next(p for p in personas[index % len(personas)] if p["name"] == page)
        session = sessions[spec["who"]]
        variants = spec["variants"]
        turn = index * 7
        while True:
            began = time.perf_counter()
            if began >= deadline:
                return
            requests = variants[turn % len(variants)]
            turn += 1
            worst = 0
            try:
                for request in requests:  # (method, path, form[, headers])
                    status, _size, _location = session.request(*request)
                    worst = max(worst, status)
            except Exception as exc:  # a refused or reset connection counts as an error
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                worst = 599
            finished = time.perf_counter()
            if began >= measure_from:  # started in the window; slow pages may end after it
                with lock:
                    latencies.append((finished - began) * 1000)
                    statuses[worst] = statuses.get(worst, 0) + 1
                    last[0] = max(last[0], finished)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + duration + 180)
    window = max(duration, last[0] - measure_from, 1e-9)
    failed = sum(n for status, n in statuses.items() if status >= 400)
    return {
        "page": page, "users": users, "requests": len(latencies), "failed": failed,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors[:5],
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "rps": round(len(latencies) / window, 2),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    args = [GUNICORN, "bapas.wsgi:application", "--bind", f"{HOST}:{port}",
            "--workers", str(workers), "--timeout", "120", "--log-level", "warning",
            "--graceful-timeout", "10"]
    if threads > 1:
        args += ["--worker-class", "gthread", "--threads", str(threads)]
    # The venv's gunicorn with fixed options and numbers: no shell, no outside input.
    process = subprocess.Popen(args, cwd=ROOT, env=env)  # noqa: S603
    for _ in range(120):
        time.sleep(0.5)
        if process.poll() is not None:
            raise SystemExit("gunicorn exited at start")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": HOST})
            if conn.getresponse().status < 500:
                return process
        except OSError:
            continue
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


# --- Machine and report ----------------------------------------------------------------------


def machine(database_version: str) -> dict:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    memory = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    # A fixed command found on PATH, for the report only.
    uptime = subprocess.run(["uptime"], capture_output=True, text=True,  # noqa: S607
                            check=False).stdout
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(int(memory.group(1)) / 1024 / 1024, 1) if memory else None,
        "cpu": model.group(1).strip() if model else platform.processor(),
        "postgresql": database_version,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "uptime_at_start": uptime.strip(),
    }


def git_commit() -> tuple[str, bool]:
    # Fixed git commands found on PATH, read-only, to label the results with the commit.
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,  # noqa: S607
                            capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
                           cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    return commit or "unknown", bool(dirty)


def queries_of(counts: dict, page: str) -> str:
    rows = counts.get(page, [])
    return "+".join(str(r["queries"]) for r in rows) if rows else "-"


def max_queries(counts: dict, page: str) -> int:
    return max((r["queries"] for r in counts.get(page, [])), default=0)


def verdicts(result: dict) -> list[str]:
    """Which targets of the issue each page misses (8 users)."""
    misses = []
    floor = {r["users"]: r["rps"] for r in result["load"] if r["page"] == "floor"}
    for r in result["load"]:
        if r["users"] != 8:
            continue
        limit = TARGET_SEARCH_P95_MS if r["page"].startswith("search") else TARGET_P95_MS
        if r["p95_ms"] > limit:
            misses.append(f"{r['page']}: p95 {r['p95_ms']:.0f} ms > {limit} ms")
        ratio = r["rps"] / floor[8] if floor.get(8) else 0
        if r["page"] != "floor" and ratio < TARGET_RATIO:
            misses.append(f"{r['page']}: {ratio:.0%} of the floor's throughput < 40%")
        if r["failed"]:
            misses.append(f"{r['page']}: {r['failed']} failed requests")
    for page in result["queries"]["national"]:
        national = max_queries(result["queries"]["national"], page)
        office = max_queries(result["queries"]["office"], page)
        if national > TARGET_QUERIES:
            misses.append(f"{page}: {national} queries > {TARGET_QUERIES}")
        if office and national != office:
            misses.append(f"{page}: {office} queries at office scale, {national} at national")
    return misses


def timing_rows(timings: dict) -> list[tuple[str, str, float, str]]:
    """(job, scale, seconds, detail) of the background work."""
    rows = []
    for scale_name, timing in timings.items():
        sweep = timing["reminder_sweep"]
        rows.append(("reminder sweep", f"{scale_name} ({timing['offices']} offices, "
                     f"{timing['contacts']:,} contacts)", sweep["seconds"],
                     f"{sweep['created']:,} notifications created (rolled back)"))
        for name, report in timing["reports"].items():
            detail = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                               for k, v in report.items() if k != "seconds")
            rows.append((name, scale_name, report["seconds"], detail))
    return rows


def timings_markdown(timings: dict) -> list[str]:
    return ["## Background work", "", "| job | scale | seconds | detail |", "|---|---|---:|---|",
            *(f"| {job_name} | {scale_name} | {seconds} | {detail} |"
              for job_name, scale_name, seconds, detail in timing_rows(timings))]


def print_timings(timings: dict) -> None:
    if not timings:
        return
    print(f"\n{'background work':<28}{'scale':<32}{'seconds':>8}  detail")
    for job_name, scale_name, seconds, detail in timing_rows(timings):
        print(f"{job_name:<28}{scale_name:<32}{seconds:>8}  {detail}")


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [
        f"# Benchmark {result['date']} · commit {result['commit']}"
        + (" (with uncommitted changes)" if result["dirty"] else ""),
        "",
        f"Scale: {result['scale_name']} — " + ", ".join(
            f"{k} {v:,}" for k, v in result["counts"].items()),
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB RAM, "
        f"{m['postgresql'].split(' on ')[0]}, Python {m['python']}; load average at start "
        f"{', '.join(str(x) for x in m['load_average_at_start'])} "
        f"(`{m['uptime_at_start']}`).",
        "",
        f"Server: gunicorn, {result['workers']} workers"
        + (f" x {result['threads']} threads" if result["threads"] > 1 else " (sync)")
        + f", DEBUG off, PostgreSQL + Redis on the same machine; driver in a separate process "
        f"on the same machine. Each page alone for {result['duration']:.0f} s "
        f"(after {result['warmup']:.0f} s warm-up) per concurrency level.",
        "",
        "| page | users | requests | failed | p50 ms | p95 ms | p99 ms | req/s | vs floor "
        "| queries (national / office) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    floor = {r["users"]: r["rps"] for r in result["load"] if r["page"] == "floor"}
    for r in result["load"]:
        ratio = r["rps"] / floor[r["users"]] if floor.get(r["users"]) else 0
        lines.append(
            f"| {r['page']} | {r['users']} | {r['requests']} | {r['failed']} | {r['p50_ms']} "
            f"| {r['p95_ms']} | {r['p99_ms']} | {r['rps']} | {ratio:.0%} | "
            f"{queries_of(result['queries']['national'], r['page'])} / "
            f"{queries_of(result['queries']['office'], r['page'])} |")
    loaded = {r["page"] for r in result["load"]}
    others = [page for page in result["queries"]["national"] if page not in loaded]
    if others:
        lines += ["", "Other list pages (not loaded): queries national / office — " + ", ".join(
            f"{page} {queries_of(result['queries']['national'], page)} / "
            f"{queries_of(result['queries']['office'], page)}" for page in others) + "."]
    lines += ["", "## CPU per request (load-independent)", "",
              "One user, Django test client against the national database: CPU seconds of the "
              "Django process plus its PostgreSQL backend, per request. Two idle cores serve at "
              f"most 2 / cost requests a second ({os.cpu_count()} here).", "",
              "| page | Django ms | PostgreSQL ms | CPU ms | wall ms | max req/s on 2 cores "
              "| vs floor |", "|---|---:|---:|---:|---:|---:|---:|"]
    floor_cpu = result["cpu"].get("floor", {}).get("cpu_ms") or 0
    for page, c in result["cpu"].items():
        capacity = 2000 / c["cpu_ms"] if c["cpu_ms"] else 0
        ratio = floor_cpu / c["cpu_ms"] if c["cpu_ms"] else 0
        lines.append(f"| {page} | {c['python_ms']} | {c['postgres_ms']} | {c['cpu_ms']} | "
                     f"{c['wall_ms']} | {capacity:.0f} | {ratio:.0%} |")
    lines += ["", *timings_markdown(result["timings"])]
    lines += ["", "## Index use (EXPLAIN ANALYZE of each page's slowest queries)", ""]
    for page, entries in result.get("explain", {}).items():
        for entry in entries:
            seq = entry["seq_scans_on_big"]
            lines.append(f"- **{page}** {entry['ms']} ms: "
                         + ("; ".join(entry["scans"][:6]) or "no table scans")
                         + (f" — **sequential scan of a large table: {', '.join(seq)}**"
                            if seq else ""))
    lines += ["", "## Targets (8 users)", ""]
    misses = verdicts(result)
    lines += [f"- missed: {miss}" for miss in misses] or ["- all met"]
    lines += ["", "Timings on a shared 2-core machine are noisy: see the load average above."]
    return "\n".join(lines) + "\n"


def print_table(result: dict) -> None:
    floor = {r["users"]: r["rps"] for r in result["load"] if r["page"] == "floor"}
    print(f"\n{'page':<20}{'users':>6}{'reqs':>7}{'fail':>6}{'p50':>8}{'p95':>8}{'p99':>8}"
          f"{'req/s':>8}{'floor%':>8}  queries")
    for r in result["load"]:
        ratio = r["rps"] / floor[r["users"]] if floor.get(r["users"]) else 0
        print(f"{r['page']:<20}{r['users']:>6}{r['requests']:>7}{r['failed']:>6}"
              f"{r['p50_ms']:>8}{r['p95_ms']:>8}{r['p99_ms']:>8}{r['rps']:>8}{ratio:>8.0%}  "
              f"{queries_of(result['queries']['national'], r['page'])}")
    print_timings(result["timings"])
    print()
    for miss in verdicts(result) or ["all targets met"]:
        print("  " + miss)


# --- Main ----------------------------------------------------------------------------------


def run_timings(env_main: dict, env_office: dict) -> dict:
    log("timing the reminder sweep, the monthly reports and a progress report")
    return {"office": job(env_office, "timings", "office"),
            "national": job(env_main, "timings", "national")}


def timings_only(options, env_main: dict, env_office: dict, status: dict, machine_info: dict,
                 commit: str, dirty: bool, stem: str, started: float) -> None:
    """The background work alone (no server, no load): printed, and written as
    <date>-<commit>-timings.md and .json unless --no-write."""
    office_counts = job(env_office, "status")["counts"]
    timings = run_timings(env_main, env_office)
    result = {"date": datetime.now().strftime("%Y-%m-%d %H:%M"), "commit": commit,
              "dirty": dirty, "scale_name": options.size, "counts": status["counts"],
              "office_counts": office_counts, "machine": machine_info,
              "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
              "timings": timings}
    print_timings(timings)
    if not options.no_write:
        m = machine_info
        text = "\n".join([
            f"# Background work {result['date']} · commit {commit}"
            + (" (with uncommitted changes)" if dirty else ""), "",
            "Timings only (`bench/run.py --timings-only`): no server and no load driver; "
            "the machine's load average is below.", "",
            f"National database ({options.size}): " + ", ".join(
                f"{k} {v:,}" for k, v in status["counts"].items()) + ".", "",
            "Office database: " + ", ".join(f"{k} {v:,}" for k, v in office_counts.items())
            + ".", "",
            f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB RAM, "
            f"{m['postgresql'].split(' on ')[0]}, Python {m['python']}; load average at start "
            f"{', '.join(str(x) for x in m['load_average_at_start'])}, at the end "
            f"{', '.join(str(x) for x in result['load_average_at_end'])}.", "",
            *timings_markdown(timings), ""])
        (RESULTS / f"{stem}-timings.json").write_text(
            json.dumps(result, indent=1, default=str) + "\n")
        (RESULTS / f"{stem}-timings.md").write_text(text)
        log(f"wrote bench/results/{stem}-timings.md and .json")
    log(f"done in {time.time() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--database", default="bapas_bench")
    parser.add_argument("--users", default="8,32", help="concurrency levels, e.g. 8,32")
    parser.add_argument("--duration", type=float, default=30, help="seconds per page and level")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help=">1: gthread workers")
    parser.add_argument("--personas", type=int, default=7,
                        help="offices whose PK, supervisor, partner and operator log in")
    parser.add_argument("--pages", default="", help="comma-separated subset of pages")
    parser.add_argument("--skip-timings", action="store_true")
    parser.add_argument("--timings-only", action="store_true",
                        help="only the background work: writes <date>-<commit>-timings.md/json")
    parser.add_argument("--no-write", action="store_true", help="print only")
    options = parser.parse_args()

    size = SIZES[options.size]
    main_db, office_db = options.database, f"{options.database}_office"
    env_main, env_office = bench_env(f"{PG}/{main_db}"), bench_env(f"{PG}/{office_db}")
    prepare(size, env_main, env_office, main_db, office_db)
    started = time.time()
    status = job(env_main, "status")
    machine_info = machine(status["database_version"])
    commit, dirty = git_commit()
    log(f"load average {machine_info['load_average_at_start']}, commit {commit}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{datetime.now():%Y-%m-%d}-{commit}"
    if options.timings_only:
        timings_only(options, env_main, env_office, status, machine_info, commit, dirty, stem,
                     started)
        return
    plan_file = ROOT / "var" / "bench" / "plan.json"
    plan_file.parent.mkdir(parents=True, exist_ok=True)
    plan = job(env_main, "plan", str(options.personas))
    plan_file.write_text(json.dumps(plan))
    office_plan_file = ROOT / "var" / "bench" / "plan-office.json"
    office_plan_file.write_text(json.dumps(job(env_office, "plan", "1")))
    log("counting queries per page (national and office scale)")
    queries = {"national": job(env_main, "queries", str(plan_file)),
               "office": job(env_office, "queries", str(office_plan_file))}
    log("CPU time per request (Django and PostgreSQL), one user")
    cpu = job(env_main, "cpu", str(plan_file))
    log("EXPLAIN ANALYZE of the main queries")
    explain_file = (RESULTS if not options.no_write else ROOT / "var" / "bench") / \
        f"{stem}-explain.md"
    explain = job(env_main, "explain", str(plan_file), str(explain_file))

    job(env_main, "clear-cache")
    port = free_port()
    log(f"gunicorn on {HOST}:{port} ({options.workers} workers)")
    server = start_gunicorn(env_main, port, options.workers, options.threads)
    load = []
    try:
        emails = sorted({p["who"] for persona in plan["personas"] for p in persona})
        sessions = {}
        log(f"logging in {len(emails)} users through /accounts/login/")
        for email in emails:
            session = Session(port)
            session.login(email, plan["password"])
            sessions[email] = session
        names = [p["name"] for p in plan["personas"][0]]
        if options.pages:
            names = [n for n in names if n in options.pages.split(",") or n == "floor"]
        for users in [int(u) for u in options.users.split(",")]:
            for name in names:
                row = drive(port, sessions, plan["personas"], name, users, options.duration,
                            options.warmup)
                load.append(row)
                log(f"{name:<20} {users:>3} users: p50 {row['p50_ms']} ms, p95 "
                    f"{row['p95_ms']} ms, {row['rps']} req/s, {row['failed']} failed")
                cleanup = plan["personas"][0]
                for persona in plan["personas"]:
                    spec = next(p for p in persona if p["name"] == name)
                    for method, path, form in spec["cleanup"]:
                        sessions[spec["who"]].request(method, path, form)
                _ = cleanup
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    timings = {}
    if not options.skip_timings:
        timings = run_timings(env_main, env_office)
    result = {
        "date": datetime.now().strftime("%Y-%m-%d %H:%M"), "commit": commit, "dirty": dirty,
        "scale_name": options.size, "counts": status["counts"], "machine": machine_info,
        "workers": options.workers, "threads": options.threads,
        "duration": options.duration, "warmup": options.warmup,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "elapsed_seconds": round(time.time() - started), "queries": queries,
        "explain": explain, "load": load, "timings": timings, "cpu": cpu,
        "personas": [{"pk": p["email"], "caseload_active": p["caseload_active"],
                      "client_contacts_last_year": p["client_contacts_last_year"],
                      "search": p["search"]} for p in plan["pks"]],
    }
    print_table(result)
    if not options.no_write:
        (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
        (RESULTS / f"{stem}.md").write_text(markdown(result))
        log(f"wrote bench/results/{stem}.md, .json and -explain.md")
    log(f"done in {time.time() - started:.0f} s after seeding")


if __name__ == "__main__":
    main()
