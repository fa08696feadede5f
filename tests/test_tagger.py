"""The Tagger driven from Python as the browser drives it: synced traits and custom messages."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import nbformat
import pytest

from reportkit.answers import ANSWERS_MIME, AnswersFile, read_answers_from_notebook
from reportkit.article import load_article
from reportkit.tagger import Tagger, attribution_choices

ID = "tiny-article"


def saved(folder: Path, exercise: str = "tag-all") -> dict:
    """The answers file on disk, with labels and attributions as the widget shows them (no times)."""
    doc = json.loads((folder / f"{exercise}.answers.json").read_text("utf-8"))
    found = AnswersFile.from_dict(doc)
    attribution = {k: {n: v for n, v in a.items() if n != "t"} for k, a in found.attribution.items()}
    return {**doc, "labels": found.current_labels(), "attribution": attribution, "units": doc["labels"]}


def frontend_sets(w: Tagger, **state) -> None:
    """What a comm message from tagger.js does: set_state with the new trait values."""
    w.set_state(state)


def js_message(w: Tagger, kind: str, **content) -> None:
    """What model.send({type, ...}) in tagger.js delivers (clicks and keys send these)."""
    w._on_msg(w, {"type": kind, **content}, [])


def test_article_data_in_reading_order(tiny_env: Path):
    w = Tagger(ID)
    data = w.article_data
    assert [s["id"] for s in data["sentences"]] == ["s01", "s02", "s03", "s04", "s05"]
    assert [s["p"] for s in data["sentences"]] == [1, 2, 2, 3, 4]
    assert data["sentences"][2]["continues"] == "s02"
    assert [lab["shortcut"] for lab in data["labels"]] == ["1", "2", "3", "4", "5"]
    assert data["has_key"] and not data["attribution"]
    assert w.cues == {}  # no cue words before Check
    assert repr(w) == "Tagger('tiny-article', exercise='tag-all': 0 of 5 tagged)"


def test_every_change_is_saved_and_restored(tiny_env: Path):
    w = Tagger(ID)
    frontend_sets(w, answers={"s01": "reported"})
    frontend_sets(w, answers={"s01": "reported", "s02": "quote"})
    doc = saved(tiny_env)
    assert doc["labels"] == {"s01": "reported", "s02": "quote"}
    assert doc["article"] == ID and doc["exercise"] == "tag-all" and doc["format"] == 2
    assert doc["revision"] == 2 and doc["saved_at"].endswith("Z") and doc["writer"]
    assert doc["units"]["s01"]["t"] < doc["units"]["s02"]["t"]
    assert doc["seed_sha256"] == w.article.seed_sha256
    assert "Saved to tag-all.answers.json" in w.status
    assert w.progress == "2 of 5 tagged"
    assert w.counts() == {"quote": 1, "reported": 1, "analysis": 0, "narration": 0, "furniture": 0}

    again = Tagger(ID)  # re-run cell, kernel restart, page reload: a new instance
    assert again.answers == {"s01": "reported", "s02": "quote"}
    assert "Restored 2" in again.status and again.notice == ""


def test_bad_messages_are_ignored_with_a_status(tiny_env: Path):
    w = Tagger(ID, labels=["quote"])
    js_message(w, "set", id="s01", label="narration")
    js_message(w, "set", id="s77", label="quote")
    js_message(w, "set")
    assert w.answers == {} and w.status.startswith("Ignored")


def test_frontend_values_are_validated(tiny_env: Path):
    w = Tagger(ID, labels=["quote", "reported"])
    frontend_sets(w, answers={"s01": "quote", "s99": "quote", "s02": "narration"})
    assert w.answers == {"s01": "quote"}
    assert saved(tiny_env)["labels"] == {"s01": "quote"}
    with pytest.raises(ValueError, match="not a label of this exercise"):
        w.set_label("s02", "narration")
    with pytest.raises(KeyError):
        w.set_label("s99", "quote")
    with pytest.raises(KeyError):
        Tagger(ID, labels=["gossip"])
    with pytest.raises(ValueError, match="file name"):
        Tagger(ID, exercise="a/b")


def test_exercises_are_kept_apart(tiny_env: Path):
    Tagger(ID).set_label("s01", "quote")
    other = Tagger(ID, exercise="quotes-only", labels=["quote"])
    assert other.answers == {}
    other.set_label("s02", "quote")
    assert saved(tiny_env, "quotes-only")["labels"] == {"s02": "quote"}
    assert saved(tiny_env)["labels"] == {"s01": "quote"}


def test_clear_and_undo(tiny_env: Path):
    w = Tagger(ID)
    assert not w.can_undo and w.undo() is False
    js_message(w, "set", id="s01", label="quote")  # a click on "quote", or the key 1
    js_message(w, "set", id="s01", label="reported")
    js_message(w, "set", id="s02", label="quote")
    js_message(w, "set", id="s01", label=None)  # the row's × button, or 0 / Backspace
    assert w.answers == {"s02": "quote"} and saved(tiny_env)["labels"] == {"s02": "quote"}
    js_message(w, "undo")  # the Undo button, u, Ctrl+Z
    assert w.answers == {"s01": "reported", "s02": "quote"}
    assert saved(tiny_env)["labels"] == w.answers
    w.undo()
    w.undo()
    assert w.answers == {"s01": "quote"} and w.can_undo
    w.undo()
    assert w.answers == {} and not w.can_undo
    assert saved(tiny_env)["labels"] == {}


def test_undo_covers_attributions(tiny_env: Path):
    w = Tagger(ID, attribution=True)
    w.set_label("s01", "reported")
    w.set_attribution("s01", "Jane Roe", ["Jane Roe", "Tiny Times"])
    assert saved(tiny_env)["attribution"] == {"s01": {"source": "Jane Roe", "channel": ["Jane Roe", "Tiny Times"]}}
    w.undo()
    assert w.attributions == {} and w.answers == {"s01": "reported"}


def test_filter_is_a_synced_trait(tiny_env: Path):
    w = Tagger(ID)
    frontend_sets(w, filter="untagged", selected="s03")
    assert w.filter == "untagged" and w.selected == "s03"
    assert w.get_state("filter") == {"filter": "untagged"}


def test_check_feedback_rule_then_reveal(tiny_env: Path):
    w = Tagger(ID)
    for sid, label in {"s01": "quote", "s02": "quote", "s04": "reported"}.items():
        w.set_label(sid, label)
    verdicts = w.check()
    assert [v.status for v in verdicts] == ["wrong", "correct", "missing", "accepted", "missing"]
    assert set(w.feedback) == {"s01", "s02", "s04"}  # only tagged sentences are marked
    first = w.feedback["s01"]["message"]
    assert "Rule R1" in first and "The key says" not in first
    assert "indirect speech" in w.feedback["s04"]["message"]  # the accepted alternative's note
    assert w.summary.startswith("1 right, 1 accepted, 1 to reconsider of 3 tagged.")
    assert "quote 1/2, reported 0/1, analysis 1/1, narration 0/1" in w.summary
    assert w.cues == {"s01": ["said"], "s02": ["told"], "s04": ["warned"]}

    js_message(w, "check")  # second wrong check of s01 reveals the key's answer
    assert "The key says reported claim" in w.feedback["s01"]["message"]


def test_changing_a_label_drops_its_stale_feedback(tiny_env: Path):
    w = Tagger(ID)
    w.set_label("s01", "quote")
    w.set_label("s02", "quote")
    w.check()
    w.set_label("s01", "reported")
    assert set(w.feedback) == {"s02"}
    w.check()
    assert w.feedback["s01"]["status"] == "correct"


def test_reveal_counts_wrong_checks_per_sentence(tiny_env: Path):
    w = Tagger(ID)
    w.set_label("s05", "quote")
    w.check()
    w.set_label("s05", "analysis")  # another wrong label: s05's key accepts no alternative
    w.check()
    assert "The key says" in w.feedback["s05"]["message"]


@pytest.mark.parametrize("content", ["{broken", "FOREIGN"])
def test_corrupt_or_foreign_file_is_set_aside(tiny_env: Path, caplog, content: str):
    path = tiny_env / "tag-all.answers.json"
    if content == "FOREIGN":
        content = json.dumps({"schema": 1, "article": "another-article", "seed_sha256": "0" * 64,
                              "exercise": "tag-all", "labels": {"s01": "quote"}, "attribution": {}})
    path.write_text(content, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="reportkit.tagger"):
        w = Tagger(ID)
    assert w.answers == {}
    backups = list(tiny_env.glob("tag-all.answers.json.bad-*"))
    assert len(backups) == 1 and backups[0].read_text("utf-8") == content
    assert "could not be used" in w.notice and backups[0].name in w.notice
    assert backups[0].name in caplog.text
    w.set_label("s01", "reported")  # starts clean and saves normally
    assert saved(tiny_env)["labels"] == {"s01": "reported"}
    js_message(w, "dismiss")
    assert w.notice == ""


def test_file_for_another_seed_version_is_set_aside(tiny_env: Path):
    Tagger(ID).set_label("s01", "quote")
    doc = json.loads((tiny_env / "tag-all.answers.json").read_text("utf-8"))
    doc["seed_sha256"] = "f" * 64
    (tiny_env / "tag-all.answers.json").write_text(json.dumps(doc), encoding="utf-8")
    w = Tagger(ID)  # the cell run again in the same kernel: its own tags are kept and saved again
    assert "different version" in w.notice and "saved again" in w.notice
    assert w.answers == {"s01": "quote"} and saved(tiny_env)["labels"] == {"s01": "quote"}
    assert len(list(tiny_env.glob("tag-all.answers.json.bad-*"))) == 1


def test_attribution_choices_come_from_the_article(tiny_article):
    sources, channels = attribution_choices(tiny_article)
    assert sources == ["Jane Roe", "Institute for Calm"]
    assert channels == ["Jane Roe", "Tiny Times", "Daily Planet", "Institute for Calm"]


def test_attribution_mode_sends_choices(tiny_env: Path):
    w = Tagger(ID, attribution=True)
    assert w.article_data["attribution"] and "Institute for Calm" in w.article_data["sources"]
    js_message(w, "attribution", id="s04", source=" Someone typed ", channel=["Tiny Times", " "])
    assert w.attributions == {"s04": {"source": "Someone typed", "channel": ["Tiny Times"]}}
    js_message(w, "attribution", id="s04", source="", channel=[])  # emptied: the entry goes
    assert w.attributions == {}
    # What the Source box and the Channel list send: one operation per edit.
    js_message(w, "source", id="s04", source="Institute for Calm")
    js_message(w, "channel_add", id="s04", name="Institute for Calm")
    js_message(w, "channel_add", id="s04", name="Daily Planet")
    js_message(w, "channel_add", id="s04", name="Tiny Times")
    js_message(w, "channel_remove", id="s04", index=1)
    assert w.attributions == {"s04": {"source": "Institute for Calm", "channel": ["Institute for Calm", "Tiny Times"]}}
    assert saved(tiny_env)["attribution"] == w.attributions
    js_message(w, "undo")
    assert w.attributions["s04"]["channel"] == ["Institute for Calm", "Daily Planet", "Tiny Times"]
    frontend_sets(w, attributions={"s04": {"source": "Someone typed", "channel": ["Tiny Times"]}})
    assert Tagger(ID, attribution=True).attributions == w.attributions


def test_without_key_tagging_works_and_check_says_why(tiny_kit_factory, tmp_path, monkeypatch):
    root = tiny_kit_factory("bundle", key=False)
    monkeypatch.chdir(tmp_path)
    w = Tagger(load_article(ID, root, require_key=False))
    w.set_label("s01", "quote")
    assert w.check() == [] and "no answer key" in w.status
    assert not w.article_data["has_key"]


def test_answers_dir_and_article_object(tiny_article, tmp_path: Path):
    w = Tagger(tiny_article, answers_dir=tmp_path, exercise="ex1")
    w.set_label("s03", "quote")
    assert saved(tmp_path, "ex1")["labels"] == {"s03": "quote"}


def test_display_carries_answers_and_updates_them(tiny_env: Path, monkeypatch):
    """_ipython_display_ shows the widget and an answers output, then updates it in place."""
    import IPython.display as ipd

    shown, updated = [], []
    monkeypatch.setattr(ipd, "display", lambda obj, **kw: shown.append((obj, kw)))
    monkeypatch.setattr(ipd, "update_display", lambda obj, **kw: updated.append((obj, kw)))
    w = Tagger(ID)
    w._ipython_display_()
    assert "application/vnd.jupyter.widget-view+json" in shown[0][0] and shown[0][1]["raw"]
    bundle, kw = shown[1]
    assert kw["display_id"] and kw["raw"] and bundle[ANSWERS_MIME]["labels"] == {}
    assert bundle[ANSWERS_MIME]["format"] == 2
    assert "0 of 5 tagged" in bundle["text/plain"]
    w.set_label("s02", "quote")
    bundle, kw = updated[-1]
    assert kw["display_id"] == shown[1][1]["display_id"]
    copy = AnswersFile.from_dict(bundle[ANSWERS_MIME])
    assert copy.current_labels() == {"s02": "quote"}
    assert copy.revision == saved(tiny_env)["revision"]  # the file and the notebook copy agree


def test_headless_kernel_builds_and_restores(tiny_env: Path, tiny_kit: Path):
    """nbclient (as nbval does) runs a notebook with no frontend; answers land in the .ipynb."""
    from nbclient import NotebookClient

    Tagger(ID).set_label("s01", "reported")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(f"from reportkit import Tagger\nt = Tagger({ID!r})\nt"),
        nbformat.v4.new_code_cell("t.set_label('s02', 'quote')\nprint(t.progress)"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tiny_env)}}).execute()
    assert "2 of 5 tagged" in nb.cells[1].outputs[0]["text"]
    found = read_answers_from_notebook(nb)
    assert found is not None and found.current_labels() == {"s01": "reported", "s02": "quote"}


# ---------------------------------------------------------------------------- issue 11: saves the learner can trust

def acks(w: Tagger, monkeypatch) -> list[dict]:
    """What the kernel sends back to tagger.js (the acknowledgements)."""
    sent: list[dict] = []
    monkeypatch.setattr(w, "send", lambda content, buffers=None: sent.append(content))
    return sent


def test_every_message_is_acknowledged_with_the_saved_revision(tiny_env: Path, monkeypatch):
    w = Tagger(ID)
    sent = acks(w, monkeypatch)
    js_message(w, "set", id="s01", label="quote", seq=1, view="v1")
    js_message(w, "set", id="s01", label="gossip", seq=2, view="v1")  # refused: not saved, said so
    assert sent[0].pop("kernel_ms") >= 0
    assert sent[0] == {"type": "ack", "seq": 1, "view": "v1", "error": "", "failed": False, "revision": 1,
                       "saved_at": saved(tiny_env)["saved_at"], "copy": "live"}
    assert sent[1]["seq"] == 2 and "not a label" in sent[1]["error"] and not sent[1]["failed"]
    assert sent[1]["revision"] == 1 and saved(tiny_env)["labels"] == {"s01": "quote"}


def test_a_write_the_disk_refuses_is_acknowledged_as_failed(tiny_env: Path, monkeypatch):
    import reportkit.answer_store as store

    w = Tagger(ID)
    sent = acks(w, monkeypatch)

    def full_disk(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "write_answers", full_disk)
    js_message(w, "set", id="s01", label="quote", seq=7, view="v1")
    assert sent[0]["failed"] and "No space" in sent[0]["error"] and sent[0]["revision"] == 0
    assert w.answers == {} and "Not saved" in w.status  # the widget never shows what is not on disk


def test_a_reloaded_page_is_told_its_notebook_copy_is_stale(tiny_env: Path, monkeypatch):
    import IPython.display as ipd

    monkeypatch.setattr(ipd, "display", lambda *a, **k: None)
    monkeypatch.setattr(ipd, "update_display", lambda *a, **k: None)
    monkeypatch.setattr("reportkit.tagger._executing_session", lambda: "page-that-ran-the-cell")
    w = Tagger(ID)
    w._ipython_display_()
    sent = acks(w, monkeypatch)

    def from_page(session: str, seq: int) -> None:
        content = {"type": "hello", "seq": seq, "view": "v"}
        w._handle_msg({"header": {"session": session}, "buffers": [],
                       "content": {"data": {"method": "custom", "content": content}}})

    from_page("page-that-ran-the-cell", 1)
    from_page("the-same-page-after-reload", 2)
    assert [a["copy"] for a in sent] == ["live", "stale"]


def test_two_taggers_on_one_file_share_one_state(tiny_env: Path):
    one, two = Tagger(ID), Tagger(ID)  # the cell run in a second tab, or twice
    one.set_label("s01", "quote")
    two.set_label("s02", "reported")
    assert one.answers == two.answers == {"s01": "quote", "s02": "reported"} == saved(tiny_env)["labels"]
    assert one.revision == two.revision == 2
    two.undo()  # each undoes its own change only
    assert one.answers == {"s01": "quote"} and not two.can_undo and one.can_undo


def test_undo_selects_the_row_it_undid(tiny_env: Path):
    w = Tagger(ID)
    w.set_label("s02", "quote")
    w.selected = "s05"
    w.undo()
    assert w.selected == "s02" and w.answers == {} and w.status.startswith("Undone: s02 is untagged again.")


def test_clears_are_kept_with_their_time(tiny_env: Path):
    w = Tagger(ID)
    w.set_label("s01", "quote")
    w.clear("s01")
    units = saved(tiny_env)["units"]
    assert units["s01"]["label"] is None and units["s01"]["t"] > "2026"  # a clear wins by time in a merge


def _saved_notebook(folder: Path, name: str, doc: dict) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("Tagger('tiny-article')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={ANSWERS_MIME: doc, "text/plain": "answers"})]
    nb.cells = [cell]
    nbformat.write(nb, folder / name)
    return folder / name


@pytest.mark.parametrize("lost", ["missing", "corrupt"])
def test_tags_in_the_notebook_are_offered_back(tiny_env: Path, lost: str):
    w = Tagger(ID)
    for sid, label in {"s01": "reported", "s02": "quote", "s04": "analysis"}.items():
        w.set_label(sid, label)
    _saved_notebook(tiny_env, "06-tag.ipynb", w.answers_document().to_dict())  # Ctrl+S saved the copy
    w.close()
    from reportkit.answer_store import AnswerStore

    AnswerStore._open.clear()  # a kernel restart: nothing in memory
    path = tiny_env / "tag-all.answers.json"
    if lost == "missing":
        path.unlink()
    else:
        path.write_text('{"format": 2, "labe', "utf-8")
    again = Tagger(ID)
    assert again.answers == {}
    assert again.recovery == {"notebook": "06-tag.ipynb", "count": 3, "saved_at": again.recovery["saved_at"],
                              "file": "tag-all.answers.json", "lost": lost}
    if lost == "corrupt":
        assert "kept as tag-all.answers.json.bad-" in again.notice and "Starting with no" not in again.notice
    js_message(again, "restore")
    assert again.answers == {"s01": "reported", "s02": "quote", "s04": "analysis"} == saved(tiny_env)["labels"]
    assert again.recovery == {} and "Restored 3 tag(s) from 06-tag.ipynb" in again.status


def test_a_file_with_every_tag_cleared_is_not_a_loss(tiny_env: Path):
    w = Tagger(ID)
    w.set_label("s01", "quote")
    _saved_notebook(tiny_env, "old.ipynb", w.answers_document().to_dict())
    w.clear("s01")
    assert Tagger(ID).recovery == {}


def test_an_exercise_starts_from_the_lessons_tags(tiny_env: Path):
    lesson, exercise = tiny_env / "notebooks", tiny_env / "exercises"
    lesson.mkdir()
    exercise.mkdir()
    Tagger(ID, answers_dir=lesson).set_label("s01", "reported")
    w = Tagger(ID, answers_dir=exercise, start_from=lesson / "tag-all.answers.json")
    assert w.answers == {"s01": "reported"} == saved(exercise)["labels"]
    assert "Started from your 1 tag(s)" in w.notice
    w.set_label("s02", "quote")  # from now on only the exercise's file changes
    assert saved(lesson)["labels"] == {"s01": "reported"}
    again = Tagger(ID, answers_dir=exercise, start_from=lesson / "tag-all.answers.json")
    assert again.answers == {"s01": "reported", "s02": "quote"}
