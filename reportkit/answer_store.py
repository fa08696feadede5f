"""One in-kernel state per answers file: every Tagger on that file shares it and sees every change.

Two Tagger instances on the same file in one kernel (a cell re-run in a second tab, two cells)
used to write their own whole state, and the older one erased the newer one's tags. Now each
change goes through the file's :class:`AnswerStore`: it stamps the changed units, merges them
with what is on disk under the file lock (:func:`reportkit.answers.write_answers`), keeps the
merged document, and tells every attached view. Another kernel's writes are merged in the same
way, and read back when a view asks (:meth:`AnswerStore.refresh`).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportkit.answers import (
    AnswersFile,
    load_answers,
    merge_units,
    read_answers_file,
    set_aside,
    stamp,
    write_answers,
)

Listener = Callable[[AnswersFile], None]


class AnswerStore:
    """The answers of one file, as last written or read, and the views that show them."""

    _open: weakref.WeakValueDictionary[tuple[str, str], AnswerStore] = weakref.WeakValueDictionary()

    def __init__(self, path: Path, article: Any, exercise: str) -> None:
        self.path = path
        self.article_id: str = article.id
        self.seed_sha256: str | None = article.seed_sha256
        self.exercise = exercise
        self.problem: str | None = None
        self.existed = path.exists()
        found, self.problem = load_answers(path, article, exercise, move_bad=True)
        self.document = found
        self._stat = self._file_stamp()
        self._listeners: weakref.WeakKeyDictionary[Any, Listener] = weakref.WeakKeyDictionary()

    @classmethod
    def open(cls, path: Path, article: Any, exercise: str) -> tuple[AnswerStore, bool]:
        """The store for this file and article (made on first use); True when it was made now."""
        key = (os.path.realpath(path), article.id)
        store = cls._open.get(key)
        if store is not None and store.exercise == exercise:
            store.reopen()
            return store, False
        store = cls(path, article, exercise)
        cls._open[key] = store
        return store, True

    def attach(self, owner: Any, listener: Listener) -> None:
        """Call ``listener(document)`` after every change, while ``owner`` lives."""
        self._listeners[owner] = listener

    def labels(self) -> dict[str, str]:
        return self.document.current_labels()

    def change(self, labels: dict[str, str | None], attribution: dict[str, dict[str, Any]] | None = None,
               *, writer: str | None = None) -> AnswersFile:
        """Record label changes (``None`` clears) and attribution changes; write, merge, tell every view."""
        when = stamp()
        units = {sid: {"label": label, "t": when} for sid, label in labels.items()}
        attrs = {sid: {**value, "t": when} for sid, value in (attribution or {}).items()}
        return self.write(units, attrs, writer=writer)

    def write(self, units: dict[str, Any], attrs: dict[str, Any], *, writer: str | None = None) -> AnswersFile:
        """Merge already-stamped units (a restore keeps the notebook's times) and write them."""
        mine = AnswersFile(
            article=self.article_id, seed_sha256=self.seed_sha256, exercise=self.exercise,
            labels=merge_units(self.document.labels, units),
            attribution=merge_units(self.document.attribution, attrs),
            revision=self.document.revision, writer=writer,
        )
        self.document = write_answers(self.path, mine)
        self._stat = self._file_stamp()
        self._tell()
        return self.document

    def refresh(self) -> bool:
        """Read the file again if another kernel wrote it since; True (and every view told) if it changed."""
        if self._file_stamp() == self._stat:
            return False
        found, problem = read_answers_file(self.path, self.article_id, self.exercise, seed_sha256=self.seed_sha256)
        self._stat = self._file_stamp()
        if found is None or problem is not None or found.revision <= self.document.revision:
            return False
        found.labels = merge_units(self.document.labels, found.labels)
        found.attribution = merge_units(self.document.attribution, found.attribution)
        self.document = found
        self._tell()
        return True

    def reopen(self) -> None:
        """A cell re-run: take in another kernel's writes; a file spoilt since is set aside and rewritten.

        This kernel's state is the newest one it knows, so it is written back rather than lost.
        """
        self.problem = None
        found, problem = read_answers_file(self.path, self.article_id, self.exercise, seed_sha256=self.seed_sha256)
        if problem is None:
            self.refresh()
            return
        backup = set_aside(self.path)
        self.problem = f"{self.path.name} could not be used: {problem}. It was kept as {backup.name}."
        if self.document.current_labels():
            self.problem += f" This session's {len(self.document.current_labels())} tag(s) were saved again."
            self.write({}, {})

    def _tell(self) -> None:
        for listener in list(self._listeners.values()):
            listener(self.document)

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size
