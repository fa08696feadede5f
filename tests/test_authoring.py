"""Bring your own article: new → review → validate, on a small article written for the tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kits import codebook_kit, review_fixture_figures

from reportkit.article import load_article
from reportkit.authoring import new_article, review_entry
from reportkit.errors import DataError

KIT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "harbour-bridge.txt"
ARTICLE = "gazette-harbour-bridge"
# The key a careful instructor would settle on for the test article.
REVIEWED = {
    "s01": ("reported", ["R1"]), "s02": ("quote", ["Q1"]), "s03": ("quote", ["Q2"]),
    "s04": ("furniture", ["F1"]), "s05": ("reported", ["R2"]), "s06": ("reported", ["R4"]),
    "s07": ("analysis", ["A1"]), "s08": ("narration", ["N1"]), "s09": ("reported", ["R5"]),
    "s10": ("furniture", ["F2"]), "s11": ("furniture", ["F1"]),
}


@pytest.fixture
def kit(tmp_path):
    return codebook_kit(tmp_path)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_new_writes_unreviewed_proposals_that_validate_refuses(kit):
    result = run_cli("new", ARTICLE, "--from", str(FIXTURE), "--outlet", "Harbour Gazette",
                     "--url", "https://example.org/bridge", "--date", "2025-03-14", cwd=kit)
    assert result.returncode == 0, result.stderr
    assert (kit / "seeds" / f"{ARTICLE}.txt").read_bytes() == FIXTURE.read_bytes()
    key = json.loads((kit / "data" / ARTICLE / "key.json").read_text("utf-8"))["entries"]
    assert len(key) == 11 and not any(e["reviewed"] for e in key)
    assert key[1]["label"] == "quote" and "baseline" in key[1]["rationale"]
    refused = run_cli("validate", ARTICLE, cwd=kit)
    assert refused.returncode == 1
    assert "11 key entries are not reviewed yet: s01, s02" in refused.stderr
    # The data is otherwise sound: sentences reassemble the seed.
    article = load_article(ARTICLE, kit, require_reviewed=False)
    assert article.reassemble() == article.text


def test_new_refuses_to_overwrite_and_bad_ids(kit):
    new_article(ARTICLE, FIXTURE, outlet="G", url="u", date="d", root=kit)
    again = run_cli("new", ARTICLE, "--from", str(FIXTURE), "--outlet", "G", "--url", "u", "--date", "d", cwd=kit)
    assert again.returncode == 1 and "exists already" in again.stderr
    bad = run_cli("new", "Bad Id", "--from", str(FIXTURE), "--outlet", "G", "--url", "u", "--date", "d", cwd=kit)
    assert bad.returncode == 1 and "lower-case letters" in bad.stderr


def test_reviewing_every_entry_makes_the_article_valid(kit):
    new_article(ARTICLE, FIXTURE, outlet="Harbour Gazette", url="u", date="d", newsmaker="Anna Kovalenko",
                root=kit)
    for sid, (label, rules) in REVIEWED.items():
        review_entry(ARTICLE, sid, label=label, rules=rules, rationale=f"Decided by {rules[0]}.", root=kit)
    review_fixture_figures(kit, ARTICLE)  # the proposed figures ledger is reviewed too
    article = load_article(ARTICLE, kit)
    assert [article.key[s].label for s in REVIEWED] == [v[0] for v in REVIEWED.values()]
    assert run_cli("validate", ARTICLE, cwd=kit).returncode == 0


def test_review_refuses_typos_at_once(kit):
    new_article(ARTICLE, FIXTURE, outlet="G", url="u", date="d", root=kit)
    with pytest.raises(ValueError, match="unknown label"):
        review_entry(ARTICLE, "s01", label="reportd", rules=["R1"], rationale="x", root=kit)
    with pytest.raises(KeyError, match="unknown rule"):
        review_entry(ARTICLE, "s01", label="reported", rules=["R99"], rationale="x", root=kit)
    with pytest.raises(DataError):
        load_article(ARTICLE, kit)  # still unreviewed


@pytest.mark.parametrize("label, text, source, cue, previous, rule, words", [
    # No source found is not an anonymous source (R5 only when the text says so).
    ("reported", "Aid agencies estimate that 40,000 people were killed.", None, None, None, "R1", "A source's claim"),
    ("reported", "An official, who asked not to be named, said the army lost vehicles.", None, "said", None, "R5",
     "anonymous"),
    ("reported", "He claimed losses had been heavier.", "he", "claimed", None, "R1", "What he said"),
    ("furniture", "Ostrel Central Bank Raises Rates for Fourth Time as War Spending Climbs", None, None, None, "F2",
     "teaser"),
    ("furniture", "Economists warn the reserves could be exhausted by the end of the year.", None, None, "furniture",
     "F2", "dek"),
    ("furniture", "Sign up for our free daily newsletter.", None, None, "furniture", "F1", "web page"),
    ("furniture", "Advertisement", None, None, "narration", "F1", "web page"),
    ("furniture", "By Mira Tanović, Diplomatic Correspondent | Lusenna Courier | 14 March 2031", None, None, None,
     "F1", "web page"),
])
def test_suggested_review_cites_the_rule_that_fits(label, text, source, cue, previous, rule, words):
    from reportkit.authoring import suggest_review

    entry = {"label": label, "rationale": "Proposed by the baseline (x); review it.",
             "attribution": {"source": source, "cue": cue}}
    rationale, rules = suggest_review(entry, text, previous)
    assert rules == [rule] and words in rationale, rationale
