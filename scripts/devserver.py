"""Run the site, a Celery worker and Celery beat together; one Ctrl-C stops all three."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

PYTHON = sys.executable
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")

PROCESSES = {
    "web": [PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}"],
    "worker": [PYTHON, "-m", "celery", "-A", "bapas", "worker", "--loglevel=INFO",
               "--concurrency=2", "--pool=prefork"],
    "beat": [PYTHON, "-m", "celery", "-A", "bapas", "beat", "--loglevel=INFO"],
}


def main() -> int:
    children: dict[str, subprocess.Popen] = {}
    for name, command in PROCESSES.items():
        children[name] = subprocess.Popen(command, start_new_session=True)
        print(f"[devserver] started {name} (pid {children[name].pid})", flush=True)
    print(f"[devserver] site at http://{HOST}:{PORT}/ — press Ctrl-C to stop everything",
          flush=True)

    def stop(*_args) -> None:
        for name, child in children.items():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                print(f"[devserver] stopping {name}", flush=True)
        deadline = time.time() + 10
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"[devserver] {name} exited with {child.returncode}; stopping",
                          flush=True)
                    stop()
                    return child.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        stop()
        return 0


if __name__ == "__main__":
    sys.exit(main())
