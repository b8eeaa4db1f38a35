"""The hooks through the real pre-commit tool: a dirty document is blocked, fixed, then committed.

`pre-commit try-repo` clones this checkout at HEAD, builds its own virtualenv and pip-installs
cleaner into it (PyPI access, about a minute per attempt), so the hook files must be committed.
Skip it with `-m "not precommit"`; it is skipped by itself when git or pre-commit is missing.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS

pytestmark = pytest.mark.precommit

PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")
CHROME_LINE = "Back to top"  # web/navigation/back-to-top drops it wherever it stands


def git(*args: str, cwd: Path, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}  # never act on an outer repo
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org", PRE_COMMIT_COLOR="never")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=check, timeout=timeout,
                          capture_output=True, text=True)


@pytest.fixture
def head() -> str:
    if shutil.which("git") is None or PRE_COMMIT is None:
        pytest.skip("git or pre-commit is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    needed = [".pre-commit-hooks.yaml", "cleaner/inplace.py", "cleaner/config.py"]
    missing = [p for p in needed if git("cat-file", "-e", f"HEAD:{p}", cwd=ROOT, check=False).returncode]
    if missing:
        pytest.skip(f"try-repo uses HEAD; commit {', '.join(missing)} first")
    return git("rev-parse", "HEAD", cwd=ROOT).stdout.strip()


def dirty_document() -> str:
    seed = next((p for p in sorted(SEEDS.glob("*.txt")) if CHROME_LINE in p.read_text(encoding="utf-8").splitlines()), None)
    if seed is None:
        pytest.skip(f"no seed holds a '{CHROME_LINE}' line")
    return seed.read_text(encoding="utf-8")


def test_commit_is_blocked_the_file_fixed_and_the_second_attempt_passes(tmp_path, head):
    repo = tmp_path / "corpus-repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f'#!/bin/sh\nexec "{PRE_COMMIT}" try-repo "{ROOT}" --ref {head}\n', encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    doc = repo / "corpus" / "doc.txt"
    doc.parent.mkdir()
    dirty = dirty_document()
    doc.write_text(dirty, encoding="utf-8")
    (repo / "requirements.txt").write_text("Home\nregex>=2024.5\n", encoding="utf-8")  # not a corpus file
    git("add", "-A", cwd=repo)

    first = git("commit", "-m", "add a scraped page", cwd=repo, check=False)
    log = first.stdout + first.stderr
    assert first.returncode != 0, log
    assert git("rev-parse", "--verify", "HEAD", cwd=repo, check=False).returncode != 0  # nothing was committed
    assert "cleaner check" in log and "cleaner fix" in log and "Fixing corpus/doc.txt" in log, log
    fixed = doc.read_text(encoding="utf-8")
    assert fixed != dirty and CHROME_LINE not in fixed.splitlines()
    assert (repo / "requirements.txt").read_text(encoding="utf-8") == "Home\nregex>=2024.5\n"

    git("add", "-A", cwd=repo)
    second = git("commit", "-m", "add a scraped page", cwd=repo, check=False)
    assert second.returncode == 0, second.stdout + second.stderr
    assert git("show", "HEAD:corpus/doc.txt", cwd=repo).stdout == fixed
    assert git("status", "--porcelain", cwd=repo).stdout == ""
