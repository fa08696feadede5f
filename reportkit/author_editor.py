"""The instructor's key editor (author mode): edit an article's key.json sentence by sentence.

``Tagger("<article-id>", author=True)`` (or ``AuthorEditor("<article-id>")``) shows the rows
starting from the key's labels, each with its review state, and a panel under the selected
sentence that edits the entry's rationale, rules, accepted alternatives and attribution. Every
change goes to ``data/<id>/key.json`` at once through :mod:`reportkit.authoring` (which holds
every check); no answers file is written.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

import traitlets as t

from reportkit import authoring
from reportkit.article import Article, load_article
from reportkit.tagger_base import UNDO_LIMIT, Handler, TaggerBase, attribution_choices, esm, log


class AuthorEditor(TaggerBase):
    """Author mode: :meth:`set_label`, :meth:`edit`, :meth:`confirm` and :meth:`undo` write key.json at once."""

    _esm = esm("tagger_author.js")

    review = t.Dict().tag(sync=True)  # sentence id -> "reviewed" | "proposed" (baseline's, untouched) | "edited"
    entry = t.Dict().tag(sync=True)  # the selected sentence's key entry, for the panel (+ "error")

    def __init__(self, article: str | Article, labels: list[str] | tuple[str, ...] | None = None,
                 **kwargs: Any) -> None:
        if isinstance(article, str):
            # The baseline's proposals are unreviewed: that is what author mode is for.
            article = load_article(article, require_reviewed=False)
        if article.key is None:
            raise ValueError(f"author mode edits the key, and {article.id!r} has no key.json here")
        codebook = article.codebook
        if labels is not None and list(labels) != list(codebook.label_ids):
            raise ValueError("author mode works with every codebook label; leave out labels=")
        self._setup_base(article, tuple(codebook.label_ids))
        self.author = True
        self._key_undo: list[dict[str, Any]] = []  # earlier states of one entry each
        self._entries: dict[str, dict[str, Any]] = {}  # key.json's entries, article order
        self._baseline: dict[str, dict[str, str]] = {}  # sentence id -> {label, reason}
        self.path = article.data_dir / "key.json"
        super().__init__(**self._author_state(), **kwargs)
        self._start()

    @property
    def handlers(self) -> dict[str, Handler]:
        return {
            **super().handlers,
            "set": lambda m: self.set_label(m["id"], m.get("label")),
            "draft": lambda m: self.edit(m["id"], **_message_fields(m.get("fields"))),
            "source": self._attribution_message,
            "channel_add": self._attribution_message,
            "channel_remove": self._attribution_message,
            "confirm": self._confirm_message,
            "undo": lambda _m: self.undo(),
            "check": lambda _m: self.check(),
        }

    # ------------------------------------------------------------------ public API

    def set_label(self, sentence_id: str, label: str | None) -> None:
        """Change the key's label (saved at once, unreviewed until confirmed); an entry cannot be cleared."""
        self.article.sentence(sentence_id)  # KeyError for an unknown id
        if label is None:
            raise ValueError(f"{sentence_id}: a key entry always has a label; pick another one instead")
        self.edit(sentence_id, label=label)

    def set_attribution(
        self, sentence_id: str, source: str | None = None, channel: list[str] | tuple[str, ...] = ()
    ) -> None:
        """Record the entry's source and channel."""
        self.article.sentence(sentence_id)
        self.edit(sentence_id, attribution={"source": source, "channel": list(channel)})

    def undo(self) -> bool:
        """Undo the last change to the key; False if there is nothing to undo."""
        return self._undo_key()

    def check(self) -> list[Any]:
        self.status = "Author mode edits the key itself: Check is for learners."
        return []

    @property
    def progress(self) -> str:
        """'3 of 40 reviewed', as the widget shows it."""
        done = sum(1 for e in self._entries.values() if e.get("reviewed", True))
        return f"{done} of {len(self.article.sentences)} reviewed"

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
        self.article.sentence(sentence_id)
        given = (("label", label), ("rationale", rationale), ("rules", rules), ("accepted", accepted),
                 ("attribution", attribution))
        fields: dict[str, Any] = {name: value for name, value in given if value is not None}
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
        self.article.sentence(sentence_id)
        return copy.deepcopy(self._entries[sentence_id])

    @property
    def unreviewed(self) -> list[str]:
        """Author mode: ids of the entries still to review, in reading order."""
        return [sid for sid, e in self._entries.items() if not e.get("reviewed", True)]

    def __repr__(self) -> str:
        # Widgets' default repr dumps every trait, including the whole article.
        return f"Tagger({self.article.id!r}, author=True: {self.progress})"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        display(data, metadata=metadata or None, raw=True)  # the key is the record: no answers copy

    # ------------------------------------------------------------------ messages

    def _attribution_message(self, content: dict[str, Any]) -> None:
        kind = content["type"]
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

    def _confirm_message(self, content: dict[str, Any]) -> None:
        self.confirm(content["id"], **_message_fields(content.get("fields")))
        if content.get("advance"):
            following = self._next_unreviewed(content["id"])
            if following:
                self.selected = following

    def _refuse(self, content: dict[str, Any], exc: BaseException) -> str:
        self._refused(content.get("id"), exc, "Not confirmed" if content.get("type") == "confirm" else "Not saved")
        return self.status

    # ------------------------------------------------------------------ internals
    def _author_state(self) -> dict[str, Any]:
        """The initial traits: everything from key.json on disk (the last saved state)."""
        document = json.loads(self.path.read_text("utf-8"))
        by_id = {e["id"]: e for e in document["entries"]}
        self._entries = {s.id: by_id[s.id] for s in self.article.sentences}
        self._baseline = self._baseline_proposals()
        codebook = self.article.codebook
        sources, channels = attribution_choices(self.article)
        data = self._article_data(sources, channels, self._key_file)
        data.update(
            author=True,
            has_key=False,  # no Check: this is the key
            attribution=True,
            exercise=None,
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
                f"kit's folder, review the figures ledger with  python -m reportkit figures {self.article.id}  and "
                f"run  python -m reportkit validate {self.article.id}  to check the whole key before learners use it.")

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
            del self._key_undo[:-UNDO_LIMIT]
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
        self.entry = self._entry_view(change["new"]) if change["new"] in self._entries else {}

    def _next_unreviewed(self, after: str) -> str | None:
        order = list(self._entries)
        start = order.index(after) + 1 if after in self._entries else 0
        for sid in order[start:] + order[:start]:
            if not self._entries[sid].get("reviewed", True):
                return sid
        return None


    @t.observe("answers")
    def _on_answers(self, change: Any) -> None:
        if not self._quiet and change["old"] != change["new"]:
            self._labels_from_frontend(change["old"], change["new"])


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

