"""The sentence-tagging widget: read the article, give each sentence a codebook label, check.

``Tagger("<article-id>")`` as the last line of a cell shows the widget and, next to it, a
small output that carries the answers inside the notebook (see :mod:`reportkit.answers`).
Every change is saved at once to ``<exercise>.answers.json`` in the working directory, and a
new Tagger for the same article and exercise restores from that file.

The browser side is ``static/tagger.js``; the synced traits are kept small and the article
itself is sent once (``article_data``).
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from reportkit.answers import (
    ANSWERS_MIME,
    AnswersFile,
    answers_path,
    check_exercise_name,
    load_answers,
    save_answers,
)
from reportkit.article import Article, load_article
from reportkit.feedback import WRONG, Verdict, judge_label

log = logging.getLogger("reportkit.tagger")
_STATIC = Path(__file__).parent / "static"
_UNDO_LIMIT = 500


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


class Tagger(anywidget.AnyWidget):
    """Tag each sentence of an article with a codebook label; answers persist beside the notebook.

    Parameters: ``article`` (id or loaded Article), ``labels`` (None for all codebook labels,
    or the ids this exercise allows), ``exercise`` (names the answers file), ``attribution``
    (also ask for each sentence's source and channel), ``answers_dir`` (default: cwd).
    """

    _esm = _STATIC / "tagger.js"
    _css = _STATIC / "tagger.css"

    # Sent once: sentences, labels, choices. Everything below it is small and changes often.
    article_data = t.Dict().tag(sync=True)
    answers = t.Dict().tag(sync=True)  # sentence id -> label id
    attributions = t.Dict().tag(sync=True)  # sentence id -> {"source": str|None, "channel": [str]}
    selected = t.Unicode("").tag(sync=True)
    filter = t.Unicode("all").tag(sync=True)  # all | untagged | <label id>
    feedback = t.Dict().tag(sync=True)  # sentence id -> {"status", "message", "given"}
    cues = t.Dict().tag(sync=True)  # sentence id -> [cue words], revealed by Check only
    summary = t.Unicode("").tag(sync=True)
    status = t.Unicode("").tag(sync=True)  # last save or action
    notice = t.Unicode("").tag(sync=True)  # a problem the learner must see (bad answers file)
    can_undo = t.Bool(False).tag(sync=True)

    def __init__(
        self,
        article: str | Article,
        labels: list[str] | tuple[str, ...] | None = None,
        exercise: str = "tag-all",
        attribution: bool = False,
        answers_dir: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(article, str):
            # A learner bundle may ship without the key: tagging still works, Check does not.
            article = load_article(article, require_key=False)
        self.article: Article = article
        self.exercise = check_exercise_name(exercise)
        codebook = article.codebook
        allowed = list(codebook.label_ids) if labels is None else list(labels)
        for label in allowed:
            codebook.label(label)  # raises KeyError naming the valid labels
        if not allowed:
            raise ValueError("labels must name at least one codebook label")
        self.labels: tuple[str, ...] = tuple(allowed)
        self.attribution_mode = bool(attribution)
        self.path = answers_path(exercise, answers_dir)
        self._ids = {s.id for s in article.sentences}
        self._undo: list[tuple[dict[str, str], dict[str, dict]]] = []
        self._wrong_checks: dict[str, int] = {}
        self._quiet = True  # no saving while the initial state is being set
        self._display_id = f"reportkit-answers-{uuid.uuid4().hex}"
        self._displayed = False

        saved, problem = load_answers(self.path, article, exercise, move_bad=True)
        restored = self._clean_labels(saved.labels)
        restored_attr = self._clean_attributions(saved.attribution)
        notice = ""
        if problem:
            log.warning(problem)
            notice = problem
        ignored = len(saved.labels) - len(restored)
        if ignored:
            notice = (notice + " " if notice else "") + (
                f"{ignored} saved answer(s) were ignored: unknown sentence or a label this exercise "
                "does not use."
            )
        sources, channels = attribution_choices(article) if attribution else ([], [])
        super().__init__(
            article_data=self._article_data(sources, channels),
            answers=restored,
            attributions=restored_attr,
            notice=notice,
            status=f"Restored {len(restored)} answer(s) from {self.path.name}." if restored else "",
            **kwargs,
        )
        self._quiet = False
        self.on_msg(self._on_msg)

    # ------------------------------------------------------------------ public API

    def set_label(self, sentence_id: str, label: str | None) -> None:
        """Tag one sentence (``None`` clears it), exactly as a click in the widget does."""
        self.article.sentence(sentence_id)  # KeyError for an unknown id
        if label is not None and label not in self.labels:
            raise ValueError(f"{label!r} is not a label of this exercise ({', '.join(self.labels)})")
        new = dict(self.answers)
        if label is None:
            new.pop(sentence_id, None)
        else:
            new[sentence_id] = label
        self.answers = new

    def clear(self, sentence_id: str) -> None:
        """Remove one answer."""
        self.set_label(sentence_id, None)

    def set_attribution(
        self, sentence_id: str, source: str | None = None, channel: list[str] | tuple[str, ...] = ()
    ) -> None:
        """Record who the sentence's source is and the chain of outlets that carried it."""
        self.article.sentence(sentence_id)
        new = dict(self.attributions)
        value = self._clean_attributions({sentence_id: {"source": source, "channel": list(channel)}})
        if value[sentence_id]["source"] is None and not value[sentence_id]["channel"]:
            new.pop(sentence_id, None)
        else:
            new.update(value)
        self.attributions = new

    def undo(self) -> bool:
        """Undo the last change to the answers; False if there is nothing to undo."""
        if not self._undo:
            self.status = "Nothing to undo."
            return False
        answers, attributions = self._undo.pop()
        self._quiet = True
        try:
            with self.hold_sync():
                self.answers = answers
                self.attributions = attributions
        finally:
            self._quiet = False
        self._after_change(pushed=False)
        return True

    def check(self) -> list[Verdict]:
        """Judge every sentence against the key; the widget shows the tagged ones.

        Returns one Verdict per sentence in article order (untagged ones are 'missing').
        A wrong label gets the deciding codebook rule; the key's answer is revealed only
        after the second wrong check of that sentence.
        """
        key = self.article.key
        if key is None:
            self.status = "This copy of the article has no answer key: Check is not available."
            return []
        codebook = self.article.codebook
        verdicts: list[Verdict] = []
        feedback: dict[str, dict[str, str]] = {}
        cues = dict(self.cues)
        for sentence in self.article.sentences:
            entry = key.entries.get(sentence.id)
            if entry is None:
                continue
            given = self.answers.get(sentence.id)
            if given is None:
                verdicts.append(judge_label(entry, None, codebook))
                continue
            earlier_wrong = self._wrong_checks.get(sentence.id, 0)
            verdict = judge_label(entry, given, codebook, reveal=earlier_wrong >= 1)
            if verdict.status == WRONG:
                self._wrong_checks[sentence.id] = earlier_wrong + 1
            verdicts.append(verdict)
            feedback[sentence.id] = {"status": verdict.status, "message": verdict.message, "given": given}
            if entry.attribution.cue:
                cues[sentence.id] = [entry.attribution.cue]
        with self.hold_sync():
            self.feedback = feedback
            self.cues = cues
            self.summary = self._summary(verdicts)
            self.status = "Checked."
        return verdicts

    @property
    def progress(self) -> str:
        """'3 of 40 tagged', as the widget shows it."""
        return f"{len(self.answers)} of {len(self.article.sentences)} tagged"

    def counts(self) -> dict[str, int]:
        """How many sentences carry each allowed label."""
        counts = dict.fromkeys(self.labels, 0)
        for label in self.answers.values():
            counts[label] = counts.get(label, 0) + 1
        return counts

    def answers_document(self) -> AnswersFile:
        """What is saved: the file's content and the notebook output's."""
        return AnswersFile(
            article=self.article.id, seed_sha256=self.article.seed_sha256, exercise=self.exercise,
            labels=dict(self.answers), attribution={k: dict(v) for k, v in self.attributions.items()},
        )

    def __repr__(self) -> str:
        # Widgets' default repr dumps every trait, including the whole article.
        return f"Tagger({self.article.id!r}, exercise={self.exercise!r}: {self.progress})"

    # ------------------------------------------------------------------ display

    def _answers_bundle(self, document: AnswersFile | None = None) -> dict[str, Any]:
        document = document or self.answers_document()
        return {
            ANSWERS_MIME: document.to_dict(),
            "text/plain": document.summary(len(self.article.sentences))
            + f" (kept in this notebook and in {self.path.name})",
        }

    def _ipython_display_(self) -> None:
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        # anywidget returns (data, metadata); ipywidgets returns data alone.
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        display(data, metadata=metadata or None, raw=True)
        # A second output, updated in place on every change, carries the answers into the .ipynb.
        display(self._answers_bundle(), raw=True, display_id=self._display_id)
        self._displayed = True

    # ------------------------------------------------------------------ internals

    def _article_data(self, sources: list[str], channels: list[str]) -> dict[str, Any]:
        codebook = self.article.codebook
        return {
            "id": self.article.id,
            "title": self.article.title,
            "exercise": self.exercise,
            "sentences": [
                {"id": s.id, "p": s.paragraph, "text": s.text, "continues": s.continues}
                for s in self.article.sentences
            ],
            "labels": [
                {"id": lab.id, "name": lab.name, "color": lab.color, "shortcut": lab.shortcut,
                 "question": lab.question}
                for lab in (codebook.label(i) for i in self.labels)
            ],
            "attribution": self.attribution_mode,
            "sources": sources,
            "channels": channels,
            "has_key": self.article.key is not None,
            "file": self.path.name,
        }

    def _clean_labels(self, value: dict[str, Any]) -> dict[str, str]:
        allowed = set(self.labels)
        # Article order keeps the saved file stable and easy to read.
        return {s.id: value[s.id] for s in self.article.sentences if value.get(s.id) in allowed}

    def _clean_attributions(self, value: dict[str, Any]) -> dict[str, dict[str, Any]]:
        clean: dict[str, dict[str, Any]] = {}
        for sid, item in value.items():
            if sid not in self._ids or not isinstance(item, dict):
                continue
            source = item.get("source")
            source = source.strip() if isinstance(source, str) and source.strip() else None
            channel = item.get("channel") or []
            channel = [c.strip() for c in channel if isinstance(c, str) and c.strip()]
            clean[sid] = {"source": source, "channel": channel}
        return clean

    @t.validate("answers")
    def _validate_answers(self, proposal: Any) -> dict[str, str]:
        return self._clean_labels(proposal["value"])

    @t.validate("attributions")
    def _validate_attributions(self, proposal: Any) -> dict[str, dict[str, Any]]:
        return self._clean_attributions(proposal["value"])

    @t.observe("answers", "attributions")
    def _on_answers(self, change: Any) -> None:
        if self._quiet or change["old"] == change["new"]:
            return
        if change["name"] == "answers":
            before = (dict(change["old"]), dict(self.attributions))
        else:
            before = (dict(self.answers), dict(change["old"]))
        self._undo.append(before)
        del self._undo[:-_UNDO_LIMIT]
        self._after_change(pushed=True)

    def _after_change(self, pushed: bool) -> None:
        # Feedback for a sentence whose label changed no longer applies.
        stale = [sid for sid, fb in self.feedback.items() if self.answers.get(sid) != fb.get("given")]
        document = self.answers_document()
        try:
            save_answers(self.path, document)
            status = f"Saved to {self.path.name} at {document.updated[11:19]} UTC."
        except OSError as exc:
            status = f"Could not save {self.path.name}: {exc}. Your tags are only in this session."
            log.warning(status)
        with self.hold_sync():
            if stale:
                self.feedback = {k: v for k, v in self.feedback.items() if k not in stale}
            self.can_undo = bool(self._undo)
            self.status = status
        if self._displayed:
            from IPython.display import update_display

            update_display(self._answers_bundle(document), raw=True, display_id=self._display_id)

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """Messages from tagger.js: one message per learner action, so one undo step each."""
        kind = content.get("type") if isinstance(content, dict) else None
        try:
            if kind == "set":
                self.set_label(content["id"], content.get("label"))
            elif kind == "attribution":
                self.set_attribution(content["id"], content.get("source"), content.get("channel") or ())
            elif kind in ("source", "channel_add", "channel_remove"):
                sid = content["id"]
                current = self.attributions.get(sid, {"source": None, "channel": []})
                source, channel = current["source"], list(current["channel"])
                if kind == "source":
                    source = content.get("source")
                elif kind == "channel_add":
                    channel.append(str(content["name"]))
                elif 0 <= int(content["index"]) < len(channel):
                    del channel[int(content["index"])]
                self.set_attribution(sid, source, channel)
        except (KeyError, ValueError) as exc:
            self.status = f"Ignored: {exc}"
        if kind == "check":
            self.check()
        elif kind == "undo":
            self.undo()
        elif kind == "dismiss":
            self.notice = ""

    def _summary(self, verdicts: list[Verdict]) -> str:
        key = self.article.key
        assert key is not None
        ok = {v.sentence for v in verdicts if v.ok}
        parts = []
        for label in self.labels:
            ids = key.with_label(label)
            if ids:
                parts.append(f"{label} {sum(1 for i in ids if i in ok)}/{len(ids)}")
        tagged = [v for v in verdicts if v.status != "missing"]
        tally = {s: sum(1 for v in tagged if v.status == s) for s in ("correct", "accepted", "wrong")}
        return (
            f"{tally['correct']} right, {tally['accepted']} accepted, {tally['wrong']} to reconsider "
            f"of {len(tagged)} tagged. By key label: " + ", ".join(parts) + "."
        )
