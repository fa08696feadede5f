"""A learner's sentence tags on disk and inside the notebook (shared by the tagger and the grader).

Two copies travel with a learner's work:

* ``<exercise>.answers.json`` beside the notebook, rewritten atomically on every change; the
  kernel restores from it (a kernel cannot read the notebook it runs in).
* an output with MIME type ``application/vnd.reportkit.answers+json`` next to the widget,
  updated in place on every change, which JupyterLab saves in the ``.ipynb``; the grader
  reads it with :func:`read_answers_from_notebook` without executing anything.

Both hold the same document::

    {"schema": 1, "article": "<id>", "seed_sha256": "<hex>", "exercise": "tag-all",
     "labels": {"s01": "quote", ...},
     "attribution": {"s01": {"source": "...", "channel": ["...", ...]}, ...},
     "updated": "2024-12-02T10:00:00+00:00"}
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from reportkit.datafiles import write_text_atomic

SCHEMA = 1
ANSWERS_MIME = "application/vnd.reportkit.answers+json"
SUFFIX = ".answers.json"
_EXERCISE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class ArticleLike(Protocol):
    id: str
    seed_sha256: str


@dataclass
class AnswersFile:
    """One exercise's answers for one article (the file's and the notebook output's content)."""

    article: str
    seed_sha256: str
    exercise: str
    labels: dict[str, str] = field(default_factory=dict)
    attribution: dict[str, dict[str, Any]] = field(default_factory=dict)
    updated: str | None = None
    schema: int = SCHEMA

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "article": self.article,
            "seed_sha256": self.seed_sha256,
            "exercise": self.exercise,
            "labels": dict(self.labels),
            "attribution": {k: dict(v) for k, v in self.attribution.items()},
            "updated": self.updated,
        }

    @classmethod
    def from_dict(cls, doc: Any) -> AnswersFile:
        """Parse a document; raises ValueError saying what is wrong with it."""
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        if doc.get("schema") != SCHEMA:
            raise ValueError(f"schema {doc.get('schema')!r}, expected {SCHEMA}")
        for name in ("article", "seed_sha256", "exercise"):
            if not isinstance(doc.get(name), str):
                raise ValueError(f"'{name}' is missing or not a string")
        labels = doc.get("labels", {})
        if not isinstance(labels, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items()
        ):
            raise ValueError("'labels' must map sentence ids to label ids")
        attribution = doc.get("attribution", {})
        if not isinstance(attribution, dict) or not all(
            isinstance(v, dict) for v in attribution.values()
        ):
            raise ValueError("'attribution' must map sentence ids to objects")
        return cls(
            article=doc["article"], seed_sha256=doc["seed_sha256"], exercise=doc["exercise"],
            labels=dict(labels), attribution={k: _clean_attribution(v) for k, v in attribution.items()},
            updated=doc.get("updated") if isinstance(doc.get("updated"), str) else None,
        )

    @property
    def revision(self) -> int:  # format 1 has none (interim: the tagger's format 2 replaces this)
        return 0

    @property
    def saved_at(self) -> str | None:
        return self.updated

    def current_labels(self) -> dict[str, str]:
        return {k: v for k, v in self.labels.items() if v}

    def summary(self, total: int | None = None) -> str:
        """One line for the notebook's text/plain fallback."""
        n = len(self.labels)
        of = f" of {total}" if total is not None else ""
        return f"reportkit answers for {self.exercise!r} ({self.article}): {n}{of} tagged"


def _clean_attribution(value: dict[str, Any]) -> dict[str, Any]:
    source = value.get("source")
    channel = value.get("channel") or []
    return {
        "source": source if isinstance(source, str) and source.strip() else None,
        "channel": [c for c in channel if isinstance(c, str) and c.strip()] if isinstance(channel, list) else [],
    }


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


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def save_answers(path: str | os.PathLike[str], answers: AnswersFile, *, stamp: bool = True) -> Path:
    """Write ``answers`` atomically (see :func:`reportkit.datafiles.write_text_atomic`)."""
    path = Path(path)
    if stamp:
        answers.updated = now_iso()
    text = json.dumps(answers.to_dict(), ensure_ascii=False, indent=1, sort_keys=False) + "\n"
    return write_text_atomic(path, text)


def set_aside(path: str | os.PathLike[str]) -> Path:
    """Rename a bad answers file to ``<name>.bad-<timestamp>`` (never delete a learner's work)."""
    path = Path(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while target.exists():  # two bad files in the same second must not overwrite each other
        target = path.with_name(f"{path.name}.bad-{stamp}-{n}")
        n += 1
    os.replace(path, target)
    return target


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
    empty = AnswersFile(article=article_id, seed_sha256=sha or "", exercise=exercise)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return empty, None
    reason: str | None = None
    found: AnswersFile | None = None
    try:
        found = AnswersFile.from_dict(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = f"it is not valid JSON ({exc.__class__.__name__}: {exc})"
    except ValueError as exc:
        reason = f"it is not an answers file ({exc})"
    if found is not None:
        if found.article != article_id:
            reason = f"it holds answers for another article ({found.article!r})"
        elif found.exercise != exercise:
            reason = f"it holds answers for another exercise ({found.exercise!r})"
        elif sha is not None and found.seed_sha256 != sha:
            reason = "it was written for a different version of the article's text (seed sha256 differs)"
    if reason is None and found is not None:
        return found, None
    message = f"{path.name} could not be used: {reason}."
    if move_bad:
        backup = set_aside(path)
        message += f" It was kept as {backup.name}; starting with no answers."
    return empty, message


def _outputs(nb: Any) -> list[dict[str, Any]]:
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
    """Every exercise's answers saved in a notebook's outputs (the last output per exercise wins).

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
        result[answers.exercise] = answers
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


def newer(a: AnswersFile | None, b: AnswersFile | None) -> AnswersFile | None:
    """The newer of two copies: the higher revision; ties, the later save time (never file times)."""
    if a is None or b is None:
        return a or b
    return b if (b.revision, b.saved_at or "") > (a.revision, a.saved_at or "") else a
