"""Manual adjustments: ``--adjustments adjustments.csv`` (a point given back, a late penalty), applied
after scoring and kept across re-grades.

    learner,question,delta,override,reason
    ada,q02_1,1,,accepted s14: the key was too strict
    bo,total,-2,,handed in two days late
    cy,q05_3,,3,answered on paper

One row per change: ``question`` is a question id or ``total``; exactly one of ``delta`` (added)
and ``override`` (the points, replacing the grader's). Several rows for one learner apply in file
order. Learner ids compare as the grader's do (Unicode NFC, spaces trimmed). Every problem is an
error naming its line; an unknown learner or question is one (a typo must not vanish silently).
"""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Iterable
from pathlib import Path

from reportkit.grading.model import TOTAL, Adjustment, LearnerResult, normalise_id

COLUMNS = ("learner", "question", "delta", "override", "reason")


class AdjustmentError(ValueError):
    """A line of the adjustments file that cannot be applied (the message names file and line)."""


class Adjustments(dict[str, list[Adjustment]]):
    """Learner id -> their adjustments in file order; ``source`` names the file in messages."""

    def __init__(self, source: str = "adjustments.csv") -> None:
        super().__init__()
        self.source = source


def _number(text: str, where: str, column: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise AdjustmentError(f"{where}: {column} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise AdjustmentError(f"{where}: {column} {text!r} is not a finite number")
    return value


def _row(row: dict[str, str | None], source: str, line: int) -> tuple[str, Adjustment]:
    where = f"{source} line {line}"
    learner = normalise_id(row.get("learner") or "")
    question = (row.get("question") or "").strip()
    if not learner or not question:
        raise AdjustmentError(f"{where}: needs a learner and a question (or {TOTAL!r})")
    delta = _number(row.get("delta") or "", where, "delta")
    override = _number(row.get("override") or "", where, "override")
    if (delta is None) == (override is None):
        raise AdjustmentError(f"{where}: give exactly one of delta and override")
    return learner, Adjustment(question, (row.get("reason") or "").strip(), delta, override, line)


def read_adjustments(path: Path) -> Adjustments:
    """Learner id -> their adjustments in file order; AdjustmentError for a bad header or line."""
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise AdjustmentError(f"{path}: cannot be read ({error})") from error
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise AdjustmentError(f"{path} line 1: the header needs the columns {', '.join(COLUMNS)} "
                              f"(missing: {', '.join(missing)})")
    found = Adjustments(path.name)
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # a blank line
        learner, adjustment = _row(row, path.name, reader.line_num)
        found.setdefault(learner, []).append(adjustment)
    return found


def _unknown(kind: str, name: str, known: Iterable[str], where: str) -> AdjustmentError:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return AdjustmentError(f"{where}: no {kind} {name!r} in this class{hint}")


def validate(found: dict[str, list[Adjustment]], learners: Iterable[str], questions: Iterable[str]) -> None:
    """Every adjustment names a learner of the class and a question graded (or ``total``)."""
    learners, questions = set(learners), set(questions)
    source = getattr(found, "source", "adjustments.csv")
    for learner, adjustments in found.items():
        for a in adjustments:
            where = f"{source} line {a.line}"
            if learner not in learners:
                raise _unknown("learner", learner, learners, where)
            if a.question != TOTAL and a.question not in questions:
                raise _unknown("question", a.question, [*questions, TOTAL], where)


def apply(results: list[LearnerResult], found: dict[str, list[Adjustment]]) -> None:
    """Each learner's adjustments replace those they had (a re-grade keeps what the file says)."""
    for r in results:
        r.adjustments = list(found.get(r.learner, []))


def recorded(results: list[LearnerResult]) -> dict[str, list[Adjustment]]:
    """The adjustments a report already holds (results.json), to keep them across a re-grade."""
    return {r.learner: list(r.adjustments) for r in results if r.adjustments}


def kept_in(report: Path) -> dict[str, list[Adjustment]]:
    """The adjustments of a report already in ``report`` (none if there is none, or it cannot be read)."""
    from reportkit.grading.resultsfile import ResultsError, load_results

    if not (report / "results.json").is_file():
        return {}
    try:
        return recorded(load_results(report).learners)
    except ResultsError:
        return {}
