"""The grading sandbox run by an ordinary user, not only by root.

As root, bubblewrap needs no unprivileged user namespaces; as an ordinary user it does, and hosts
differ (tests/test_grading_steps.py covers the advice per host). Here the README's command grades
a small class of the shipped exercises as an ordinary account (created with ``useradd`` when the
suite runs as root; the current user otherwise): a perfect hand-in and a key hunter.
"""

from __future__ import annotations

import csv
import os
import pwd
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import classroom_kit as ck  # noqa: E402
from kits import OWN, copy_kit  # noqa: E402

pytestmark = pytest.mark.slow
USER = "rkgrader"
HUNT = '''import os
found = []
for root in ("/", os.path.expanduser("~"), "/root", "/home", "/work", "/tmp"):
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "usr", "dev", "site-packages")]
        for f in files:
            path = os.path.join(folder, f)
            try:  # a key names units; the package's JSON schema of the key does not
                if f == "key.json" and '"s05"' in open(path, encoding="utf-8").read():
                    found.append(path)
            except OSError:
                pass
        if len(found) > 3 or folder.count("/") > 6:
            dirs[:] = []
q02_5 = ";".join(found)'''


def _ancestors(path: Path) -> list[Path]:
    return [p for p in [path, *path.parents] if p != Path("/")]


@pytest.fixture(scope="module")
def ordinary_user(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], Path]]:
    """(a command prefix that runs as an ordinary user, a folder that user owns)."""
    if os.getuid() != 0:
        yield [], tmp_path_factory.mktemp("as-user")
        return
    # Not under pytest's own temporary root: every pytest session (each xdist worker) resets it to 0700.
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="reportkit-as-user-"))
    if shutil.which("useradd") is None or shutil.which("runuser") is None:
        pytest.fail("running as root without useradd/runuser: cannot test the sandbox as an ordinary user")
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", USER], check=True)
    # The user must reach the Python environment: add traversal (o+x, not listing) where it lacks.
    python = Path(os.path.realpath(sys.executable))
    changed = []
    for folder in {*_ancestors(python.parent), *_ancestors(Path(sys.prefix)), *_ancestors(base)}:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            changed.append((folder, mode))
            folder.chmod(mode | stat.S_IXOTH)
    shutil.chown(base, USER, USER)
    try:
        yield ["runuser", "-u", USER, "--"], base
    finally:
        for folder, mode in changed:
            if folder.exists():
                folder.chmod(stat.S_IMODE(mode))
        shutil.rmtree(base, ignore_errors=True)


def test_an_ordinary_user_grades_in_the_sandbox(ordinary_user):
    prefix, base = ordinary_user
    kit = copy_kit(base / "kit")
    learner = ck.Learner(kit / "exercises", kit / "solutions", OWN)
    learner.write(kit / "SUBMISSIONS" / "perfect", names=["02-direct-quotes.ipynb"])
    learner.write(kit / "SUBMISSIONS" / "hunter", names=["02-direct-quotes.ipynb"], pick=lambda q: False,
                  override={"q02_5": HUNT})
    if prefix:
        subprocess.run(["chown", "-R", f"{USER}:{USER}", str(kit)], check=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(base), "LANG": "C.UTF-8"}
    check = subprocess.run([*prefix, sys.executable, "-m", "reportkit", "grade", "--check-sandbox"], cwd=kit,
                           capture_output=True, text=True, env=env)
    assert check.returncode == 0 and "as an ordinary user" in check.stdout, check.stdout + check.stderr
    done = subprocess.run([*prefix, sys.executable, "-m", "reportkit", "grade", "SUBMISSIONS", "--out", "REPORT",
                           "--jobs", "1", "--quiet"], cwd=kit, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {r["learner"]: r for r in csv.DictReader((kit / "REPORT" / "gradebook.csv").open(encoding="utf-8"))}
    points = sum(q["points"] for q in ck.questions_json(kit, OWN) if q["id"].startswith("q02_"))
    assert float(rows["perfect"]["total"]) == points and rows["perfect"]["status"] == "incomplete"
    assert float(rows["hunter"]["total"]) == 0
    import json

    hunter = next(r for r in json.loads((kit / "REPORT" / "results.json").read_text())["learners"]
                  if r["learner"] == "hunter")
    [q02_5] = [q for q in hunter["questions"] if q["question"] == "q02_5"]
    assert q02_5["answer"] in ("", None), q02_5["answer"]


def test_without_the_sandbox_the_same_hunter_finds_the_key(ordinary_user):
    """The hunter above is not toothless: with --no-sandbox (learner code runs as the grader) it finds
    the key by walking up from its working folder — which is why the sandbox is the default."""
    prefix, base = ordinary_user
    kit = copy_kit(base / "kit-unsandboxed")
    learner = ck.Learner(kit / "exercises", kit / "solutions", OWN)
    learner.write(kit / "SUBMISSIONS" / "hunter", names=["02-direct-quotes.ipynb"], pick=lambda q: False,
                  override={"q02_5": HUNT.replace('("/", ', '("..", "../..", "../../..", "../../../..", ')})
    done = subprocess.run([sys.executable, "-m", "reportkit", "grade", "SUBMISSIONS", "--out", "REPORT", "--jobs", "1",
                           "--quiet", "--no-sandbox"], cwd=kit, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    import json

    [hunter] = json.loads((kit / "REPORT" / "results.json").read_text())["learners"]
    [q02_5] = [q for q in hunter["questions"] if q["question"] == "q02_5"]
    assert "key.json" in (q02_5["answer"] or "")
    assert "graded with `--no-sandbox`" in (kit / "REPORT" / "report.md").read_text()
