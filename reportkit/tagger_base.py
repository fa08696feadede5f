"""What the learner's Tagger and the author's key editor share: article, rows, selection, filter, status.

The browser half is assembled from ``static/tagger_common.js`` and one mode file
(``static/tagger_learner.js`` or ``static/tagger_author.js``), concatenated into one ES module: no
build step. Messages from the browser are dispatched through a table (:attr:`TaggerBase.handlers`);
each carries a sequence number, and the kernel answers every one with an acknowledgement, so the
widget says "saved" only when the kernel has written the change.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from reportkit.article import Article

log = logging.getLogger("reportkit.tagger")
STATIC = Path(__file__).parent / "static"
UNDO_LIMIT = 500

Handler = Callable[[dict[str, Any]], object]  # the result is ignored


def esm(mode_file: str) -> str:
    """The widget's ES module: the shared functions, then the mode's panel and its ``render``."""
    return (STATIC / "tagger_common.js").read_text("utf-8") + "\n" + (STATIC / mode_file).read_text("utf-8")


def attribution_choices(article: Article) -> tuple[list[str], list[str]]:
    """Source and channel suggestions built from this article's own names (key and metadata).

    Sources: every source the key records, then the newsmaker. Channels: every outlet or
    person in the key's channels, then the upstream outlets and the outlet itself. First
    appearance decides the order; nothing is hard-coded.
    """
    sources: dict[str, None] = {}
    channels: dict[str, None] = {}
    if article.key is not None:
        for entry in article.key:
            if entry.attribution.source:
                sources[entry.attribution.source] = None
            for name in entry.attribution.channel:
                channels[name] = None
    sources[article.newsmaker] = None
    for item in article.upstream:
        if item.get("name"):
            channels[item["name"]] = None
    channels[article.outlet] = None
    return list(sources), list(channels)


class TaggerBase(anywidget.AnyWidget):
    """Rows of an article's sentences with a label each; subclasses say what a label change saves."""

    _css = STATIC / "tagger.css"

    # Sent once: sentences, labels, choices. Everything below it is small and changes often.
    article_data = t.Dict().tag(sync=True)
    answers = t.Dict().tag(sync=True)  # sentence id -> label id
    selected = t.Unicode("").tag(sync=True)
    filter = t.Unicode("all").tag(sync=True)  # all | untagged | unreviewed | <label id>
    feedback = t.Dict().tag(sync=True)  # sentence id -> {"status", "message", "given"}
    cues = t.Dict().tag(sync=True)  # sentence id -> [cue words]
    summary = t.Unicode("").tag(sync=True)
    status = t.Unicode("").tag(sync=True)  # last save or action
    notice = t.Unicode("").tag(sync=True)  # a problem the learner must see (bad answers file)
    can_undo = t.Bool(False).tag(sync=True)

    def _setup_base(self, article: Article, labels: tuple[str, ...]) -> None:
        self.article = article
        self.labels = labels
        self._ids = {s.id for s in article.sentences}
        self._quiet = True  # no saving while the initial state is being set
        self._sender: str | None = None  # the browser session of the message being handled

    def _start(self) -> None:
        self._quiet = False
        self.on_msg(self._on_msg)

    @property
    def handlers(self) -> dict[str, Handler]:
        """Message type -> handler; subclasses extend it."""
        return {"dismiss": lambda _m: self._dismiss(), "hello": lambda _m: None, "refresh": lambda _m: None}

    def _dismiss(self) -> None:
        self.notice = ""

    # ------------------------------------------------------------------ messages

    def _handle_msg(self, msg: dict[str, Any]) -> None:
        # Which browser sent this (a reload gets a new session): the learner's Tagger uses it to
        # tell whether that page can still update the answers copy inside the notebook.
        self._sender = (msg.get("header") or {}).get("session")
        super()._handle_msg(msg)

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """One message per action (so one undo step each); every message with a ``seq`` is acknowledged."""
        if not isinstance(content, dict):
            return
        started = time.perf_counter()
        handler = self.handlers.get(str(content.get("type")))
        error, failed = "", False
        try:
            if handler is None:
                raise ValueError(f"unknown message {content.get('type')!r}")
            with self.hold_sync():  # every trait the action changes goes in one message, before the ack
                handler(content)
        except OSError as exc:  # the disk refused the write: the change is not saved
            error, failed = str(exc), True
        except (KeyError, ValueError, TypeError) as exc:  # the change was refused: nothing to save
            error = self._refuse(content, exc)
        if "seq" in content:
            # kernel_ms: the kernel's own share of the round trip (bench_tagger.py prints it apart).
            self.send({"type": "ack", "seq": content["seq"], "view": content.get("view"), "error": error,
                       "failed": failed, "kernel_ms": round((time.perf_counter() - started) * 1000, 2),
                       **self._ack_fields()})

    def _refuse(self, content: dict[str, Any], exc: BaseException) -> str:
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        self.status = f"Ignored: {message}"
        return message

    def _ack_fields(self) -> dict[str, Any]:
        return {}

    # ------------------------------------------------------------------ shared views

    def _article_data(self, sources: list[str], channels: list[str], file: str) -> dict[str, Any]:
        codebook = self.article.codebook
        return {
            "id": self.article.id,
            "title": self.article.title,
            "sentences": [
                {"id": s.id, "p": s.paragraph, "text": s.text, "continues": s.continues}
                for s in self.article.sentences
            ],
            "labels": [
                {"id": lab.id, "name": lab.name, "color": lab.color, "shortcut": lab.shortcut,
                 "question": lab.question}
                for lab in (codebook.label(i) for i in self.labels)
            ],
            "sources": sources,
            "channels": channels,
            "file": file,
        }

    def counts(self) -> dict[str, int]:
        """How many sentences carry each allowed label."""
        counts = dict.fromkeys(self.labels, 0)
        for label in self.answers.values():
            counts[label] = counts.get(label, 0) + 1
        return counts
