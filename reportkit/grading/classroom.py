"""The class: ``python -m reportkit grade SUBMISSIONS --out REPORT`` grades every hand-in, one
learner per worker process, each in its own sandbox, and writes the report."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from reportkit.grading import adjustments as adjust
from reportkit.grading import intake, runner, sandbox
from reportkit.grading.learner import GradeOptions, grade_learner
from reportkit.grading.model import Adjustment, LearnerResult, Status
from reportkit.grading.releases import Releases, article_and_questions
from reportkit.grading.shards import Shard, from_slurm, parse_shard, select

# Every option of `grade`, declared once: (flags, keyword arguments for argparse).
OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--out",), {"metavar": "REPORT", "help": "report folder (created); relative to where you run the command"}),
    (("--release",), {"metavar": "DIR", "action": "append",
                      "help": "released exercise notebooks, or a bundle `release` wrote (default: <kit>/exercises); "
                              "give it more than once to grade each notebook against the release it came from"}),
    (("--kit",), {"metavar": "DIR", "help": "the kit with data/ and the key (default: found from here)"}),
    (("--jobs",), {"type": int, "default": None, "help": "learners graded at once (default: all cores)"}),
    (("--timeout",), {"type": float, "default": 30.0, "help": "seconds per cell (default 30)"}),
    (("--memory",), {"type": int, "default": 2048, "metavar": "MB",
                     "help": "memory cap per learner, MB (default 2048)"}),
    (("--max-output",), {"type": float, "default": 5.0, "metavar": "MB",
                         "help": "output kept per notebook, MB (default 5)"}),
    (("--no-sandbox",), {"action": "store_true",
                         "help": "run learner code without bubblewrap, as your user (a warning heads the report)"}),
    (("--check-sandbox",), {"action": "store_true", "help": "only try the sandbox on this host and say how to fix it"}),
    (("--explain",), {"action": "store_true", "help": "print the table of statuses and flags, and exit"}),
    (("--keep-scratch",), {"action": "store_true", "help": "keep the scratch folder (debugging)"}),
    (("--quiet",), {"action": "store_true", "help": "no progress bar"}),
    (("--shard",), {"metavar": "K/N", "help": "grade only the K-th of N slices of the class (by a hash of the learner "
                                              "id); `merge` puts the N parts together. `--shard slurm`: this Slurm "
                                              "array task's slice"}),
    (("--adjustments",), {"metavar": "CSV", "help": "the instructor's changes (learner,question,delta,override,"
                                                    "reason), applied after scoring; default: those REPORT holds"}),
    (("--rescore",), {"metavar": "REPORT", "help": "score REPORT's recorded answers again with the current key "
                                                  "(no notebook runs) and rewrite it (or write --out)"}),
]


def make_sandbox_kit(kit: Path, releases: list[Path], articles: set[str], dest: Path) -> Path:
    """The key-free kit learner code sees: what a ``--graded`` bundle holds (data without key,
    figures, upstream comparisons or answer fields; the package without the answer modules unless
    the release itself ships them)."""
    from reportkit.release import copy_article_data, copy_package

    (dest / "data").mkdir(parents=True)
    shutil.copy2(kit / "data" / "codebook.json", dest / "data" / "codebook.json")
    for article_id in sorted(articles):
        copy_article_data(kit, article_id, dest, graded=True)
    import reportkit

    # The package learner code imports is the grader's own (the kit's may be absent: a data-only kit).
    copy_package(Path(reportkit.__file__).parent, dest, graded=any(is_graded_bundle(r) for r in releases))
    (dest / "pyproject.toml").write_text("", "utf-8")  # makes it a kit folder for find_kit_root
    import compileall

    # Compiled once here: the sandbox is read-only, and every learner's kernel imports the package.
    compileall.compile_dir(dest / "reportkit", quiet=1)
    return dest


def warm_matplotlib(sandbox_kit: Path, scratch: Path, sandboxed: bool) -> Path:
    """Matplotlib's font cache, built once in the sandbox and copied to each learner (it takes seconds)."""
    place = runner.RunPlace(sandbox_kit, scratch / "_warm" / "work", scratch / "_mpl", sandboxed)
    for folder in (place.work, place.mpl):
        folder.mkdir(parents=True, exist_ok=True)
    runner.run(place, [sys.executable, "-c", "import matplotlib.font_manager"], {}, runner.DEFAULT_LIMITS, 120,
               scratch / "_warm" / "log")
    return place.mpl


def is_graded_bundle(release: Path) -> bool:
    """A bundle written by ``release --graded``: its data holds no key."""
    bundle = release.parent if release.name == "exercises" else release
    articles = [p.parent for p in (bundle / "data").glob("*/article.json")]
    return bool(articles) and not any((a / "key.json").is_file() for a in articles)


def _worker_init() -> None:
    # Workers ignore Ctrl-C: the main process stops them, so the report folder stays consistent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_all(handins: list[intake.Handin], options: GradeOptions, jobs: int, progress: bool) -> list[LearnerResult]:
    from tqdm import tqdm

    if jobs == 1:
        return [grade_learner(h.learner, h.path, options)
                for h in tqdm(handins, desc="grading", unit="learner", disable=not progress)]
    import multiprocessing

    results = []
    # forkserver: fork() from a process with threads (tqdm's monitor) may deadlock.
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("forkserver"),
                             initializer=_worker_init) as pool:
        futures = {pool.submit(grade_learner, h.learner, h.path, options): h.learner for h in handins}
        for future in tqdm(as_completed(futures), total=len(futures), desc="grading", unit="learner",
                           disable=not progress):
            try:
                results.append(future.result())
            except Exception as error:  # noqa: BLE001 - a worker crashed
                failed = LearnerResult(futures[future], status=Status.ERROR)
                failed.notes.append(f"the grader's worker failed: {type(error).__name__}: {error}")
                results.append(failed)
    return results


def _grade_handins(handins: list[intake.Handin], kit: Path, folders: list[Path], loaded: Releases, out: Path,
                   jobs: int | None, limits: runner.RunLimits, sandboxed: bool, progress: bool,
                   keep_scratch: bool) -> list[LearnerResult]:
    """Each hand-in graded in a scratch folder inside ``out`` (an empty shard grades nothing)."""
    if not handins:
        return []
    scratch = Path(tempfile.mkdtemp(prefix=".scratch-", dir=out))
    os.chmod(scratch, 0o755)  # the sandbox's user may differ from ours (root maps to an ordinary uid)
    try:
        sandbox_kit = make_sandbox_kit(kit, folders, {r.article for r in loaded.all}, scratch / "_kit")
        options = GradeOptions(kit, loaded, scratch, sandbox_kit, limits, sandboxed=sandboxed,
                               keep_scratch=keep_scratch, mpl_cache=warm_matplotlib(sandbox_kit, scratch, sandboxed))
        results = _run_all(handins, options, max(1, min(jobs or os.cpu_count() or 1, len(handins) or 1)), progress)
    finally:
        if not keep_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return results


def grade_class(submissions: Path, out: Path, *, releases: list[Path] | None = None, kit: Path | None = None,
                jobs: int | None = None, limits: runner.RunLimits = runner.DEFAULT_LIMITS, sandboxed: bool = True,
                progress: bool = True, keep_scratch: bool = False, shard: Shard | None = None,
                adjustments: dict[str, list[Adjustment]] | None = None) -> list[LearnerResult]:
    """Grade every hand-in in ``submissions`` (or the learners of ``shard``) and write the report into
    ``out``. ``adjustments`` are checked against the whole class before anything runs; without them,
    the ones a report already in ``out`` holds are kept."""
    from reportkit.datafiles import find_kit_root
    from reportkit.grading.report import write_report

    kit = (kit or find_kit_root()).resolve()
    submissions, out = submissions.resolve(), out.resolve()  # every path works relative or absolute
    folders = [r.resolve() for r in releases] if releases else [kit / "exercises"]
    loaded = Releases.load(folders)
    for rel in loaded.all:  # fail early, once, if the instructor's data is broken
        article_and_questions(str(kit), rel.article)
    handins, warnings = intake.find_handins(submissions, out)
    if adjustments is None:
        adjustments = adjust.kept_in(out)
    else:
        adjust.validate(adjustments, [h.learner for h in handins], [q for rel in loaded.all for q in rel.questions])
    if shard is not None:
        handins = select(handins, shard, lambda h: h.learner)
    out.mkdir(parents=True, exist_ok=True)
    results = _grade_handins(handins, kit, folders, loaded, out, jobs, limits, sandboxed, progress, keep_scratch)
    results.sort(key=lambda r: r.learner)
    adjust.apply(results, adjustments)
    write_report(results, loaded.all, out, kit=kit, warnings=warnings, sandboxed=sandboxed,
                 shard=(shard.k, shard.n) if shard else None)
    return results


def explain_table() -> str:
    """The statuses and flags as a Markdown table (docs/grading.md holds this very text)."""
    from reportkit.grading.model import FlagCode

    lines = ["| status | meaning |", "|---|---|"]
    lines += [f"| `{s.code}` | {s.meaning} |" for s in Status]
    lines += ["", "| flag | kind | shown to the learner | meaning |", "|---|---|---|---|"]
    lines += [f"| `{f.code}` | {f.severity.value} | {'no' if f.instructor_only else 'yes'} | {f.meaning} |"
              for f in FlagCode]
    return "\n".join(lines)


def cmd_grade(args: argparse.Namespace) -> int:
    if args.explain:
        print(explain_table())
        return 0
    if args.check_sandbox:
        found = sandbox.check()
        print(("ok: " if found.ok else "sandbox unavailable: ") + found.message)
        return 0 if found.ok else 1
    try:
        changes = adjust.read_adjustments(Path(args.adjustments)) if args.adjustments else None
        if args.rescore:
            return _rescore(args, changes)
        shard = None if args.shard is None else from_slurm() if args.shard == "slurm" else parse_shard(args.shard)
    except ValueError as error:  # AdjustmentError, ShardError, ResultsError: each names what is wrong
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.submissions is None or args.out is None:
        print("error: grade needs SUBMISSIONS and --out REPORT", file=sys.stderr)
        return 2
    submissions = Path(args.submissions)
    if not submissions.is_dir():
        print(f"error: {submissions} is not a folder of hand-ins", file=sys.stderr)
        return 2
    if not args.no_sandbox:
        found = sandbox.check()
        if not found.ok:
            print(f"error: the grading sandbox does not work here: {found.message}\n"
                  "Fix that, or grade without it (learner code then runs as you): add --no-sandbox.", file=sys.stderr)
            return 3
    else:
        print("warning: --no-sandbox: learner code runs as you, with your files in reach.", file=sys.stderr)
    started = time.monotonic()
    limits = runner.RunLimits(args.timeout, args.memory, args.max_output)
    try:
        results = grade_class(submissions, Path(args.out), releases=[Path(r) for r in args.release or []],
                              kit=Path(args.kit) if args.kit else None, jobs=args.jobs, limits=limits,
                              sandboxed=not args.no_sandbox, progress=not args.quiet,
                              keep_scratch=args.keep_scratch, shard=shard, adjustments=changes)
    except adjust.AdjustmentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    counts: dict[Status, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{n} {s.code}" for s, n in sorted(counts.items(), key=lambda x: x[0].severity))
    part = f" (shard {shard})" if shard else ""
    print(f"graded {len(results)} learner(s){part} in {time.monotonic() - started:.1f} s: {summary or 'none'}")
    print(f"report: {Path(args.out) / 'report.md'}; gradebook: {Path(args.out) / 'gradebook.csv'}")
    return 0


def _rescore(args: argparse.Namespace, changes: dict[str, list[Adjustment]] | None) -> int:
    from reportkit.datafiles import find_kit_root
    from reportkit.grading.rescore import rescore

    started = time.monotonic()
    report = Path(args.rescore)
    out = Path(args.out) if args.out else report
    results = rescore(report, Path(args.kit).resolve() if args.kit else find_kit_root(), out, changes)
    print(f"rescored {len(results)} learner(s) in {time.monotonic() - started:.1f} s (no notebook ran)")
    print(f"report: {out / 'report.md'}; gradebook: {out / 'gradebook.csv'}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``grade`` to the kit's command line (called by reportkit.cli)."""
    p = subparsers.add_parser(
        "grade", help="grade a class's hand-ins: gradebook, feedback and class report",
        description="Grade one folder or .zip per learner (learner id = its name) against the released "
                    "exercises and the instructor's key. Learner code runs in a sandbox (bubblewrap); "
                    "hand-ins are never modified.",
    )
    p.add_argument("submissions", metavar="SUBMISSIONS", nargs="?", help="folder with one folder or .zip per learner")
    for flags, kwargs in OPTIONS:
        p.add_argument(*flags, **kwargs)
    p.set_defaults(func=cmd_grade)
