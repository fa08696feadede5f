"""``python -m reportkit merge PART… --out REPORT``: the parts a sharded run wrote (``grade --shard K/N``),
put together into the report one run over the whole class writes (the same gradebook, byte for byte).

Reads each part's results.json and nothing else (DECISIONS §6); refuses parts that are not exactly
the N shards of one split, graded against the same notebooks, or that grade a learner twice.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


class MergeError(ValueError):
    """Parts that do not make one class (the message says which and why)."""


def _check_parts(docs: list[Any]) -> None:
    from reportkit.grading.resultsfile import notebook_entry
    from reportkit.grading.shards import missing_shards

    problem = missing_shards([d.shard for d in docs])
    if problem:
        raise MergeError(f"the parts are not one whole class: {problem}")
    first = [notebook_entry(n) for n in docs[0].notebooks]
    for doc in docs[1:]:
        if [notebook_entry(n) for n in doc.notebooks] != first:
            raise MergeError(f"{doc.path} was graded against other notebooks than {docs[0].path}")
    seen: dict[str, Path] = {}
    for doc in docs:
        for r in doc.learners:
            if r.learner in seen:
                raise MergeError(f"learner {r.learner!r} is in both {seen[r.learner]} and {doc.path}")
            seen[r.learner] = doc.path


def merge(parts: list[Path], out: Path, kit: Path,
          adjustments: dict[str, list[Any]] | None = None) -> list[Any]:
    """Write the whole class's report from ``parts`` into ``out``; returns the learners' results."""
    from reportkit.grading import adjustments as adjust
    from reportkit.grading.report import write_report
    from reportkit.grading.resultsfile import load_results

    if not parts:
        raise MergeError("no parts given")
    docs = [load_results(p) for p in parts]
    _check_parts(docs)
    results = sorted((r for d in docs for r in d.learners), key=lambda r: r.learner)
    if adjustments is not None:
        adjust.validate(adjustments, [r.learner for r in results], [q for n in docs[0].notebooks for q in n.questions])
        adjust.apply(results, adjustments)
    warnings = list(dict.fromkeys(w for d in docs for w in d.warnings))  # every part saw the same folder
    write_report(results, docs[0].notebooks, out, kit=kit, warnings=warnings,
                 sandboxed=all(d.sandboxed for d in docs))
    return results


def cmd_merge(args: argparse.Namespace) -> int:
    from reportkit.datafiles import find_kit_root
    from reportkit.grading.adjustments import AdjustmentError, read_adjustments
    from reportkit.grading.resultsfile import ResultsError

    kit = Path(args.kit).resolve() if args.kit else find_kit_root()
    try:
        found = read_adjustments(Path(args.adjustments)) if args.adjustments else None
        results = merge([Path(p) for p in args.parts], Path(args.out), kit, found)
    except (MergeError, ResultsError, AdjustmentError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"merged {len(args.parts)} part(s): {len(results)} learner(s)")
    print(f"report: {Path(args.out) / 'report.md'}; gradebook: {Path(args.out) / 'gradebook.csv'}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``merge`` to the kit's command line (called by reportkit.cli)."""
    p = subparsers.add_parser(
        "merge", help="put the parts of a sharded grading run (grade --shard K/N) into one report",
        description="Merge the report folders `grade --shard K/N` wrote (one per shard, all N of them) into "
                    "the report one run over the whole class writes. Reads each part's results.json only.")
    p.add_argument("parts", metavar="PART", nargs="+", help="report folders of the shards (or their results.json)")
    p.add_argument("--out", metavar="REPORT", required=True, help="the merged report folder (created)")
    p.add_argument("--kit", metavar="DIR", help="the kit with data/ and the key (default: found from here)")
    p.add_argument("--adjustments", metavar="CSV",
                   help="adjustments.csv (learner,question,delta,override,reason); default: those the parts hold")
    p.set_defaults(func=cmd_merge)
