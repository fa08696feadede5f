"""Author mode of the tagger: new → review in the widget → validate, driven as tagger.js drives it.

Every message goes through ``Tagger._on_msg``, the handler the browser's ``model.send`` reaches,
and every assertion about saving reads ``data/<id>/key.json`` from disk.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kits import OWN, copy_kit, fixture_kit, review_fixture_figures

from reportkit.authoring import review_entry, save_draft
from reportkit.errors import DataError
from reportkit.tagger import Tagger

KIT = Path(__file__).resolve().parent.parent
ARTICLE = "gazette-harbour-bridge"
# The baseline's proposals for the fixture (what `new` writes), in reading order.
PROPOSED = ["reported", "quote", "quote", "furniture", "reported", "reported", "analysis", "narration",
            "reported", "furniture", "furniture"]


@pytest.fixture
def kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kit with the fixture article just made by `new`; the cwd is an empty notebook folder."""
    root = fixture_kit(tmp_path / "kit")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("REPORTKIT_HOME", str(root))
    monkeypatch.chdir(work)
    return root


def key_path(kit: Path) -> Path:
    return kit / "data" / ARTICLE / "key.json"


def on_disk(kit: Path) -> dict[str, dict]:
    return {e["id"]: e for e in json.loads(key_path(kit).read_text("utf-8"))["entries"]}


def js(w: Tagger, kind: str, **content) -> None:
    """What model.send({type, ...}) in tagger.js delivers (keys, clicks, panel edits)."""
    w._on_msg(w, {"type": kind, **content}, [])


def select(w: Tagger, sid: str) -> None:
    """A click on a row or j/k: the frontend sets the synced `selected` trait."""
    w.set_state({"selected": sid})


def validate(kit: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportkit", "validate", ARTICLE], cwd=kit, capture_output=True,
                          text=True, timeout=120)


def test_opens_from_the_key_with_each_rows_review_state(kit: Path):
    w = Tagger(ARTICLE, author=True)
    assert list(w.answers.values()) == PROPOSED
    assert set(w.review.values()) == {"proposed"}
    assert w.progress == "0 of 11 reviewed" and len(w.unreviewed) == 11
    assert repr(w) == f"Tagger({ARTICLE!r}, author=True: 0 of 11 reviewed)"
    data = w.article_data
    assert data["author"] and not data["has_key"]  # no Check button: this is the key
    assert data["baseline"]["s07"] == {"label": "analysis", "reason": "cue with an observer as source"}
    assert [r["id"] for r in data["rules"]][:3] == ["F1", "F2", "F3"]
    assert data["source_types"] == ["named person", "unnamed person", "anonymous person", "organisation", "outlet",
                                   "document"]
    assert [s["id"] for s in data["cue_stances"]] == ["neutral", "distancing", "endorsing"]
    assert data["validate"] == f"python -m reportkit validate {ARTICLE}"
    assert w.cues["s01"] == ["announced"]  # the key's cue is shown in the sentence
    assert w.entry == {} and w.summary == ""
    # The frontend's "unreviewed" filter shows rows whose synced review state is not "reviewed":
    # exactly the entries the kernel counts as unreviewed.
    assert [sid for sid, state in w.review.items() if state != "reviewed"] == w.unreviewed


def test_selecting_a_sentence_sends_its_entry_with_a_suggestion(kit: Path):
    w = Tagger(ARTICLE, author=True)
    select(w, "s03")  # a quotation going on from s02
    entry = w.entry
    assert entry["id"] == "s03" and entry["label"] == "quote" and not entry["reviewed"]
    assert entry["placeholder"] and entry["rationale"] == ""  # the placeholder is not offered as a rationale
    assert entry["suggested"]["rules"] == ["Q2"] and "(Q2)" in entry["suggested"]["rationale"]
    select(w, "s01")
    assert w.entry["suggested"]["rules"] == ["R1"]
    assert "Mayor Anna Kovalenko" in w.entry["suggested"]["rationale"]
    assert w.entry["attribution"]["cue"] == "announced"


def test_a_label_change_is_saved_at_once_and_stays_unreviewed(kit: Path):
    w = Tagger(ARTICLE, author=True)
    select(w, "s07")
    js(w, "set", id="s07", label="reported")  # the key 2
    saved = on_disk(kit)["s07"]
    assert saved["label"] == "reported" and saved["reviewed"] is False
    assert w.answers["s07"] == "reported" and w.review["s07"] == "edited"
    assert "analysis → reported" in w.status and "unreviewed until you confirm" in w.status
    assert w.entry["suggested"]["rules"] == ["R1"]  # suggestions follow the new label
    assert w.can_undo


def test_confirm_saves_every_field_and_moves_to_the_next_unreviewed(kit: Path):
    w = Tagger(ARTICLE, author=True)
    select(w, "s07")
    fields = {
        "rationale": "Transport analyst Nowak forecasts the closure's effects from outside the events (A1).",
        "rules": ["A1", "A3"],
        "accepted": [{"label": "reported", "note": "The grammar is indirect speech with 'said' (A3)."}],
        "attribution": {"source": "Piotr Nowak", "source_type": "named person", "cue": "said",
                        "cue_stance": "neutral"},
    }
    js(w, "confirm", id="s07", fields=fields, advance=True)  # the Confirm button, or Enter
    saved = on_disk(kit)["s07"]
    assert saved["reviewed"] is True and saved["label"] == "analysis"
    assert saved["rationale"] == fields["rationale"] and saved["rules"] == ["A1", "A3"]
    assert saved["accepted"] == fields["accepted"]
    assert saved["attribution"]["source_type"] == "named person"
    assert saved["attribution"]["channel"] == ["Piotr Nowak", "Harbour Gazette"]  # merged, not replaced
    assert w.review["s07"] == "reviewed" and w.progress == "1 of 11 reviewed"
    assert w.selected == "s08" and w.entry["id"] == "s08"  # on to the next unreviewed sentence
    assert "Confirmed s07 as analysis" in w.status and "10 left" in w.status
    # Changing the label of a reviewed entry makes it unreviewed again, and says so.
    js(w, "set", id="s07", label="reported")
    assert on_disk(kit)["s07"]["reviewed"] is False and w.review["s07"] == "edited"
    assert "was reviewed and is unreviewed again" in w.status
    # The accepted alternative that became the label is dropped (it cannot be both).
    assert on_disk(kit)["s07"]["accepted"] == []


def test_confirm_with_the_suggested_fields_as_enter_sends_them(kit: Path):
    w = Tagger(ARTICLE, author=True)
    select(w, "s08")
    suggestion = w.entry["suggested"]
    js(w, "confirm", id="s08", fields={"rationale": suggestion["rationale"], "rules": suggestion["rules"]},
       advance=True)
    saved = on_disk(kit)["s08"]
    assert saved["reviewed"] and saved["rules"] == ["N1"] and saved["rationale"] == suggestion["rationale"]
    assert saved["rationale_drafted"] is True  # validate lists it for a second look


def test_validate_lists_rationales_confirmed_as_drafted(kit: Path):
    w = Tagger(ARTICLE, author=True)
    for sid in w.unreviewed:
        select(w, sid)
        if sid in ("s03", "s08"):  # Enter on the suggestion, unedited
            suggestion = w.entry["suggested"]
            js(w, "confirm", id=sid, fields={"rationale": suggestion["rationale"], "rules": suggestion["rules"]})
        else:
            w.confirm(sid, rationale=f"The instructor's own reason for {sid}, citing its rule.",
                      rules=w.entry["suggested"]["rules"] or ["N1"])
    assert [sid for sid, e in on_disk(kit).items() if e.get("rationale_drafted")] == ["s03", "s08"]
    review_fixture_figures(kit)
    done = validate(kit)
    assert done.returncode == 0, done.stderr
    assert "note: 2 rationales are the kit's suggestion, confirmed unedited: s03, s08" in done.stdout
    # Rewording one clears its mark.
    w.confirm("s03", rationale="The quotation goes on without a new attribution: the same speaker (Q2).")
    assert "rationale_drafted" not in on_disk(kit)["s03"]
    assert "1 rationale is the kit's suggestion" in validate(kit).stdout


BAD_CONFIRMS = {
    "unknown rule": ({"rationale": "Indirect speech (R1).", "rules": ["R99"]}, "unknown rule 'R99'"),
    "no rule": ({"rationale": "Indirect speech (R1).", "rules": []}, "cite at least one codebook rule"),
    "empty rationale": ({"rationale": "   ", "rules": ["R1"]}, "write a rationale before confirming"),
    "placeholder kept": ({"rules": ["R1"]}, "still the baseline's placeholder"),
    "cue not in sentence": ({"rationale": "Indirect speech (R1).", "rules": ["R1"],
                             "attribution": {"cue": "declared"}}, "the cue 'declared' does not occur"),
    "note missing": ({"rationale": "Indirect speech (R1).", "rules": ["R1"],
                      "accepted": [{"label": "quote", "note": ""}]}, "needs a short note"),
    "bad source type": ({"rationale": "Indirect speech (R1).", "rules": ["R1"],
                         "attribution": {"source_type": "celebrity"}}, "source type 'celebrity' is not one of"),
    "unknown field": ({"rationale": "Indirect speech (R1).", "rules": ["R1"], "mood": "sure"}, "unknown field"),
}


@pytest.mark.parametrize("case", BAD_CONFIRMS)
def test_a_refused_confirm_shows_why_and_changes_nothing(kit: Path, case: str):
    fields, message = BAD_CONFIRMS[case]
    w = Tagger(ARTICLE, author=True)
    select(w, "s05")
    js(w, "set", id="s05", label="reported")  # no change: the label is already reported
    js(w, "draft", id="s05", fields={"rules": ["R2"]})  # a saved draft that must survive the refusal
    before = key_path(kit).read_bytes()
    js(w, "confirm", id="s05", fields=fields, advance=True)
    assert key_path(kit).read_bytes() == before
    assert message in w.entry["error"] and w.entry["error"].startswith("Not confirmed:")
    assert message in w.status and "Traceback" not in w.status
    assert w.selected == "s05" and w.review["s05"] == "edited"  # stays on the sentence to fix it
    assert on_disk(kit)["s05"]["rules"] == ["R2"]
    # The next good change clears the message.
    js(w, "confirm", id="s05", fields={"rationale": "Kovalenko's claim in the reporter's words (R2).",
                                         "rules": ["R2"]}, advance=False)
    assert w.entry["error"] == "" and on_disk(kit)["s05"]["reviewed"] is True


def test_panel_edits_are_saved_as_drafts(kit: Path):
    w = Tagger(ARTICLE, author=True)
    select(w, "s09")
    js(w, "draft", id="s09", fields={"rationale": "An anonymous engineer warns (R5)."})
    js(w, "draft", id="s09", fields={"rules": ["R5"]})
    js(w, "draft", id="s09", fields={"accepted": [{"label": "analysis", "note": "He assesses the repairs."}]})
    js(w, "draft", id="s09", fields={"attribution": {"source_type": "anonymous person", "cue_stance": "neutral"}})
    js(w, "source", id="s09", source="An engineer involved in the inspection")
    js(w, "channel_add", id="s09", name="An engineer involved in the inspection")
    js(w, "channel_add", id="s09", name="Harbour Gazette")
    js(w, "channel_add", id="s09", name="Radio Harbour")
    js(w, "channel_remove", id="s09", index=2)
    saved = on_disk(kit)["s09"]
    assert saved["rationale"] == "An anonymous engineer warns (R5)." and saved["rules"] == ["R5"]
    assert saved["accepted"] == [{"label": "analysis", "note": "He assesses the repairs."}]
    assert saved["attribution"] == {"source": "An engineer involved in the inspection",
                                    "source_type": "anonymous person", "cue": "warned", "cue_stance": "neutral",
                                    "channel": ["An engineer involved in the inspection", "Harbour Gazette"]}
    assert saved["reviewed"] is False and w.review["s09"] == "edited"
    assert w.entry["rationale"] == saved["rationale"] and not w.entry["placeholder"]
    # A draft the key could not hold is refused with the reason, and nothing is written.
    before = key_path(kit).read_bytes()
    js(w, "draft", id="s09", fields={"attribution": {"cue": "shouted"}})
    js(w, "draft", id="s09", fields={"rules": ["Z1"]})
    js(w, "draft", id="s09", fields={"accepted": [{"label": "gossip", "note": "x"}]})
    js(w, "set", id="s09", label=None)  # 0 / Backspace: a key entry cannot be cleared
    assert key_path(kit).read_bytes() == before
    assert w.entry["error"].startswith("Not saved:") and "always has a label" in w.entry["error"]


def test_undo_puts_back_the_entry_as_it_was(kit: Path):
    w = Tagger(ARTICLE, author=True)
    select(w, "s06")
    original = key_path(kit).read_bytes()
    js(w, "confirm", id="s06", fields={"rationale": "Another outlet's fact (R4).", "rules": ["R4"]})
    js(w, "set", id="s06", label="narration")
    js(w, "undo")  # u, Ctrl+Z or the Undo button
    assert on_disk(kit)["s06"]["label"] == "reported" and on_disk(kit)["s06"]["reviewed"] is True
    js(w, "undo")
    assert key_path(kit).read_bytes() == original
    assert not w.can_undo and w.undo() is False


def test_reopening_shows_the_saved_state(kit: Path):
    w = Tagger(ARTICLE, author=True)
    select(w, "s04")
    js(w, "confirm", id="s04", fields={"rationale": "The ad marker is page, not report (F1).", "rules": ["F1"]})
    js(w, "set", id="s10", label="narration")
    js(w, "draft", id="s11", fields={"rationale": "Corrections footer (F1)."})
    again = Tagger(ARTICLE, author=True)  # re-run cell, kernel restart, page reload
    assert again.answers == w.answers and again.answers["s10"] == "narration"
    assert again.review == w.review == {**again.review, "s04": "reviewed", "s10": "edited", "s11": "edited"}
    select(again, "s11")
    assert again.entry["rationale"] == "Corrections footer (F1)."
    assert again.progress == "1 of 11 reviewed"


def test_frontend_label_changes_go_to_the_key(kit: Path):
    w = Tagger(ARTICLE, author=True)
    w.set_state({"answers": {**w.answers, "s08": "analysis", "s99": "quote"}})
    assert on_disk(kit)["s08"]["label"] == "analysis" and "s99" not in w.answers


def test_no_answers_file_and_learners_wait_for_the_review(kit: Path):
    work = Path.cwd()
    with pytest.raises(DataError, match="not reviewed yet"):
        Tagger(ARTICLE)  # learner mode refuses an unreviewed key
    w = Tagger(ARTICLE, author=True)
    select(w, "s01")
    seen = []
    while w.unreviewed:  # Enter on every sentence, each time with the panel's fields
        sid = w.selected
        seen.append(sid)
        suggestion = w.entry["suggested"]
        rules = suggestion["rules"] or ["N1"]
        js(w, "confirm", id=sid, fields={"rationale": suggestion["rationale"] or "Reviewed (N1).", "rules": rules},
           advance=True)
        assert w.entry.get("error", "") == "", w.entry["error"]
    assert seen == [f"s{i:02d}" for i in range(1, 12)]
    assert w.progress == "11 of 11 reviewed"
    assert f"python -m reportkit validate {ARTICLE}" in w.summary and "All 11 sentences are reviewed" in w.summary
    assert "every sentence is reviewed" in w.status
    assert list(work.iterdir()) == []  # author mode writes the key only, no <exercise>.answers.json
    assert f"python -m reportkit figures {ARTICLE}" in w.summary
    with pytest.raises(DataError, match="figures.json: record 'f01'.*not reviewed yet"):
        Tagger(ARTICLE)  # learners wait for the figures ledger too
    review_fixture_figures(kit)
    result = validate(kit)
    assert result.returncode == 0, result.stderr
    learner = Tagger(ARTICLE)
    learner.set_label("s02", "quote")
    assert learner.check()[1].status == "correct"


def test_author_mode_api_guards(kit: Path):
    with pytest.raises(ValueError, match="every codebook label"):
        Tagger(ARTICLE, author=True, labels=["quote"])
    w = Tagger(ARTICLE, author=True)
    with pytest.raises(KeyError):
        w.confirm("s99", rationale="x (R1).", rules=["R1"])
    assert w.check() == [] and "Check is for learners" in w.status
    w.set_label("s02", "quote")  # the same label: nothing to save, the entry stays as it was
    assert w.review["s02"] == "proposed" and not w.can_undo


def test_review_entry_needs_a_rule_and_a_real_rationale(kit: Path):
    with pytest.raises(ValueError, match="cite at least one codebook rule"):
        review_entry(ARTICLE, "s01", label="reported", rules=[], rationale="Indirect speech.", root=kit)
    with pytest.raises(ValueError, match="placeholder"):
        review_entry(ARTICLE, "s01", label="reported", rules=["R1"],
                     rationale="Proposed by the baseline (reporting cue); review it.", root=kit)
    with pytest.raises(KeyError, match="unknown rule"):
        save_draft(ARTICLE, "s01", rules=["R1", "X9"], root=kit)
    assert save_draft(ARTICLE, "s01", rules=["R1"], root=kit)["reviewed"] is False
    entry = review_entry(ARTICLE, "s01", label="reported", rules=["R1"], rationale="Indirect speech (R1).", root=kit)
    assert entry["reviewed"] is True
    # A change through save_draft marks it unreviewed again; one that changes nothing does not.
    assert save_draft(ARTICLE, "s01", rules=["R1"], root=kit)["reviewed"] is True
    assert save_draft(ARTICLE, "s01", rationale="Indirect speech with a cue (R1).", root=kit)["reviewed"] is False


def test_relabelling_an_example_unit_still_opens_and_validate_names_it(tmp_path: Path, monkeypatch):
    """article.json's teaching examples must agree with the key, but only once the key is final:
    an author who relabels an example sentence can still reopen the article to fix it."""
    root = copy_kit(tmp_path / "kit")
    monkeypatch.setenv("REPORTKIT_HOME", str(root))
    monkeypatch.chdir(tmp_path)
    article = OWN
    example = json.loads((root / "data" / article / "article.json").read_text("utf-8"))["examples"]["quote"]
    w = Tagger(article, author=True)
    js(w, "set", id=example, label="reported")
    again = Tagger(article, author=True)  # must not raise
    assert again.answers[example] == "reported" and again.review[example] != "reviewed"
    done = subprocess.run([sys.executable, "-m", "reportkit", "validate", article], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    assert "examples.quote" in done.stdout + done.stderr
