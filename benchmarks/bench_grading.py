"""Grading speed against plain notebook execution.

Generates 30 hand-ins of the tiny exercise (tests/grading_kit.py): right, wrong and broken
ones (a NameError, a syntax error, an edited check cell, a redefined ``check``, a learner
who calls ``os._exit``). Then, on the same notebooks and with the same parallelism:

1. ``python -m reportkit grade`` (restore, inspect, run under nbval with caps, score, report);
2. ``jupyter nbconvert --execute`` of every hand-in notebook (just running them), N at a time.

Prints both wall times and their ratio (target: grading <= 1.3 x execution).

    python benchmarks/bench_grading.py [--learners 30] [--jobs N] [--sequential]

``--sequential`` also times one ``jupyter nbconvert --execute`` invocation over all notebooks
one after another (how one would do it by hand).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import grading_kit as gk  # noqa: E402

BROKEN = [
    ("name-error", {**gk.RIGHT_SOURCES, "q01_2": "q01_2 = answer_i_never_defined"}, None),
    ("syntax-error", {**gk.RIGHT_SOURCES, "q01_1": "q01_1 = [s02, "}, None),
    ("edited-check", gk.RIGHT_SOURCES, "edit"),
    ("redefined", {**gk.WRONG_SOURCES, "q01_2": 'check = lambda *a: None\nq01_2 = "quote"'}, None),
    ("exit", {**gk.RIGHT_SOURCES, "q01_3": "import os\nos._exit(1)"}, None),
]


def _edit_check(nb) -> None:
    next(c for c in nb.cells if c.get("id") == "q01_2-check").source = "pass"


def make_class(kit: Path, subs: Path, n: int) -> list[Path]:
    folders = []
    for i in range(n):
        name = f"learner{i:02d}"
        kind = i % 6
        if kind == 5:
            label, answers, edit = BROKEN[(i // 6) % len(BROKEN)]
            folder = gk.handin(kit, subs / f"{name}-{label}", answers, labels=gk.WRONG_LABELS,
                               edit=_edit_check if edit else None)
        elif kind % 2 == 0:
            folder = gk.handin(kit, subs / f"{name}-right", gk.RIGHT_SOURCES, labels=gk.RIGHT_LABELS)
        else:
            folder = gk.handin(kit, subs / f"{name}-wrong", gk.WRONG_SOURCES, labels=gk.WRONG_LABELS)
        folders.append(folder)
    return folders


def nbconvert(notebook: Path, out: Path, timeout: int, env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "notebook",
                    "--allow-errors", f"--ExecutePreprocessor.timeout={timeout}", "--output-dir", str(out),
                    str(notebook)], cwd=notebook.parent, env=env, capture_output=True, check=False)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=int, default=30)
    parser.add_argument("--sequential", action="store_true", help="also time one sequential nbconvert")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        base = Path(tmp)
        kit = gk.build_kit(base / "kit")
        subs = base / "submissions"
        folders = make_class(kit, subs, args.learners)
        env = {**os.environ, "REPORTKIT_HOME": str(kit)}

        started = time.monotonic()
        graded = subprocess.run(
            [sys.executable, "-m", "reportkit", "grade", str(subs), "--out", str(base / "report"),
             "--jobs", str(args.jobs), "--timeout", str(args.timeout), "--kit", str(kit), "--quiet"],
            capture_output=True, text=True, check=False)
        grade_seconds = time.monotonic() - started
        if graded.returncode:
            print(graded.stderr, file=sys.stderr)
            return 1
        print(graded.stdout.strip())

        out = base / "executed"
        out.mkdir()
        started = time.monotonic()
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(lambda f: nbconvert(f / gk.NOTEBOOK, out / f.name, args.timeout, env), folders))
        execute_seconds = time.monotonic() - started

        print(f"{args.learners} hand-ins, {args.jobs} at a time on {os.cpu_count()} cores")
        print(f"grade (python -m reportkit grade):          {grade_seconds:7.1f} s")
        print(f"execute (jupyter nbconvert --execute, x{args.jobs}):  {execute_seconds:7.1f} s")
        ratio = grade_seconds / execute_seconds
        print(f"ratio grade/execute: {ratio:.2f} (target <= 1.3) {'OK' if ratio <= 1.3 else 'SLOWER'}")
        if args.sequential:
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "notebook",
                            "--allow-errors", "--output-dir", str(base / "seq"),
                            *[str(f / gk.NOTEBOOK) for f in folders]],
                           env=env, capture_output=True, check=False)
            print(f"execute, one sequential nbconvert:          {time.monotonic() - started:7.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
