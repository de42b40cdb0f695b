"""Static analysis: ruff's security rules (flake8-bandit, S) pass on the whole project, and
every exception (``# noqa: S…``) says why it is safe."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
NOQA_S = re.compile(r"#\s*noqa:\s*(S\d{3}(?:\s*,\s*S\d{3})*)(.*)$")
SKIPPED_DIRS = {".venv", "var", "node_modules", ".git", "migrations"}

# Files whose exceptions do not say why yet (none now); a file listed here must have one.
NOT_YET_JUSTIFIED: set[str] = set()


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
def test_ruff_security_rules_pass():
    # S101 (assert) is ignored project-wide in pyproject.toml: asserts are how tests check.
    result = subprocess.run([RUFF, "check", "--select", "S", "--ignore", "S101", "--quiet",
                             str(ROOT)], capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _python_files():
    for path in ROOT.rglob("*.py"):
        if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
            yield path


def unjustified_exceptions() -> list[str]:
    """``# noqa: S…`` with neither a reason after the code on the same line nor a comment in
    the three lines above."""
    found = []
    for path in _python_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            match = NOQA_S.search(line)
            if not match:
                continue
            reason = match.group(2).strip(" -:()")
            above = [lines[i].strip() for i in range(max(0, number - 4), number - 1)]
            if not reason and not any(text.startswith("#") for text in above):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    return sorted(found)


def test_every_security_exception_says_why():
    new = [loc for loc in unjustified_exceptions()
           if loc.split(":")[0] not in NOT_YET_JUSTIFIED]
    assert not new, "'# noqa: S…' without a reason:\n" + "\n".join(new)


def test_the_not_yet_justified_list_is_current():
    """Once every exception in a listed file has its reason, drop the file from the list."""
    still = {loc.split(":")[0] for loc in unjustified_exceptions()}
    assert still <= NOT_YET_JUSTIFIED
    assert NOT_YET_JUSTIFIED - still == set(), sorted(NOT_YET_JUSTIFIED - still)
