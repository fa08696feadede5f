"""Reading ``results.json`` back (DECISIONS §6): ``merge``, ``--rescore`` and exports read this and
nothing else. The document says which notebooks were graded (name, article, questions), whether
the sandbox was on, and which shard of the class it holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportkit.grading.model import (
    RESULTS_FORMAT,
    Adjustment,
    Flag,
    FlagCode,
    LearnerResult,
    QuestionResult,
    Status,
)
from reportkit.grading.releases import ReleasedNotebook

RESULTS_FILE = "results.json"


class ResultsError(ValueError):
    """A results.json that cannot be read back (names the file and what is wrong)."""


@dataclass
class ResultsDocument:
    """One report folder's results.json, read back."""

    path: Path
    learners: list[LearnerResult]
    notebooks: list[ReleasedNotebook]
    warnings: list[str] = field(default_factory=list)
    sandboxed: bool = True
    shard: tuple[int, int] | None = None  # (K, N): this report holds the K-th of N slices


def notebook_entry(released: ReleasedNotebook) -> dict[str, Any]:
    """What results.json records of a released notebook: enough to write the report again."""
    return {"name": released.name, "article": released.article, "release": released.release,
            "questions": list(released.questions)}


def _notebook(entry: dict[str, Any]) -> ReleasedNotebook:
    return ReleasedNotebook(entry["name"], Path(entry["name"]), entry["article"], (), tuple(entry["questions"]),
                            {}, None, entry.get("release", ""))


def _question(entry: dict[str, Any]) -> QuestionResult:
    return QuestionResult(entry["question"], entry["notebook"], entry["points"], entry["max_points"],
                          entry.get("right", 0), entry.get("total", 0), entry.get("passed", False),
                          entry.get("message", ""), entry.get("answer"))


def _adjustment(entry: dict[str, Any]) -> Adjustment:
    return Adjustment(entry["question"], entry.get("reason", ""), entry.get("delta"), entry.get("override"),
                      entry.get("line", 0))


def learner_from_dict(entry: dict[str, Any]) -> LearnerResult:
    """A LearnerResult as ``LearnerResult.as_dict`` wrote it."""
    return LearnerResult(
        entry["learner"], Status.of(entry["status"]),
        [Flag(FlagCode.of(f["code"]), f["detail"], f.get("notebook", "")) for f in entry.get("flags", [])],
        list(entry.get("notes", [])), [_question(q) for q in entry.get("questions", [])],
        entry.get("seconds", 0.0), list(entry.get("releases", [])),
        [_adjustment(a) for a in entry.get("adjustments", [])])


def load_results(folder: Path) -> ResultsDocument:
    """``folder/results.json`` read back; ResultsError says what is wrong with it."""
    path = folder / RESULTS_FILE if folder.is_dir() else folder
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise ResultsError(f"{path}: not a readable results.json ({error})") from error
    if not isinstance(doc, dict) or doc.get("format") != RESULTS_FORMAT:
        raise ResultsError(f"{path}: results.json format {doc.get('format') if isinstance(doc, dict) else '?'}, "
                           f"this grader reads format {RESULTS_FORMAT}")
    if "notebooks" not in doc:
        raise ResultsError(f"{path}: written by an older grader (no list of notebooks); grade the class again")
    try:
        learners = [learner_from_dict(e) for e in doc["learners"]]
    except (KeyError, TypeError, StopIteration) as error:
        raise ResultsError(f"{path}: a learner's entry cannot be read ({type(error).__name__}: {error})") from error
    shard = doc.get("shard")
    return ResultsDocument(path, learners, [_notebook(n) for n in doc["notebooks"]], list(doc.get("warnings", [])),
                           bool(doc.get("sandboxed", True)), (shard["k"], shard["n"]) if shard else None)
