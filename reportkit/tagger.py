"""The sentence-tagging widget: read the article, give each sentence a codebook label, check.

``Tagger("<article-id>")`` as the last line of a cell shows the widget and, next to it, a
small output that carries the answers inside the notebook (see :mod:`reportkit.answers`).
Every change is saved at once to ``<exercise>.answers.json`` in the working directory, and a
new Tagger for the same article and exercise restores from that file.

``Tagger("<article-id>", author=True)`` is the instructor's **author mode**: the rows start from
the key's labels, each shows whether it is reviewed, and a panel under the selected sentence
edits the entry's rationale, rules, accepted alternatives and attribution. Every change goes to
``data/<id>/key.json`` at once through :mod:`reportkit.authoring` (which holds every check);
no answers file is written.

The browser side is ``static/tagger.js``; the synced traits are kept small and the article
itself is sent once (``article_data``).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from reportkit import authoring
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

    ``author=True`` edits the article's key instead (see the module docstring and
    docs/tagger.md, "Author mode"): :meth:`set_label`, :meth:`edit`, :meth:`confirm` and
    :meth:`undo` write ``data/<id>/key.json`` at once; ``labels``, ``exercise``, ``attribution``
    and ``answers_dir`` do not apply.
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
    # Author mode only (empty for learners):
    review = t.Dict().tag(sync=True)  # sentence id -> "reviewed" | "proposed" (baseline's, untouched) | "edited"
    entry = t.Dict().tag(sync=True)  # the selected sentence's key entry, for the panel (+ "error")

    def __init__(
        self,
        article: str | Article,
        labels: list[str] | tuple[str, ...] | None = None,
        exercise: str = "tag-all",
        attribution: bool = False,
        answers_dir: str | os.PathLike[str] | None = None,
        *,
        author: bool = False,
        **kwargs: Any,
    ) -> None:
        self.author = bool(author)
        if isinstance(article, str):
            if self.author:
                # The baseline's proposals are unreviewed: that is what author mode is for.
                article = load_article(article, require_reviewed=False)
            else:
                # A learner bundle may ship without the key: tagging still works, Check does not.
                article = load_article(article, require_key=False)
        self.article: Article = article
        self.exercise = check_exercise_name(exercise)
        codebook = article.codebook
        if self.author:
            if article.key is None:
                raise ValueError(f"author mode edits the key, and {article.id!r} has no key.json here")
            if labels is not None and list(labels) != list(codebook.label_ids):
                raise ValueError("author mode works with every codebook label; leave out labels=")
        allowed = list(codebook.label_ids) if labels is None else list(labels)
        for label in allowed:
            codebook.label(label)  # raises KeyError naming the valid labels
        if not allowed:
            raise ValueError("labels must name at least one codebook label")
        self.labels: tuple[str, ...] = tuple(allowed)
        self.attribution_mode = bool(attribution) or self.author
        self._ids = {s.id for s in article.sentences}
        self._undo: list[tuple[dict[str, str], dict[str, dict]]] = []
        self._key_undo: list[dict[str, Any]] = []  # author mode: earlier states of one entry each
        self._entries: dict[str, dict[str, Any]] = {}  # author mode: key.json's entries, article order
        self._baseline: dict[str, dict[str, str]] = {}  # author mode: sentence id -> {label, reason}
        self._wrong_checks: dict[str, int] = {}
        self._quiet = True  # no saving while the initial state is being set
        self._display_id = f"reportkit-answers-{uuid.uuid4().hex}"
        self._displayed = False
        if self.author:
            self.path = article.data_dir / "key.json"
            super().__init__(**self._author_state(), **kwargs)
            self._quiet = False
            self.on_msg(self._on_msg)
            return

        self.path = answers_path(exercise, answers_dir)
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
        """Tag one sentence (``None`` clears it), exactly as a click in the widget does.

        In author mode this changes the key's label (saved at once, unreviewed until confirmed);
        a key entry cannot be cleared.
        """
        self.article.sentence(sentence_id)  # KeyError for an unknown id
        if self.author:
            if label is None:
                raise ValueError(f"{sentence_id}: a key entry always has a label; pick another one instead")
            self.edit(sentence_id, label=label)
            return
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
        if self.author:
            self.edit(sentence_id, attribution={"source": source, "channel": list(channel)})
            return
        new = dict(self.attributions)
        value = self._clean_attributions({sentence_id: {"source": source, "channel": list(channel)}})
        if value[sentence_id]["source"] is None and not value[sentence_id]["channel"]:
            new.pop(sentence_id, None)
        else:
            new.update(value)
        self.attributions = new

    def undo(self) -> bool:
        """Undo the last change to the answers (the key in author mode); False if there is nothing to undo."""
        if self.author:
            return self._undo_key()
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
        if self.author:
            self.status = "Author mode edits the key itself: Check is for learners."
            return []
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
        """'3 of 40 tagged' ('3 of 40 reviewed' in author mode), as the widget shows it."""
        if self.author:
            done = sum(1 for e in self._entries.values() if e.get("reviewed", True))
            return f"{done} of {len(self.article.sentences)} reviewed"
        return f"{len(self.answers)} of {len(self.article.sentences)} tagged"

    def counts(self) -> dict[str, int]:
        """How many sentences carry each allowed label."""
        counts = dict.fromkeys(self.labels, 0)
        for label in self.answers.values():
            counts[label] = counts.get(label, 0) + 1
        return counts

    # ------------------------------------------------------------------ author mode: public API

    def edit(
        self,
        sentence_id: str,
        *,
        label: str | None = None,
        rationale: str | None = None,
        rules: list[str] | tuple[str, ...] | None = None,
        accepted: list[dict[str, str]] | None = None,
        attribution: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Author mode: change fields of one key entry without confirming it; saved at once.

        Only the fields given change (``attribution`` is merged into the entry's). Any real
        change leaves the entry unreviewed, a reviewed one included. Checks live in
        :func:`reportkit.authoring.save_draft`; a refused change raises ValueError/KeyError and
        changes nothing. Returns the entry as saved.
        """
        self._require_author()
        self.article.sentence(sentence_id)
        fields = {name: value for name, value in (("label", label), ("rationale", rationale), ("rules", rules),
                  ("accepted", accepted), ("attribution", attribution)) if value is not None}
        if "rules" in fields:
            fields["rules"] = list(fields["rules"])
        before = copy.deepcopy(self._entries[sentence_id])
        after = authoring.save_draft(self.article.id, sentence_id, root=self.article.root, **fields)
        self._applied(sentence_id, before, after, self._edit_status(sentence_id, before, after))
        return copy.deepcopy(after)

    def confirm(
        self,
        sentence_id: str,
        *,
        label: str | None = None,
        rationale: str | None = None,
        rules: list[str] | tuple[str, ...] | None = None,
        accepted: list[dict[str, str]] | None = None,
        attribution: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Author mode: mark one entry reviewed, with the given fields or the ones it has.

        Calls :func:`reportkit.authoring.review_entry`, which refuses an empty rationale or the
        baseline's placeholder, no rule or an unknown one, an accepted alternative without a
        note, a cue that is not in the sentence (ValueError/KeyError; nothing is written).
        """
        self._require_author()
        self.article.sentence(sentence_id)
        before = copy.deepcopy(self._entries[sentence_id])
        after = authoring.review_entry(
            self.article.id, sentence_id,
            label=label if label is not None else before["label"],
            rationale=rationale if rationale is not None else before["rationale"],
            rules=list(rules) if rules is not None else list(before["rules"]),
            accepted=accepted, attribution=attribution, root=self.article.root,
        )
        left = sum(1 for e in self._entries.values() if not e.get("reviewed", True) and e["id"] != sentence_id)
        status = f"Confirmed {sentence_id} as {after['label']} ({self._saved_at()}); " + (
            f"{left} left to review." if left else "every sentence is reviewed.")
        self._applied(sentence_id, before, after, status)
        return copy.deepcopy(after)

    def key_entry(self, sentence_id: str) -> dict[str, Any]:
        """Author mode: one key entry as saved in key.json (a copy)."""
        self._require_author()
        self.article.sentence(sentence_id)
        return copy.deepcopy(self._entries[sentence_id])

    @property
    def unreviewed(self) -> list[str]:
        """Author mode: ids of the entries still to review, in reading order."""
        return [sid for sid, e in self._entries.items() if not e.get("reviewed", True)]

    def answers_document(self) -> AnswersFile:
        """What is saved: the file's content and the notebook output's."""
        return AnswersFile(
            article=self.article.id, seed_sha256=self.article.seed_sha256, exercise=self.exercise,
            labels=dict(self.answers), attribution={k: dict(v) for k, v in self.attributions.items()},
        )

    def __repr__(self) -> str:
        # Widgets' default repr dumps every trait, including the whole article.
        if self.author:
            return f"Tagger({self.article.id!r}, author=True: {self.progress})"
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
        if self.author:
            return  # the key is the record; there are no answers to carry
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
        if self.author:
            if change["name"] == "answers":
                self._labels_from_frontend(change["old"], change["new"])
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
        if self.author:
            self._on_author_msg(kind, content if isinstance(content, dict) else {})
            return
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

    # ------------------------------------------------------------------ author mode: internals

    def _require_author(self) -> None:
        if not self.author:
            raise RuntimeError("only in author mode: Tagger(article_id, author=True)")

    def _author_state(self) -> dict[str, Any]:
        """The initial traits: everything from key.json on disk (the last saved state)."""
        document = json.loads(self.path.read_text("utf-8"))
        by_id = {e["id"]: e for e in document["entries"]}
        self._entries = {s.id: by_id[s.id] for s in self.article.sentences}
        self._baseline = self._baseline_proposals()
        codebook = self.article.codebook
        sources, channels = attribution_choices(self.article)
        data = self._article_data(sources, channels)
        data.update(
            author=True,
            has_key=False,  # no Check: this is the key
            file=self._key_file,
            validate=f"python -m reportkit validate {self.article.id}",
            rules=[{"id": r.id, "label": r.label, "title": r.title, "text": r.text} for r in codebook.rules],
            source_types=authoring.source_types(),
            cue_stances=[{"id": k, "text": v} for k, v in authoring.cue_stances(self.article.root).items()],
            baseline=self._baseline,
        )
        left = len(self.unreviewed)
        return {
            "article_data": data,
            "answers": {sid: e["label"] for sid, e in self._entries.items()},
            "review": self._review_states(),
            "cues": self._key_cues(),
            "summary": self._done_message(),
            "status": f"Author mode: {self.progress}, {left} to go. Every change is saved to {self._key_file} "
                      "at once.",
        }

    def _baseline_proposals(self) -> dict[str, dict[str, str]]:
        """What the baseline proposed, for the rows still carrying its placeholder rationale.

        The file keeps the reason, not the label; the baseline is rerun (it is deterministic)
        and its label kept where its reason still matches the file's.
        """
        from reportkit.baseline import propose_article

        proposals = {p.id: p for p in propose_article(self.article)}
        found: dict[str, dict[str, str]] = {}
        for sid, e in self._entries.items():
            reason = authoring.baseline_reason(e["rationale"])
            if reason is not None:
                proposal = proposals.get(sid)
                label = proposal.label if proposal is not None and proposal.reason == reason else ""
                found[sid] = {"label": label, "reason": reason}
        return found

    @property
    def _key_file(self) -> str:
        return f"data/{self.article.id}/key.json"

    def _review_states(self) -> dict[str, str]:
        def state(e: dict[str, Any]) -> str:
            if e.get("reviewed", True):
                return "reviewed"
            proposal = self._baseline.get(e["id"])
            untouched = proposal is not None and proposal["label"] in ("", e["label"]) and not e["rules"]
            return "proposed" if untouched and authoring.is_placeholder(e["rationale"]) else "edited"

        return {sid: state(e) for sid, e in self._entries.items()}

    def _key_cues(self) -> dict[str, list[str]]:
        return {sid: [e["attribution"]["cue"]] for sid, e in self._entries.items() if e["attribution"].get("cue")}

    def _done_message(self) -> str:
        if self.unreviewed:
            return ""
        n = len(self._entries)
        return (f"All {n} sentences are reviewed and saved in {self._key_file}. Next step: in a terminal in the "
                f"kit's folder, run  python -m reportkit validate {self.article.id}  to check the whole key "
                "before learners use it.")

    def _entry_view(self, sentence_id: str, error: str = "") -> dict[str, Any]:
        """What the panel shows for one sentence: the saved entry, suggestions where it has none."""
        if sentence_id not in self._entries:
            return {}
        e = self._entries[sentence_id]
        placeholder = authoring.is_placeholder(e["rationale"])
        suggested_rationale, suggested_rules = "", []
        if placeholder or not e["rules"]:
            order = list(self._entries)
            i = order.index(sentence_id)
            previous = self._entries[order[i - 1]]["label"] if i else None
            rationale, rules = authoring.suggest_review(e, self.article.sentence(sentence_id).text, previous)
            known = {r.id for r in self.article.codebook.rules}
            suggested_rationale = rationale if placeholder else ""
            suggested_rules = [] if e["rules"] else [r for r in rules if r in known]
        return {
            "id": sentence_id,
            "label": e["label"],
            "reviewed": bool(e.get("reviewed", True)),
            "rationale": "" if placeholder else e["rationale"],
            "placeholder": placeholder,
            "rules": list(e["rules"]),
            "accepted": [dict(a) for a in e["accepted"]],
            "attribution": {name: copy.deepcopy(e["attribution"].get(name))
                            for name in authoring.ATTRIBUTION_FIELDS},
            "suggested": {"rationale": suggested_rationale, "rules": suggested_rules},
            "error": error,
        }

    @staticmethod
    def _saved_at() -> str:
        return f"saved {datetime.now().strftime('%H:%M:%S')}"

    def _edit_status(self, sid: str, before: dict[str, Any], after: dict[str, Any]) -> str:
        if after == before:
            return self.status  # nothing to save (a field left unchanged): keep the last word
        parts = []
        if after["label"] != before["label"]:
            parts.append(f"{sid}: label {before['label']} → {after['label']}")
            dropped = [a["label"] for a in before["accepted"] if a["label"] == after["label"]]
            if dropped:
                parts.append(f"'{dropped[0]}' is the label now, so it is no longer an accepted alternative")
            examples = getattr(self.article, "examples", None) or {}  # article.json's lesson examples
            shown_for = [label for label, example in examples.items() if example == sid]
            if shown_for and after["label"] not in shown_for:
                parts.append(f"note: article.json names {sid} as the example of {shown_for[0]}; change that "
                             "example too, or the article will not load")
        else:
            parts.append(f"{sid}: changes {self._saved_at()} to {self._key_file}")
        if before.get("reviewed", True):
            parts.append("it was reviewed and is unreviewed again until you confirm it (Enter)")
        else:
            parts.append("unreviewed until you confirm it")
        return "; ".join(parts) + "."

    def _applied(self, sid: str, before: dict[str, Any], after: dict[str, Any], status: str) -> None:
        """Bring the traits in line with an entry just written to key.json."""
        if after != before:
            self._key_undo.append(before)
            del self._key_undo[:-_UNDO_LIMIT]
        self._entries[sid] = copy.deepcopy(after)
        self._author_sync(status, sid)

    def _author_sync(self, status: str, sid: str | None = None, error: str = "") -> None:
        with self.hold_sync():
            self._quiet = True
            try:
                self.answers = {s: e["label"] for s, e in self._entries.items()}
            finally:
                self._quiet = False
            self.review = self._review_states()
            self.cues = self._key_cues()
            if self.selected and (sid is None or sid == self.selected):
                self.entry = self._entry_view(self.selected, error)
            self.can_undo = bool(self._key_undo)
            self.summary = self._done_message()
            self.status = status

    def _undo_key(self) -> bool:
        if not self._key_undo:
            self.status = "Nothing to undo."
            return False
        earlier = self._key_undo.pop()
        sid = earlier["id"]
        try:
            restored = authoring.restore_entry(self.article.id, earlier, root=self.article.root)
        except (KeyError, ValueError, OSError) as exc:
            self._key_undo.append(earlier)
            self._refused(sid, exc, "Could not undo")
            return False
        self._entries[sid] = copy.deepcopy(restored)
        state = "reviewed" if restored.get("reviewed", True) else "unreviewed"
        self._author_sync(f"Undone: {sid} is back to {restored['label']}, {state} ({self._saved_at()}).")
        return True

    def _refused(self, sid: Any, exc: BaseException, what: str = "Not saved") -> None:
        """Show why a change was refused, in the panel and the status line; the key is untouched."""
        message = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        message = f"{what}: {message}" + (" Nothing was changed in key.json." if what == "Not saved" else "")
        log.info(message)
        with self.hold_sync():
            if isinstance(sid, str) and sid == self.selected and sid in self._entries:
                self.entry = self._entry_view(sid, message)
            self.status = message

    def _labels_from_frontend(self, old: dict[str, str], new: dict[str, str]) -> None:
        # A frontend that sets `answers` itself (not tagger.js, which sends messages): apply each
        # changed label as an edit, then show what the key really holds.
        for sid, label in new.items():
            if old.get(sid) != label and sid in self._entries:
                try:
                    self.edit(sid, label=label)
                except (KeyError, ValueError, OSError) as exc:
                    self._refused(sid, exc)
        self._author_sync(self.status)

    @t.observe("selected")
    def _on_selected(self, change: Any) -> None:
        if self.author:
            self.entry = self._entry_view(change["new"]) if change["new"] in self._entries else {}

    def _next_unreviewed(self, after: str) -> str | None:
        order = list(self._entries)
        start = order.index(after) + 1 if after in self._entries else 0
        for sid in order[start:] + order[:start]:
            if not self._entries[sid].get("reviewed", True):
                return sid
        return None

    def _on_author_msg(self, kind: Any, content: dict[str, Any]) -> None:
        """Author mode's messages: label keys, panel edits, Confirm (button, Enter), undo."""
        sid = content.get("id")
        try:
            if kind == "set":
                self.set_label(content["id"], content.get("label"))
            elif kind == "draft":
                self.edit(content["id"], **_message_fields(content.get("fields")))
            elif kind in ("source", "channel_add", "channel_remove"):
                current = self.key_entry(content["id"])["attribution"]
                channel = list(current.get("channel") or [])
                if kind == "source":
                    change: dict[str, Any] = {"source": content.get("source")}
                elif kind == "channel_add":
                    change = {"channel": [*channel, str(content["name"])]}
                else:
                    index = int(content["index"])
                    change = {"channel": channel[:index] + channel[index + 1:]} if 0 <= index < len(channel) else {}
                if change:
                    self.edit(content["id"], attribution=change)
            elif kind == "confirm":
                self.confirm(content["id"], **_message_fields(content.get("fields")))
                if content.get("advance"):
                    following = self._next_unreviewed(content["id"])
                    if following:
                        self.selected = following
            elif kind == "undo":
                self.undo()
            elif kind == "dismiss":
                self.notice = ""
        except (KeyError, ValueError, TypeError, OSError) as exc:
            self._refused(sid, exc, "Not confirmed" if kind == "confirm" else "Not saved")


def _message_fields(fields: Any) -> dict[str, Any]:
    """The entry fields a message from tagger.js may carry (anything else is refused by name)."""
    if fields is None:
        return {}
    if not isinstance(fields, dict):
        raise ValueError("fields must be an object")
    allowed = {"label", "rationale", "rules", "accepted", "attribution"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}")
    return dict(fields)
