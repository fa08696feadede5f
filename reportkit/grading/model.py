"""What grading produces: statuses and flags (enums that carry their meaning), per-question and
per-learner results, and the ``results.json`` format (DECISIONS §6).

The docs table of statuses and flags (docs/grading.md) is generated from these enums:
``python -m reportkit grade --explain`` prints it, and a test keeps the docs in step.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

RESULTS_FORMAT = 1
MAX_ANSWER_CHARS = 20_000  # one recorded answer kept in results.json (a rule's source, a long list)


class Status(enum.Enum):
    """A learner's outcome, most serious first: a learner gets the most serious that applies."""

    BAD_ARCHIVE = ("bad-archive", "the zip was unsafe or unreadable: nothing graded")
    MISSING = ("missing", "no exercise notebook found (empty folder, wrong names)")
    INVALID = ("invalid", "a notebook is not valid JSON or not a notebook")
    FLAGGED = ("flagged", "graded, but something needs a human look (see flags)")
    KERNEL_DIED = ("kernel-died", "the kernel ended (os._exit, a crash, out of memory, file too large)")
    TIMEOUT = ("timeout", "a cell ran past --timeout, or the whole run past the backstop")
    MEMORY_LIMIT = ("memory-limit", "a cell raised MemoryError under the memory cap")
    OUTPUT_LIMIT = ("output-limit", "output past --max-output was dropped")
    ERROR = ("error", "the grader itself failed on this hand-in (a bug: see the message)")
    INCOMPLETE = ("incomplete", "some exercise notebooks were not handed in")
    OK = ("ok", "graded; nothing to look at")

    def __init__(self, code: str, meaning: str) -> None:
        self.code = code
        self.meaning = meaning

    @property
    def severity(self) -> int:
        """0 is the most serious."""
        return list(Status).index(self)

    @classmethod
    def of(cls, code: str) -> Status:
        return next(s for s in cls if s.code == code)

    def __str__(self) -> str:
        return self.code


class Severity(enum.Enum):
    INTEGRITY = "integrity"  # the learner's own doing may be at stake: makes the status "flagged"
    NOTE = "note"  # worth knowing; does not change the status


class FlagCode(enum.Enum):
    """Why a hand-in needs a look. ``instructor_only`` flags stay out of the learner's feedback."""

    CHECK_EDITED = ("check-edited", Severity.INTEGRITY, False, "a check cell was edited; put back from the release")
    CHECK_MOVED = ("check-moved", Severity.INTEGRITY, False, "a check cell was moved; put back in its place")
    CHECK_DELETED = ("check-deleted", Severity.INTEGRITY, False, "a check cell was deleted; put back")
    LOCKED_EDITED = ("locked-edited", Severity.INTEGRITY, False, "a locked cell was edited; put back")
    LOCKED_DELETED = ("locked-deleted", Severity.INTEGRITY, False, "a locked cell was deleted; put back")
    MACHINERY = ("machinery-redefined", Severity.INTEGRITY, True,
                 "an answer cell touches the grading machinery (scores never depend on it)")
    ANSWERS_FILE_CORRUPT = ("answers-file-corrupt", Severity.INTEGRITY, False,
                            "a tagging answers file is not valid; the other copy was used")
    ANSWERS_FILE_FOREIGN = ("answers-file-foreign", Severity.INTEGRITY, False,
                            "a tagging answers file is for another exercise, article or text version")
    RECORD_MISSING = ("record-missing", Severity.INTEGRITY, True,
                      "a check ran but no answer was recorded")
    RELEASE_MISMATCH = ("release-mismatch", Severity.INTEGRITY, False,
                        "a notebook comes from another release than the one graded against")
    CELL_ERROR = ("cell-error", Severity.NOTE, False, "a cell raised an error (its answer may be blank)")
    ANSWER_CELL_MISSING = ("answer-cell-missing", Severity.NOTE, False,
                           "an answer cell was not found; the release's blank was used")
    ANSWERS_OLDER_COPY = ("answers-older-copy", Severity.NOTE, False,
                          "two copies of the tags differ; the one with the higher revision was graded")
    RENAMED = ("renamed", Severity.NOTE, False, "a notebook was found under another name (case, ' (1)')")
    DUPLICATE_NOTEBOOK = ("duplicate-notebook", Severity.NOTE, False,
                          "a notebook was handed in more than once; the newest answers were graded")
    EXTRA_NOTEBOOK = ("extra-notebook", Severity.NOTE, False, "a notebook that is not an exercise; ignored")
    SYMLINK_IGNORED = ("symlink-ignored", Severity.NOTE, False, "a symbolic link in the hand-in; ignored")
    FILE_TOO_LARGE = ("file-too-large", Severity.NOTE, False, "a file over the size cap; ignored")
    UNKNOWN_QUESTION = ("unknown-question", Severity.NOTE, False, "a check names a question not in questions.json")
    RULE_ERROR = ("rule-error", Severity.NOTE, False, "a rule answer raised when the grader ran it")
    UNSANDBOXED = ("unsandboxed", Severity.NOTE, True, "graded with --no-sandbox: learner code was not contained")

    def __init__(self, code: str, severity: Severity, instructor_only: bool, meaning: str) -> None:
        self.code = code
        self.severity = severity
        self.instructor_only = instructor_only
        self.meaning = meaning

    @classmethod
    def of(cls, code: str) -> FlagCode:
        return next(f for f in cls if f.code == code)

    def __str__(self) -> str:
        return self.code


@dataclass
class Flag:
    code: FlagCode
    detail: str
    notebook: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code.code, "detail": self.detail, "notebook": self.notebook}


@dataclass
class QuestionResult:
    question: str
    notebook: str
    points: float
    max_points: float
    right: int = 0
    total: int = 0
    passed: bool = False
    message: str = ""
    answer: Any = None  # the recorded answer (tagging: {sentence id: label}; a rule: its outputs)

    def as_dict(self) -> dict[str, Any]:
        answer = self.answer
        if len(repr(answer)) > MAX_ANSWER_CHARS:
            answer = {"truncated": repr(answer)[:MAX_ANSWER_CHARS]}
        status = "right" if self.passed else "partial" if self.points > 0 else "wrong"
        return {"question": self.question, "notebook": self.notebook, "points": self.points,
                "max_points": self.max_points, "right": self.right, "total": self.total, "passed": self.passed,
                "status": status, "message": self.message[:MAX_ANSWER_CHARS], "answer": answer}


TOTAL = "total"  # an adjustment's question column for the learner's whole total


@dataclass
class Adjustment:
    """An instructor's change to a score (adjustments.csv): a delta or an override, with its reason."""

    question: str  # a question id, or TOTAL
    reason: str
    delta: float | None = None
    override: float | None = None
    line: int = 0  # its line in the adjustments file (for messages)

    def apply(self, points: float) -> float:
        return self.override if self.override is not None else points + (self.delta or 0.0)

    def describe(self) -> str:
        change = f"set to {self.override:g}" if self.override is not None else f"{self.delta:+g}"
        return f"{change} ({self.reason})" if self.reason else change

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "delta": self.delta, "override": self.override, "reason": self.reason,
                "line": self.line}


@dataclass
class LearnerResult:
    learner: str
    status: Status = Status.OK
    flags: list[Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the learner and instructor read
    questions: list[QuestionResult] = field(default_factory=list)
    seconds: float = 0.0
    releases: list[str] = field(default_factory=list)  # release versions the notebooks came from
    adjustments: list[Adjustment] = field(default_factory=list)  # the instructor's, applied after scoring

    @property
    def auto_total(self) -> float:
        """The grader's points, before the instructor's adjustments."""
        return round(sum(q.points for q in self.questions), 2)

    def points_of(self, question: QuestionResult) -> float:
        """A question's points after the instructor's adjustments to it (in file order)."""
        points = question.points
        for adjustment in self.adjustments:
            if adjustment.question == question.question:
                points = adjustment.apply(points)
        return points

    @property
    def total(self) -> float:
        """The final total: adjusted question points, then the adjustments of the whole total."""
        points = sum(self.points_of(q) for q in self.questions)
        for adjustment in self.adjustments:
            if adjustment.question == TOTAL:
                points = adjustment.apply(points)
        return round(points, 2)

    @property
    def max_total(self) -> float:
        return round(sum(q.max_points for q in self.questions), 2)

    def flag(self, code: FlagCode, detail: str, notebook: str = "") -> None:
        self.flags.append(Flag(code, detail, notebook))

    def worsen(self, status: Status) -> None:
        if status.severity < self.status.severity:
            self.status = status

    def settle(self) -> None:
        """An otherwise clean run with an integrity flag is "flagged" (which outranks "incomplete")."""
        if any(f.code.severity is Severity.INTEGRITY for f in self.flags):
            self.worsen(Status.FLAGGED)

    def as_dict(self) -> dict[str, Any]:
        return {"learner": self.learner, "status": self.status.code, "total": self.total,
                "max_total": self.max_total, "auto_total": self.auto_total,
                "adjusted": round(self.total - self.auto_total, 2), "seconds": self.seconds,
                "releases": self.releases, "notes": self.notes, "flags": [f.as_dict() for f in self.flags],
                "questions": [q.as_dict() for q in self.questions],
                "adjustments": [a.as_dict() for a in self.adjustments]}


def normalise_id(name: str) -> str:
    """A learner id as compared and shown: Unicode NFC, surrounding spaces removed."""
    return unicodedata.normalize("NFC", name).strip()


def file_stem(learner: str) -> str:
    """A file-system name for a learner, distinct for distinct ids (``Zoë`` and ``Zoé`` differ).

    Readable ASCII first (accents folded), then a short hash of the normalised id.
    """
    import hashlib

    learner = normalise_id(learner)
    folded = unicodedata.normalize("NFKD", learner).encode("ascii", "ignore").decode()
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", folded).strip("_")[:60] or "learner"
    digest = hashlib.sha256(learner.encode("utf-8")).hexdigest()[:8]
    return f"{readable}-{digest}"


def csv_safe(value: str) -> str:
    """OWASP's rule against CSV injection: a cell starting with = + - @ (or tab, CR) is a formula
    to a spreadsheet, so it gets a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
