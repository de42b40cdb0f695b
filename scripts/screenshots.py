"""Regenerate the README screenshots in docs/screenshots/ (``make screenshots``).

Builds a throw-away site (fresh SQLite database in a temporary VAR_DIR, demo data), serves it with
``runserver`` on a free port, logs in as the demo users with headless Chromium (Playwright's sync
API, Debian's Chromium through ``executable_path``) and saves a full-page PNG of every page in
PAGES at a laptop and a phone width. Pages that answer 404 are skipped: their feature may not
exist yet.

    .venv/bin/python scripts/screenshots.py              # every page
    .venv/bin/python scripts/screenshots.py home-pk      # only the named pages
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

# --- What to photograph: add a feature's page with one line ----------------------------------
# (file name, demo login or None for a logged-out visitor, path or URL name). A URL name
# ("clients:caseload") is resolved by the site; one that does not exist yet is skipped, as is a
# path that answers 404.
PAGES: list[tuple[str, str | None, str]] = [
    ("login", None, "/accounts/login/"),
    ("home-pk", "pk1@demo.local", "/"),
    ("caseload-pk", "pk1@demo.local", "clients:caseload"),
    ("partners-supervisor", "kasubsi@demo.local", "partners:directory"),
    ("meetings-supervisor", "kasubsi@demo.local", "meetings:list"),
    ("reports-head", "kabapas@demo.local", "reports:index"),
    ("statistics-regional", "kanwil@demo.local", "reports:regional"),
    ("users-supervisor", "kasubsi@demo.local", "/users/"),
    ("offices-admin", "admin@demo.local", "/offices/"),
    ("audit-supervisor", "kasubsi@demo.local", "/audit/access/"),
    ("audit-changes-supervisor", "kasubsi@demo.local", "/audit/changes/?model=bapas.user"),
    ("client-pk", "pk1@demo.local",
     "py:SupervisionOrder.objects.filter(assigned_pk__email='pk1@demo.local', status='aktif')"
     ".order_by('id').first().client.get_absolute_url()"),
    ("order-pk", "pk1@demo.local",
     "py:SupervisionOrder.objects.filter(assigned_pk__email='pk1@demo.local', status='aktif')"
     ".order_by('id').first().get_absolute_url()"),
    ("awaiting-outcomes-pk", "pk1@demo.local", "clients:awaiting_outcomes"),
    ("checkin-operator", "operator@demo.local", "clients:checkin"),
    ("register-operator", "operator@demo.local", "clients:register"),
    ("home-supervisor", "kasubsi@demo.local", "/"),
    ("portal-partner", "dinsos@demo.local", "partners:portal"),
    ("referrals-pk", "pk1@demo.local", "partners:referrals"),
    ("meeting-supervisor", "kasubsi@demo.local",
     "py:Meeting.objects.order_by('starts_at').first().get_absolute_url()"),
    ("home-regional", "kanwil@demo.local", "/"),
    ("imports-operator", "operator@demo.local", "clients:imports"),
    ("import-upload-operator", "operator@demo.local", "clients:import_upload"),
    ("partner-import-supervisor", "kasubsi@demo.local", "partners:import_upload"),
    ("caseload-supervisor", "kasubsi@demo.local", "clients:caseload"),
]

# Which of them the README shows at phone width as well is the README's choice; all are taken.
VIEWPORTS: dict[str, dict[str, int]] = {
    "laptop": {"width": 1366, "height": 800},
    "phone": {"width": 390, "height": 844},
}

PASSWORD = "demo12345"  # noqa: S105 (the published demo password; seed_demo refuses DEBUG off)
LOCALE = "id-ID"  # the UI's default language
ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # A fresh SQLite site whatever the caller's environment points at.
    for name in (
        "DATABASE_URL",
        "CACHE_URL",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "MEDIA_ROOT",
        "PRIVATE_STORAGE_ROOT",
        "STATIC_ROOT",
        "SECRET_KEY",
    ):
        env.pop(name, None)
    env.update(
        VAR_DIR=str(var_dir),
        DEBUG="true",
        MFA_REQUIRED="false",
        CELERY_TASK_ALWAYS_EAGER="true",  # no worker runs; tasks a page starts run inline
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


RESOLVE_CODE = """
import json, sys
from django.apps import apps
from django.urls import NoReverseMatch, reverse
paths = {}
models = {model.__name__: model for model in apps.get_models()}
for name in sys.argv[1:]:
    try:
        if name.startswith("py:"):
            # A page of a demo record: an expression over the models, written in PAGES below.
            paths[name] = eval(name[3:], {"reverse": reverse, **models})  # noqa: S307
        else:
            paths[name] = reverse(name)
    except (NoReverseMatch, AttributeError, LookupError):
        paths[name] = None
print(json.dumps(paths))
"""


def resolve(env: dict[str, str], pages: list[tuple[str, str | None, str]]):
    """Turn URL names into paths; drop (with a note) pages whose URL name does not exist yet."""
    names = [target for _, _, target in pages if not target.startswith("/")]
    paths: dict[str, str | None] = {}
    if names:
        setup = "import django; django.setup()\n"
        result = subprocess.run(
            [PYTHON, "-c", setup + RESOLVE_CODE, *names],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "bapas.settings"},
            check=True,
            capture_output=True,
            text=True,
        )
        paths = json.loads(result.stdout.strip().splitlines()[-1])
    resolved = []
    for name, email, target in pages:
        path = target if target.startswith("/") else paths.get(target)
        if path is None:
            print(f"  skip {name}: no URL named {target!r} yet")
            continue
        resolved.append((name, email, path))
    return resolved


def wait_for_health(base_url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    last = "no answer"
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"runserver exited with {server.returncode}")
        try:
            # base_url is the http:// address of the runserver this script started.
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.5)
    raise RuntimeError(f"{base_url}/healthz not healthy after {timeout:.0f}s ({last})")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        raise RuntimeError(f"could not log in as {email} (still on {page.url})")


def take(browser, base_url: str, pages: list[tuple[str, str | None, str]]) -> tuple[int, int]:
    """Photograph every page at every viewport; returns (files written, pages skipped)."""
    written = 0
    skipped: set[str] = set()
    logins = list(dict.fromkeys(email for _, email, _ in pages))  # in order, once each
    for viewport_name, viewport in VIEWPORTS.items():
        for email in logins:
            context = browser.new_context(
                base_url=base_url, locale=LOCALE, viewport=viewport, device_scale_factor=1
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            try:
                if email:
                    log_in(page, email)
                for name, page_email, path in pages:
                    if page_email != email or name in skipped:
                        continue
                    response = page.goto(path)
                    page.wait_for_load_state("networkidle")
                    status = response.status if response else 0
                    reason = ""
                    if status == 404:
                        reason = "answered 404 (not built yet?)"
                    elif status >= 400:
                        reason = f"answered {status}: check the login in PAGES"
                    elif "/accounts/" in page.url and "/accounts/" not in path:
                        reason = f"was sent to {page.url}: check the login in PAGES"
                    if reason:
                        print(f"  skip {name}: {path} {reason}")
                        skipped.add(name)
                        continue
                    target = OUTPUT / f"{name}-{viewport_name}.png"
                    page.screenshot(path=str(target), full_page=True, animations="disabled")
                    print(f"  {target.relative_to(ROOT)}")
                    written += 1
            finally:
                context.close()
    return written, len(skipped)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these pages (default: all in PAGES)")
    options = parser.parse_args()
    known = {name for name, _, _ in PAGES}
    unknown = [name for name in options.names if name not in known]
    if unknown:
        parser.error(f"unknown page(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    pages = [entry for entry in PAGES if not options.names or entry[0] in options.names]

    if not os.path.exists(CHROMIUM):
        print(
            f"No Chromium at {CHROMIUM}: install Debian's chromium package or set CHROMIUM_PATH.",
            file=sys.stderr,
        )
        return 2
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bapas-screenshots-") as tmp:
        var_dir = Path(tmp)
        env = site_env(var_dir)
        print("Preparing a fresh demo site ...")
        manage(env, "compile_translations", "-v", "0")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", "--quiet-logins")
        resolved = resolve(env, pages)
        unresolved = len(pages) - len(resolved)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        log_path = var_dir / "runserver.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                wait_for_health(base_url, server)
                print(f"Site up at {base_url}; taking screenshots:")
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_ARGS
                    )
                    try:
                        written, skipped = take(browser, base_url, resolved)
                    finally:
                        browser.close()
            except BaseException:
                stop(server)
                tail = log_path.read_text(errors="replace").splitlines()[-30:]
                print("runserver log (last lines):\n  " + "\n  ".join(tail), file=sys.stderr)
                raise
            finally:
                stop(server)
    folder = OUTPUT.relative_to(ROOT)
    print(f"{written} screenshot(s) in {folder}/, {skipped + unresolved} page(s) skipped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
