"""The learner's sentence-tagging widget: read the article, give each sentence a codebook label, check.

``Tagger("<article-id>")`` as the last line of a cell shows the widget and, next to it, a
small output that carries the answers inside the notebook (see :mod:`reportkit.answers`).
Every change is merged into ``<exercise>.answers.json`` in the working directory under a file
lock and acknowledged to the browser with the saved revision; every Tagger on that file in this
kernel shares one state (:mod:`reportkit.answer_store`), so two tabs or two cells agree.

``Tagger("<article-id>", author=True)`` is the instructor's key editor,
:class:`reportkit.author_editor.AuthorEditor`.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import traitlets as t

from reportkit.answer_store import AnswerStore
from reportkit.answers import (
    ANSWERS_MIME,
    AnswersFile,
    answers_in_notebooks,
    answers_path,
    check_exercise_name,
    read_answers_file,
)
from reportkit.article import Article, load_article
from reportkit.feedback import WRONG, Verdict, judge_label
from reportkit.tagger_base import UNDO_LIMIT, Handler, TaggerBase, attribution_choices, esm, log

__all__ = ["Tagger", "attribution_choices"]

Attribution = dict[str, Any]  # {"source": str | None, "channel": [str]}
_NO_ATTRIBUTION: Attribution = {"source": None, "channel": []}


class Tagger(TaggerBase):
    """Tag each sentence of an article with a codebook label; answers persist beside the notebook.

    Parameters: ``article`` (id or loaded Article), ``labels`` (None for all codebook labels,
    or the ids this exercise allows), ``exercise`` (names the answers file), ``attribution``
    (also ask for each sentence's source and channel), ``answers_dir`` (default: cwd, the
    notebook's folder), ``start_from`` (another answers file, e.g. the lesson's, to start from
    when this exercise has none yet). ``author=True`` returns the key editor instead.
    """

    _esm = esm("tagger_learner.js")

    attributions = t.Dict().tag(sync=True)  # sentence id -> {"source": str|None, "channel": [str]}
    recovery = t.Dict().tag(sync=True)  # a restore on offer: {"notebook", "count", "saved_at"}
    revision = t.Int(0).tag(sync=True)  # the revision last saved (file and notebook copy)

    def __new__(cls, *args: Any, author: bool = False, **kwargs: Any) -> Any:
        if author:
            from reportkit.author_editor import AuthorEditor

            return AuthorEditor(*args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(
        self,
        article: str | Article,
        labels: list[str] | tuple[str, ...] | None = None,
        exercise: str = "tag-all",
        attribution: bool = False,
        answers_dir: str | os.PathLike[str] | None = None,
        *,
        author: bool = False,
        start_from: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(article, str):
            # A learner bundle may ship without the key: tagging still works, Check does not.
            article = load_article(article, require_key=False)
        self._setup_base(article, _allowed_labels(article, labels))
        self.author = False
        self.exercise = check_exercise_name(exercise)
        self.attribution_mode = bool(attribution)
        self.path = answers_path(exercise, answers_dir)
        self._undo: list[tuple[str, dict[str, str | None], dict[str, Attribution]]] = []
        self._wrong_checks: dict[str, int] = {}
        self._writer = uuid.uuid4().hex[:12]
        self._display_id = f"reportkit-answers-{uuid.uuid4().hex}"
        self._displayed = False
        self._display_session: str | None = None
        self._recovery_doc: AnswersFile | None = None
        self._recovery_path: Path | None = None
        self._store, fresh = AnswerStore.open(self.path, article, self.exercise)
        started = self._start_from(Path(start_from)) if start_from is not None and fresh else ""
        notice = self._opening_notice(started)
        sources, channels = attribution_choices(article) if attribution else ([], [])
        restored = self._clean_labels(self._store.labels())
        super().__init__(
            article_data=self._learner_data(sources, channels),
            answers=restored,
            attributions=self._clean_attributions(self._store.document.attribution),
            notice=notice,
            recovery=self._recovery_offer(),
            revision=self._store.document.revision,
            status=f"Restored {len(restored)} answer(s) from {self.path.name}." if restored else "",
            **kwargs,
        )
        self._store.attach(self, self._on_store)
        self._start()

    # ------------------------------------------------------------------ public API

    def set_label(self, sentence_id: str, label: str | None) -> None:
        """Tag one sentence (``None`` clears it), exactly as a click in the widget does."""
        self._check_label(sentence_id, label)
        self._apply({sentence_id: label}, {}, sentence_id)

    def clear(self, sentence_id: str) -> None:
        """Remove one answer."""
        self.set_label(sentence_id, None)

    def set_attribution(
        self, sentence_id: str, source: str | None = None, channel: list[str] | tuple[str, ...] = ()
    ) -> None:
        """Record who the sentence's source is and the chain of outlets that carried it."""
        self.article.sentence(sentence_id)
        value = self._clean_attributions({sentence_id: {"source": source, "channel": list(channel)}})
        self._apply({}, {sentence_id: value.get(sentence_id, dict(_NO_ATTRIBUTION))}, sentence_id)

    def undo(self) -> bool:
        """Undo this widget's last change and select its sentence; False if there is nothing to undo."""
        if not self._undo:
            self.status = "Nothing to undo."
            return False
        sid, labels, attributions = self._undo.pop()
        self._apply(labels, attributions, sid, undoable=False)
        self.selected = sid  # undo shows what it undid
        back = labels.get(sid)
        self.status = f"Undone: {sid} is {'back to ' + back if back else 'untagged again'}. " + self.status
        self.can_undo = bool(self._undo)
        return True

    def restore_from_notebook(self) -> int:
        """Take back the tags the notebook's saved copy holds (offered when the file was lost); how many."""
        found = self._recovery_doc
        if found is None:
            raise ValueError("there is nothing to restore: no notebook copy was found when this cell ran")
        source = self.recovery.get("notebook", "the notebook")
        labels = {sid: u for sid, u in found.labels.items() if sid in self._ids}
        self._store.write(labels, found.attribution, writer=self._writer)
        self._recovery_doc = None
        n = len(found.current_labels())
        with self.hold_sync():
            self.recovery = {}
            self.notice = ""
            self.status = f"Restored {n} tag(s) from {source} into {self.path.name}. " + self.status
        return n

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
        verdicts: list[Verdict] = []
        feedback: dict[str, dict[str, str]] = {}
        cues = dict(self.cues)
        for sentence in self.article.sentences:
            entry = key.entries.get(sentence.id)
            if entry is None:
                continue
            verdict = self._judge(entry, self.answers.get(sentence.id))
            verdicts.append(verdict)
            if verdict.status == "missing":
                continue
            feedback[sentence.id] = {"status": verdict.status, "message": verdict.message,
                                     "given": self.answers[sentence.id]}
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

    def answers_document(self) -> AnswersFile:
        """What is saved: the file's content and the notebook output's (one shared document)."""
        return self._store.document

    def __repr__(self) -> str:
        # Widgets' default repr dumps every trait, including the whole article.
        return f"Tagger({self.article.id!r}, exercise={self.exercise!r}: {self.progress})"

    # ------------------------------------------------------------------ display

    def _answers_bundle(self, document: AnswersFile | None = None) -> dict[str, Any]:
        document = document or self.answers_document()
        return {
            ANSWERS_MIME: document.to_dict(),
            "text/plain": document.summary(len(self.article.sentences))
            + f" (revision {document.revision}; kept in this notebook and in {self.path.name})",
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
        self._display_session = _executing_session()

    # ------------------------------------------------------------------ messages

    @property
    def handlers(self) -> dict[str, Handler]:
        return {
            **super().handlers,
            "set": lambda m: self.set_label(m["id"], m.get("label")),
            "attribution": lambda m: self.set_attribution(m["id"], m.get("source"), m.get("channel") or ()),
            "source": self._attribution_message,
            "channel_add": self._attribution_message,
            "channel_remove": self._attribution_message,
            "check": lambda _m: self.check(),
            "undo": lambda _m: self.undo(),
            "restore": lambda _m: self.restore_from_notebook(),
            "refresh": lambda _m: self._store.refresh(),
        }

    def _attribution_message(self, content: dict[str, Any]) -> None:
        sid = content["id"]
        current = self.attributions.get(sid, _NO_ATTRIBUTION)
        source, channel = current["source"], list(current["channel"])
        if content["type"] == "source":
            source = content.get("source")
        elif content["type"] == "channel_add":
            channel.append(str(content["name"]))
        elif 0 <= int(content["index"]) < len(channel):
            del channel[int(content["index"])]
        self.set_attribution(sid, source, channel)

    def _ack_fields(self) -> dict[str, Any]:
        document = self._store.document
        stale = bool(self._displayed and self._display_session and self._sender
                     and self._sender != self._display_session)
        return {"revision": document.revision, "saved_at": document.saved_at, "copy": "stale" if stale else "live"}

    # ------------------------------------------------------------------ changes

    def _check_label(self, sentence_id: str, label: str | None) -> None:
        self.article.sentence(sentence_id)  # KeyError for an unknown id
        if label is not None and label not in self.labels:
            raise ValueError(f"{label!r} is not a label of this exercise ({', '.join(self.labels)})")

    def _apply(self, labels: dict[str, str | None], attributions: dict[str, Attribution], focus: str,
               *, undoable: bool = True) -> None:
        """Save changed units through the shared store; remember what they were for undo."""
        labels = {sid: v for sid, v in labels.items() if self.answers.get(sid) != v}
        attributions = {sid: v for sid, v in attributions.items()
                        if self.attributions.get(sid, _NO_ATTRIBUTION) != v}
        if not labels and not attributions:
            return
        before = ({sid: self.answers.get(sid) for sid in labels},
                  {sid: dict(self.attributions.get(sid, _NO_ATTRIBUTION)) for sid in attributions})
        try:
            self._store.change(labels, attributions, writer=self._writer)
        except OSError as exc:
            self.status = f"Not saved: {self.path.name} could not be written ({exc})."
            log.warning(self.status)
            raise
        if undoable:
            self._undo.append((focus, *before))
            del self._undo[:-UNDO_LIMIT]
            self.can_undo = True

    def _on_store(self, document: AnswersFile) -> None:
        """Every view of this file shows the merged state after any change, its own or another's."""
        labels = self._clean_labels(document.current_labels())
        stale = [sid for sid, fb in self.feedback.items() if labels.get(sid) != fb.get("given")]
        with self.hold_sync():
            self._quiet = True
            try:
                self.answers = labels
                self.attributions = self._clean_attributions(document.attribution)
            finally:
                self._quiet = False
            if stale:
                self.feedback = {k: v for k, v in self.feedback.items() if k not in stale}
            self.revision = document.revision
            self.status = f"Saved to {self.path.name} at {(document.saved_at or '')[11:19]} UTC " \
                          f"(revision {document.revision})."
        if self._displayed:
            from IPython.display import update_display

            update_display(self._answers_bundle(document), raw=True, display_id=self._display_id)

    @t.validate("answers")
    def _validate_answers(self, proposal: Any) -> dict[str, str]:
        return self._clean_labels(proposal["value"])

    @t.validate("attributions")
    def _validate_attributions(self, proposal: Any) -> dict[str, Attribution]:
        return self._clean_attributions(proposal["value"])

    @t.observe("answers", "attributions")
    def _on_answers(self, change: Any) -> None:
        # `tagger.answers = {...}` in a cell (or a frontend setting the trait): one undoable change.
        if self._quiet or change["old"] == change["new"]:
            return
        old, new = change["old"], change["new"]
        diff = {sid: new.get(sid) for sid in set(old) | set(new) if old.get(sid) != new.get(sid)}
        self._quiet = True
        try:
            setattr(self, change["name"], old)  # the store's listener sets the merged state
        finally:
            self._quiet = False
        first = min(diff, key=list(self._ids_in_order()).index)
        if change["name"] == "answers":
            self._apply(diff, {}, first)
        else:
            self._apply({}, {sid: v or dict(_NO_ATTRIBUTION) for sid, v in diff.items()}, first)

    # ------------------------------------------------------------------ opening

    def _start_from(self, other: Path) -> str:
        """Copy another answers file's tags (the lesson's) when this exercise has none yet."""
        if self._store.existed or self._store.labels():
            return ""
        found, problem = read_answers_file(other, self.article.id, self.exercise,
                                           seed_sha256=self.article.seed_sha256)
        if found is None or problem or not found.current_labels():
            return ""
        self._store.write(found.labels, found.attribution, writer=self._writer)
        return f"Started from your {len(found.current_labels())} tag(s) in {other.as_posix()}; " \
               f"from now on they are saved in {self.path.name} beside this notebook."

    def _opening_notice(self, started: str) -> str:
        notice = self._store.problem or ""
        if notice:
            log.warning(notice)
        ignored = len(self._store.labels()) - len(self._clean_labels(self._store.labels()))
        if ignored:
            notice += (" " if notice else "") + (f"{ignored} saved answer(s) were ignored: unknown sentence or a "
                                                 "label this exercise does not use.")
        if not self._store.labels():
            self._recovery_doc = self._find_notebook_copy()
            if self._store.problem and self._recovery_doc is None:
                notice += " Starting with no answers."
        return " ".join(part for part in (started, notice) if part)

    def _find_notebook_copy(self) -> AnswersFile | None:
        if self.path.exists() and not self._store.problem:
            return None  # an answers file with every tag cleared is a learner's choice, not a loss
        found = answers_in_notebooks(self.path.parent, self.article.id, self.exercise, first=_session_notebook())
        if found is None:
            return None
        self._recovery_path = found[0]
        return found[1]

    def _recovery_offer(self) -> dict[str, Any]:
        found, path = self._recovery_doc, self._recovery_path
        if found is None or path is None:
            return {}
        return {"notebook": path.name, "count": len(found.current_labels()),
                "saved_at": found.saved_at or "", "file": self.path.name,
                "lost": "corrupt" if self._store.problem else "missing"}

    # ------------------------------------------------------------------ internals

    def _learner_data(self, sources: list[str], channels: list[str]) -> dict[str, Any]:
        data = self._article_data(sources, channels, self.path.name)
        data.update(exercise=self.exercise, attribution=self.attribution_mode, has_key=self.article.key is not None)
        return data

    def _ids_in_order(self) -> list[str]:
        return [s.id for s in self.article.sentences]

    def _judge(self, entry: Any, given: str | None) -> Verdict:
        codebook = self.article.codebook
        if given is None:
            return judge_label(entry, None, codebook)
        earlier_wrong = self._wrong_checks.get(entry.id, 0)
        verdict = judge_label(entry, given, codebook, reveal=earlier_wrong >= 1)
        if verdict.status == WRONG:
            self._wrong_checks[entry.id] = earlier_wrong + 1
        return verdict

    def _clean_labels(self, value: dict[str, Any]) -> dict[str, str]:
        allowed = set(self.labels)
        # Article order keeps the saved file stable and easy to read.
        return {s.id: value[s.id] for s in self.article.sentences if value.get(s.id) in allowed}

    def _clean_attributions(self, value: dict[str, Any]) -> dict[str, Attribution]:
        clean: dict[str, Attribution] = {}
        for sid, item in value.items():
            if sid not in self._ids or not isinstance(item, dict):
                continue
            source = item.get("source")
            source = source.strip() if isinstance(source, str) and source.strip() else None
            channel = [c.strip() for c in item.get("channel") or [] if isinstance(c, str) and c.strip()]
            if source is not None or channel:
                clean[sid] = {"source": source, "channel": channel}
        return clean

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


def _allowed_labels(article: Article, labels: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    codebook = article.codebook
    allowed = list(codebook.label_ids) if labels is None else list(labels)
    for label in allowed:
        codebook.label(label)  # raises KeyError naming the valid labels
    if not allowed:
        raise ValueError("labels must name at least one codebook label")
    return tuple(allowed)


def _executing_session() -> str | None:
    """The browser session that ran the cell being executed (None outside a kernel)."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent("shell") if kernel is not None else None
    except Exception:  # noqa: BLE001 - no kernel, or an ipykernel without get_parent: treat the copy as live
        return None
    return ((parent or {}).get("header") or {}).get("session") or None


def _session_notebook() -> Path | None:
    """The notebook this kernel serves, when Jupyter says so (``JPY_SESSION_NAME``)."""
    name = os.environ.get("JPY_SESSION_NAME", "")
    path = Path(name)
    return path if name.endswith(".ipynb") and path.is_file() else None
