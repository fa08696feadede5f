"""Sharded grading against one run, on this machine: N full hand-ins of every shipped exercise
(tests/classroom_kit.py: a third perfect, a third half right, a third blank), graded

1. as one run: ``grade SUBMISSIONS --out whole --jobs J`` (the baseline);
2. as 2 shards at once: two ``grade --shard K/2 --jobs J/2`` processes, then ``merge``;

and then re-scored from the merged results.json (``grade --rescore``, no notebook runs; also with its
learners repeated to 30, the size the rescoring target is set for: < 5 s). Prints each
wall time and the ratio to the baseline, and checks the merged gradebook is the single run's, byte
for byte. On one machine two shards cannot beat one run with the same cores (they split them); the
point is that splitting costs nothing, so N machines take about 1/N of the time.

    python benchmarks/bench_shards.py [--learners 30] [--jobs J]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

from bench_grading import make_class  # noqa: E402
from kits import copy_kit  # noqa: E402


def run(kit: Path, *args: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=kit, check=True, capture_output=True)
    return time.monotonic() - started


def sharded(kit: Path, jobs: int) -> tuple[float, float]:
    """Two shards at once, then merge: (grading wall time, merge time)."""
    started = time.monotonic()
    each = str(max(1, jobs // 2))
    procs = [subprocess.Popen([sys.executable, "-m", "reportkit", "grade", "SUBMISSIONS", "--out", f"parts/part-{k}",
                               "--shard", f"{k}/2", "--jobs", each, "--quiet"], cwd=kit,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for k in (1, 2)]
    if any(p.wait() for p in procs):
        raise SystemExit("a shard failed")
    graded = time.monotonic() - started
    return graded, run(kit, "merge", "parts/part-1", "parts/part-2", "--out", "merged")


def rescore_thirty(kit: Path) -> float:
    """``grade --rescore`` over the merged results with its learners repeated to 30: the command's wall time."""
    doc = json.loads((kit / "merged" / "results.json").read_text("utf-8"))
    graded = doc["learners"]
    doc["learners"] = [{**graded[i % len(graded)], "learner": f"learner{i:02d}"} for i in range(30)]
    (kit / "thirty").mkdir()
    (kit / "thirty" / "results.json").write_text(json.dumps(doc), "utf-8")
    return run(kit, "grade", "--rescore", "thirty")


def bare_start(kit: Path) -> float:
    """The floor of any command: Python starting and building the kit's command line."""
    return run(kit, "grade", "--explain")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        kit = copy_kit(Path(tmp) / "kit")
        make_class(kit, kit / "SUBMISSIONS", args.learners)
        whole = run(kit, "grade", "SUBMISSIONS", "--out", "whole", "--jobs", str(args.jobs), "--quiet")
        graded, merged = sharded(kit, args.jobs)
        rescored = run(kit, "grade", "--rescore", "merged")
        thirty, floor = rescore_thirty(kit), bare_start(kit)
        same = (kit / "whole" / "gradebook.csv").read_bytes() == (kit / "merged" / "gradebook.csv").read_bytes()
    print(f"{args.learners} learners, {args.jobs} job(s), {os.cpu_count()} core(s)")
    print(f"one run (baseline)        {whole:8.1f} s   1.00x")
    print(f"2 shards at once          {graded:8.1f} s   {graded / whole:.2f}x")
    print(f"  + merge                 {merged:8.1f} s   {(graded + merged) / whole:.2f}x with the merge")
    print(f"rescore the merged report {rescored:8.1f} s   {rescored / whole:.3f}x (no notebook runs)")
    print(f"rescore 30 learners       {thirty:8.1f} s   (a bare `grade --explain` takes {floor:.1f} s here)")
    print(f"merged gradebook identical to the single run's: {'yes' if same else 'NO'}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
