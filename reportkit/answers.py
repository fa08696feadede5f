"""A learner's sentence tags on disk and inside the notebook (shared by the tagger and the grader).

Two copies travel with a learner's work:

* ``<exercise>.answers.json`` beside the notebook, merged and rewritten atomically on every change
  (under a file lock); the kernel restores from it (a kernel cannot read the notebook it runs in).
* an output with MIME type ``application/vnd.reportkit.answers+json`` next to the widget,
  updated in place on every change, which JupyterLab saves in the ``.ipynb``; the grader
  reads it with :func:`read_answers_from_notebook` without executing anything.

Both hold the same document, format 2 (DECISIONS.md §3)::

    {"format": 2, "article": "<id>", "exercise": "tag-all", "release": null,
     "revision": 17, "saved_at": "2026-12-01T09:13:18Z", "writer": "<widget instance id>",
     "labels": {"s03": {"label": "quote", "t": "2026-12-01T09:13:18.120Z"},
                "s04": {"label": null, "t": "2026-12-01T09:13:19.002Z"}},
     "seed_sha256": "<hex>",
     "attribution": {"s01": {"source": "...", "channel": ["..."], "t": "..."}}}

Each unit carries the time it was last changed, so two writers merge unit by unit (the later ``t``
wins; a clear is kept as ``label: null`` so it wins by time too). ``revision`` is one more than the
highest revision seen, so the grader picks the newer copy by :func:`newer`, never by file time.
Format 1 (``"schema": 1``, labels as plain strings, ``"updated"``) is still read.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from reportkit.datafiles import write_text_atomic

FORMAT = 2
SCHEMA = 1  # the format-1 marker ("schema": 1), still read
ANSWERS_MIME = "application/vnd.reportkit.answers+json"
SUFFIX = ".answers.json"
_EXERCISE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NOTEBOOK_SCAN_LIMIT = 20_000_000  # bytes: a notebook larger than this is not read for recovery
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

Unit = dict[str, Any]  # {"label": str | None, "t": "<ISO time>"}


class ArticleLike(Protocol):
    id: str
    seed_sha256: str


# ---------------------------------------------------------------------------- time stamps

_last_stamp = _EPOCH
_stamp_lock = threading.Lock()


def stamp() -> str:
    """Now, as ``2026-12-01T09:13:18.120Z``; strictly increasing within this process.

    Two changes in the same millisecond still get different times, so "the later wins" holds.
    """
    global _last_stamp
    with _stamp_lock:
        now = datetime.now(timezone.utc)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if now <= _last_stamp:
            now = _last_stamp + timedelta(milliseconds=1)
        _last_stamp = now
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def now_iso() -> str:
    """Now to the second, as ``2026-12-01T09:13:18Z`` (a document's ``saved_at``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def instant(value: str | None) -> datetime:
    """An ISO time as a comparable datetime; missing or unreadable times count as the oldest."""
    if not value:
        return _EPOCH
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return _EPOCH
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# ---------------------------------------------------------------------------- the document


@dataclass
class AnswersFile:
    """One exercise's answers for one article (the file's and the notebook output's content).

    ``labels`` maps unit ids to ``{"label": str | None, "t": time}``; plain label strings are
    accepted when constructing and become units stamped with ``saved_at`` (or no time).
    """

    article: str
    seed_sha256: str | None = None
    exercise: str = "tag-all"
    labels: dict[str, Unit] = field(default_factory=dict)
    attribution: dict[str, dict[str, Any]] = field(default_factory=dict)
    release: str | None = None
    revision: int = 0
    saved_at: str | None = None
    writer: str | None = None

    def __post_init__(self) -> None:
        self.labels = {sid: _unit(v, self.saved_at) for sid, v in self.labels.items()}

    def current_labels(self) -> dict[str, str]:
        """Unit id -> label for the units that carry one (clears left out)."""
        return {sid: u["label"] for sid, u in self.labels.items() if u.get("label") is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "article": self.article,
            "exercise": self.exercise,
            "release": self.release,
            "revision": self.revision,
            "saved_at": self.saved_at,
            "writer": self.writer,
            "labels": {sid: dict(u) for sid, u in self.labels.items()},
            "seed_sha256": self.seed_sha256,
            "attribution": {k: dict(v) for k, v in self.attribution.items()},
        }

    @classmethod
    def from_dict(cls, doc: Any) -> AnswersFile:
        """Parse a format 2 or format 1 document; raises ValueError saying what is wrong with it."""
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        if doc.get("format") == FORMAT:
            return _from_format2(doc)
        if doc.get("schema") == SCHEMA and "format" not in doc:
            return _from_format1(doc)
        found = doc.get("format", doc.get("schema"))
        raise ValueError(f"format {found!r}, expected {FORMAT} (or the older schema {SCHEMA})")

    def summary(self, total: int | None = None) -> str:
        """One line for the notebook's text/plain fallback."""
        n = len(self.current_labels())
        of = f" of {total}" if total is not None else ""
        return f"reportkit answers for {self.exercise!r} ({self.article}): {n}{of} tagged"


def _unit(value: Any, when: str | None) -> Unit:
    if isinstance(value, dict):
        return {"label": value.get("label"), "t": value.get("t") or when or ""}
    return {"label": value, "t": when or ""}


def _require_strings(doc: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if not isinstance(doc.get(name), str):
            raise ValueError(f"'{name}' is missing or not a string")


def _optional_string(doc: dict[str, Any], name: str) -> str | None:
    value = doc.get(name)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"'{name}' must be a string or null")
    return value


def _attribution(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    attribution = doc.get("attribution") or {}
    if not isinstance(attribution, dict) or not all(isinstance(v, dict) for v in attribution.values()):
        raise ValueError("'attribution' must map sentence ids to objects")
    return {k: _clean_attribution(v) for k, v in attribution.items()}


def _from_format2(doc: dict[str, Any]) -> AnswersFile:
    _require_strings(doc, ("article", "exercise"))
    labels = doc.get("labels", {})
    if not isinstance(labels, dict) or not all(_is_unit(k, v) for k, v in labels.items()):
        raise ValueError("'labels' must map unit ids to {\"label\": label id or null, \"t\": time}")
    revision = doc.get("revision", 0)
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        raise ValueError("'revision' must be a whole number, 0 or more")
    return AnswersFile(
        article=doc["article"], seed_sha256=_optional_string(doc, "seed_sha256"), exercise=doc["exercise"],
        labels={k: {"label": v["label"], "t": v["t"]} for k, v in labels.items()},
        attribution=_attribution(doc), release=_optional_string(doc, "release"), revision=revision,
        saved_at=_optional_string(doc, "saved_at"), writer=_optional_string(doc, "writer"),
    )


def _is_unit(key: Any, value: Any) -> bool:
    return (isinstance(key, str) and isinstance(value, dict) and isinstance(value.get("t"), str)
            and (value.get("label") is None or isinstance(value.get("label"), str)))


def _from_format1(doc: dict[str, Any]) -> AnswersFile:
    _require_strings(doc, ("article", "seed_sha256", "exercise"))
    labels = doc.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise ValueError("'labels' must map sentence ids to label ids")
    updated = doc.get("updated") if isinstance(doc.get("updated"), str) else None
    return AnswersFile(article=doc["article"], seed_sha256=doc["seed_sha256"], exercise=doc["exercise"],
                       labels=dict(labels), attribution=_attribution(doc), saved_at=updated)


def _clean_attribution(value: dict[str, Any]) -> dict[str, Any]:
    source = value.get("source")
    channel = value.get("channel") or []
    clean = {
        "source": source if isinstance(source, str) and source.strip() else None,
        "channel": [c for c in channel if isinstance(c, str) and c.strip()] if isinstance(channel, list) else [],
    }
    if isinstance(value.get("t"), str):
        clean["t"] = value["t"]
    return clean


# ---------------------------------------------------------------------------- comparing and merging


def newer(a: AnswersFile | None, b: AnswersFile | None) -> AnswersFile | None:
    """The copy to grade: the higher revision; on a tie the later ``saved_at`` (then ``a``).

    Never file-system time: a copy or an unzip changes that.
    """
    if a is None or b is None:
        return a if b is None else b
    if a.revision != b.revision:
        return a if a.revision > b.revision else b
    return b if instant(b.saved_at) > instant(a.saved_at) else a


def merge_units(base: dict[str, Unit], incoming: dict[str, Unit]) -> dict[str, Unit]:
    """Unit by unit, the later ``t`` wins (on a tie, ``incoming``: it is the write being made)."""
    merged = {sid: dict(u) for sid, u in base.items()}
    for sid, unit in incoming.items():
        old = merged.get(sid)
        if old is None or instant(unit.get("t")) >= instant(old.get("t")):
            merged[sid] = dict(unit)
    return merged


def merge(disk: AnswersFile | None, mine: AnswersFile) -> AnswersFile:
    """``mine`` merged over what is on disk; revision one more than the higher of the two."""
    if disk is None:
        labels, attribution, revision = dict(mine.labels), dict(mine.attribution), mine.revision
    else:
        labels = merge_units(disk.labels, mine.labels)
        attribution = merge_units(disk.attribution, mine.attribution)
        revision = max(disk.revision, mine.revision)
    return AnswersFile(
        article=mine.article, seed_sha256=mine.seed_sha256, exercise=mine.exercise, labels=labels,
        attribution=attribution, release=mine.release, revision=revision + 1, saved_at=now_iso(),
        writer=mine.writer,
    )


# ---------------------------------------------------------------------------- the file


def check_exercise_name(exercise: str) -> str:
    """Exercise names become file names: letters, digits, '.', '_' and '-' only."""
    if not isinstance(exercise, str) or not _EXERCISE.match(exercise):
        raise ValueError(
            f"exercise {exercise!r} cannot be a file name: use letters, digits, '.', '_' and '-'"
        )
    return exercise


def answers_path(exercise: str, folder: str | os.PathLike[str] | None = None) -> Path:
    """Where an exercise's answers live: ``<folder>/<exercise>.answers.json`` (default: cwd)."""
    return Path(folder if folder is not None else Path.cwd()) / (check_exercise_name(exercise) + SUFFIX)


def lock_path(path: Path) -> Path:
    """The lock file beside an answers file (hidden; its content is never read)."""
    return path.with_name(f".{path.name}.lock")


@contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive lock for one answers file: two kernels never interleave read-merge-write.

    The lock is on a separate file because the answers file itself is replaced on every write.
    Where ``fcntl`` is missing (Windows) the merge still runs, without the lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on the kit's Linux machines
        yield
        return
    with open(lock_path(Path(path)), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_answers(path: str | os.PathLike[str], answers: AnswersFile) -> AnswersFile:
    """Merge ``answers`` into the file under the lock and write the result atomically; return it.

    What is on disk is read first, so a write never replaces a newer unit: another kernel's tags
    stay. A file that cannot be read (corrupt, another article) is set aside, never deleted.
    """
    path = Path(path)
    with locked(path):
        disk, _problem = _read_for_merge(path, answers)
        merged = merge(disk, answers)
        text = json.dumps(merged.to_dict(), ensure_ascii=False, indent=1) + "\n"
        write_text_atomic(path, text)
    return merged


def _read_for_merge(path: Path, mine: AnswersFile) -> tuple[AnswersFile | None, str | None]:
    found, problem = read_answers_file(path, mine.article, mine.exercise, seed_sha256=mine.seed_sha256)
    if problem is not None:
        set_aside(path)
    return found, problem


def save_answers(path: str | os.PathLike[str], answers: AnswersFile, *, stamp: bool = True) -> AnswersFile:
    """Write ``answers`` (merged with what is on disk, see :func:`write_answers`); return what was written.

    ``stamp`` is kept for older callers: every write sets ``saved_at``.
    """
    return write_answers(path, answers)


def set_aside(path: str | os.PathLike[str]) -> Path:
    """Rename a bad answers file to ``<name>.bad-<timestamp>`` (never delete a learner's work)."""
    path = Path(path)
    when = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bad-{when}")
    n = 1
    while target.exists():  # two bad files in the same second must not overwrite each other
        target = path.with_name(f"{path.name}.bad-{when}-{n}")
        n += 1
    os.replace(path, target)
    return target


def read_answers_file(
    path: Path, article_id: str, exercise: str, *, seed_sha256: str | None = None
) -> tuple[AnswersFile | None, str | None]:
    """``(answers, None)``, ``(None, None)`` when there is no file, or ``(None, why it cannot be used)``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    try:
        found = AnswersFile.from_dict(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"it is not valid JSON ({exc.__class__.__name__}: {exc})"
    except ValueError as exc:
        return None, f"it is not an answers file ({exc})"
    return _foreign(found, article_id, exercise, seed_sha256)


def _foreign(
    found: AnswersFile, article_id: str, exercise: str, sha: str | None
) -> tuple[AnswersFile | None, str | None]:
    if found.article != article_id:
        return None, f"it holds answers for another article ({found.article!r})"
    if found.exercise != exercise:
        return None, f"it holds answers for another exercise ({found.exercise!r})"
    if sha is not None and found.seed_sha256 is not None and found.seed_sha256 != sha:
        return None, "it was written for a different version of the article's text (seed sha256 differs)"
    return found, None


def load_answers(
    path: str | os.PathLike[str],
    article: ArticleLike | str,
    exercise: str,
    *,
    seed_sha256: str | None = None,
    move_bad: bool = False,
) -> tuple[AnswersFile, str | None]:
    """Read an answers file written for ``article`` and ``exercise``.

    Returns ``(answers, problem)``. A missing file gives empty answers and no problem. A
    corrupt file, or one written for another article, exercise or seed text, gives empty
    answers and a message saying why; with ``move_bad=True`` (the tagger) the file is also
    renamed aside to ``<name>.bad-<timestamp>`` and the message names the backup. The
    grader leaves ``move_bad`` off so it never moves a submission.
    """
    path = Path(path)
    if isinstance(article, str):
        article_id, sha = article, seed_sha256
    else:
        article_id, sha = article.id, seed_sha256 or article.seed_sha256
    found, reason = read_answers_file(path, article_id, exercise, seed_sha256=sha)
    if found is not None:
        return found, None
    empty = AnswersFile(article=article_id, seed_sha256=sha, exercise=exercise)
    if reason is None:
        return empty, None
    message = f"{path.name} could not be used: {reason}."
    if move_bad:
        backup = set_aside(path)
        message += f" It was kept as {backup.name}."
    return empty, message


# ---------------------------------------------------------------------------- the notebook's copy


def _outputs(nb: Any) -> list[Any]:
    found = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            if ANSWERS_MIME in data:
                found.append(data[ANSWERS_MIME])
    return found


def _notebook(path_or_nb: Any) -> Any:
    if isinstance(path_or_nb, (str, os.PathLike)):
        # Plain JSON is enough: no nbformat upgrade or validation needed to read outputs.
        return json.loads(Path(path_or_nb).read_text(encoding="utf-8"))
    return path_or_nb


def read_all_answers_from_notebook(path_or_nb: Any) -> dict[str, AnswersFile]:
    """Every exercise's answers saved in a notebook's outputs (per exercise, the newer copy wins).

    Accepts a path or an already-read notebook (an nbformat NotebookNode or a plain dict).
    Nothing is executed. Malformed outputs are skipped.
    """
    result: dict[str, AnswersFile] = {}
    for doc in _outputs(_notebook(path_or_nb)):
        if isinstance(doc, str):  # some writers store JSON MIME data as a string
            try:
                doc = json.loads(doc)
            except json.JSONDecodeError:
                continue
        try:
            answers = AnswersFile.from_dict(doc)
        except ValueError:
            continue
        earlier = result.get(answers.exercise)
        result[answers.exercise] = answers if earlier is None else newer(answers, earlier) or answers
    return result


def read_answers_from_notebook(path_or_nb: Any, exercise: str | None = None) -> AnswersFile | None:
    """The answers a notebook carries for ``exercise`` (or its only exercise); None if none.

    Raises ValueError if ``exercise`` is None and the notebook holds several exercises.
    """
    found = read_all_answers_from_notebook(path_or_nb)
    if exercise is not None:
        return found.get(exercise)
    if len(found) > 1:
        raise ValueError(f"the notebook holds answers for several exercises: {', '.join(sorted(found))}")
    return next(iter(found.values()), None)


def answers_in_notebooks(
    folder: Path, article_id: str, exercise: str, *, first: Path | None = None
) -> tuple[Path, AnswersFile] | None:
    """The newest copy of these answers saved in a notebook in ``folder`` (``first`` looked at too).

    For recovery: when the answers file is gone or corrupt, the notebook beside it may still hold
    the tags. Only notebooks whose copy has at least one label count.
    """
    best: tuple[Path, AnswersFile] | None = None
    candidates = [first] if first is not None else []
    candidates += sorted(folder.glob("*.ipynb"))
    for path in dict.fromkeys(candidates):
        found = _notebook_copy(path, article_id, exercise)
        if found is not None and (best is None or newer(found, best[1]) is found):
            best = (path, found)
    return best


def _notebook_copy(path: Path, article_id: str, exercise: str) -> AnswersFile | None:
    try:
        if path.stat().st_size > _NOTEBOOK_SCAN_LIMIT:
            return None
        found = read_answers_from_notebook(path, exercise)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if found is None or found.article != article_id or not found.current_labels():
        return None
    return found
