"""Grading speed on a real class: full hand-ins of every shipped exercise, in the sandbox.

Writes N learners' hand-ins of all the exercises in ``exercises/`` (tests/classroom_kit.py: the
release with answers from ``solutions/``; a third perfect, a third half right, a third blank),
then, with the same parallelism, in this one script:

1. ``python -m reportkit grade`` (intake, rebuild, sandboxed nbval run, rule re-runs, scoring,
   report) — the command the README gives;
2. the floor: **one** ``jupyter nbconvert --execute`` process per learner over that learner's
   notebooks (just running them), N learners at a time.

Prints both wall times and their ratio (target: grading <= 1.3 x the floor), the time per
notebook from the grader's own cell timings, and the sandbox's own overhead (starting Python in
bubblewrap against starting it bare).

    python benchmarks/bench_grading.py [--learners 30] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import classroom_kit as ck  # noqa: E402
from kits import OWN, copy_kit  # noqa: E402


def make_class(kit: Path, subs: Path, n: int) -> list[Path]:
    learner = ck.Learner(kit / "exercises", kit / "solutions", OWN)
    half = set(learner.questions()[::2])
    picks = [lambda q: True, lambda q: q in half, lambda q: False]
    return [learner.write(subs / f"learner{i:02d}", pick=picks[i % 3], tags=i % 3 != 2) for i in range(n)]


def nbconvert_learner(folder: Path, out: Path, timeout: int, env: dict[str, str]) -> float:
    """One nbconvert process over all of one learner's notebooks."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "notebook",
                    "--allow-errors", f"--ExecutePreprocessor.timeout={timeout}", "--output-dir", str(out),
                    *sorted(str(p) for p in folder.glob("*.ipynb"))],
                   cwd=folder, env=env, capture_output=True, check=False)
    return time.monotonic() - started


def sandbox_overhead(base: Path, runs: int = 10) -> tuple[float, float]:
    """Mean seconds to start and end Python bare, and inside bubblewrap (same program)."""
    from reportkit.grading.sandbox import bwrap_command

    kit, work = base / "sbx-kit", base / "sbx-work"
    kit.mkdir()
    work.mkdir()
    bare, boxed = [], []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.monotonic() - started)
        started = time.monotonic()
        subprocess.run(bwrap_command([sys.executable, "-c", "pass"], kit=kit, work=work), check=True)
        boxed.append(time.monotonic() - started)
    return statistics.mean(bare), statistics.mean(boxed)


def per_notebook(report: Path) -> dict[str, float]:
    """Seconds per notebook, mean over learners, from the grader's results (sum of question times is
    not recorded: the learner's seconds are split by the notebook's share of cells)."""
    results = json.loads((report / "results.json").read_text())["learners"]
    seconds = statistics.mean(r["seconds"] for r in results)
    notebooks = sorted({q["notebook"] for r in results for q in r["questions"]})
    return {"per learner": seconds, "per notebook": seconds / max(1, len(notebooks))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=int, default=60)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        base = Path(tmp)
        kit = copy_kit(base / "kit")
        folders = make_class(kit, kit / "SUBMISSIONS", args.learners)
        n_notebooks = sum(len(list(f.glob("*.ipynb"))) for f in folders)
        started = time.monotonic()
        graded = subprocess.run([sys.executable, "-m", "reportkit", "grade", "SUBMISSIONS", "--out", "REPORT",
                                 "--jobs", str(args.jobs), "--timeout", str(args.timeout), "--quiet"],
                                cwd=kit, capture_output=True, text=True, check=False)
        grade_seconds = time.monotonic() - started
        if graded.returncode:
            print(graded.stderr, file=sys.stderr)
            return 1
        print(graded.stdout.strip().splitlines()[0])
        timing = per_notebook(kit / "REPORT")

        env = {**os.environ, "REPORTKIT_HOME": str(kit)}
        out = base / "executed"
        started = time.monotonic()
        with ThreadPoolExecutor(args.jobs) as pool:
            floors = list(pool.map(lambda f: nbconvert_learner(f, out / f.name, args.timeout, env), folders))
        floor_seconds = time.monotonic() - started
        bare, boxed = sandbox_overhead(base)
        shutil.rmtree(out, ignore_errors=True)

    print(f"{args.learners} learners, {n_notebooks} notebooks, {args.jobs} at a time on {os.cpu_count()} cores")
    print(f"grade (python -m reportkit grade, sandboxed):        {grade_seconds:7.1f} s")
    print(f"floor (one nbconvert --execute per learner, x{args.jobs}):   {floor_seconds:7.1f} s")
    ratio = grade_seconds / floor_seconds
    print(f"ratio grade/floor: {ratio:.2f} (target <= 1.3) {'OK' if ratio <= 1.3 else 'SLOWER'}")
    print(f"per learner: grade {timing['per learner']:.1f} s, floor {statistics.mean(floors):.1f} s; "
          f"per notebook (grade): {timing['per notebook']:.2f} s")
    print(f"sandbox start: python bare {bare * 1000:.0f} ms, in bubblewrap {boxed * 1000:.0f} ms "
          f"(+{(boxed - bare) * 1000:.0f} ms per run; a learner's run starts it once or twice)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
