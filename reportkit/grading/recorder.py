"""Step 5 (in the learner's kernel) — the recorder that replaces every check cell.

The grader rebuilds each notebook with a first cell ``_rk_record = Recorder(PATH)`` and each
check cell as ``_rk_record("q02_1", lambda: (q02_1))``. A record is only the learner's answer,
as plain JSON: learner code runs in the same kernel (and in the grader's sandbox), so it could
write any record itself — and gain nothing it could not get by typing that answer honestly.
Scoring happens outside the sandbox, with the key. A function answer (a rule) is not run here:
the grader runs it again itself (``reportkit.grading.rulerun``) and records only that it exists.

Kept small and free of heavy imports: it loads in every learner's kernel.
"""

from __future__ import annotations

import json
import math
import types
from collections.abc import Callable
from typing import Any

MAX_RECORD_CHARS = 1_000_000
MAX_DEPTH = 30


def plain(value: Any, depth: int = 0) -> Any:
    """An answer as JSON-able data; TypeError for what cannot be an answer."""
    if depth > MAX_DEPTH:
        raise ValueError("the answer is nested too deeply")
    if value is None or value is Ellipsis:  # `q = ...`: the blank left by the release
        return None
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v, depth + 1) for v in value), key=repr)
    if hasattr(value, "answers"):  # the tagging widget
        return plain(dict(value.answers), depth + 1)
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return plain(value.tolist(), depth + 1)
    raise TypeError(f"cannot record an answer of type {type(value).__name__}")


def entry_for(question: str, get: Callable[[], Any]) -> dict[str, Any]:
    """What is recorded for one check: the value, that a rule was given, or why it could not be read."""
    entry: dict[str, Any] = {"question": question}
    try:
        value = get()
        if isinstance(value, types.FunctionType):
            entry["rule"] = getattr(value, "__name__", "rule")
        else:
            entry["value"] = plain(value)
    except Exception as error:  # noqa: BLE001 - the learner's answer may raise anything
        entry["error"] = f"{type(error).__name__}: {error}"[:500]
    return entry


class Recorder:
    """Appends one JSON line per check to ``path`` (the grader reads the last line per question)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, question: str, get: Callable[[], Any]) -> None:
        line = json.dumps(entry_for(question, get), sort_keys=True)
        if len(line) > MAX_RECORD_CHARS:
            line = json.dumps({"question": question, "error": "the answer is larger than 1 MB"})
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def read_records(path: Any) -> dict[str, dict[str, Any]]:
    """Recorded answers by question (the last one wins); lines that are not records are skipped."""
    from pathlib import Path

    records: dict[str, dict[str, Any]] = {}
    file = Path(path)
    if not file.is_file():
        return records
    with file.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("question"), str):
                records[entry["question"]] = entry
    return records
