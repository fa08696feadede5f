"""The figures ledger for any article: `new` proposes one (every number, its unit, the hedge near it),
the author reviews it with `python -m reportkit figures`, and `validate` waits for that review.

Measured on the shipped Kyiv Post article: how many of its hand-made figures the proposer finds
(recall) and whether it finds the same hedges."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kits import (
    FIXTURE,
    FIXTURE_ID,
    FIXTURE_META,
    FIXTURE_REVIEW,
    OWN,
    codebook_kit,
    reviewed_fixture_kit,
)

from reportkit.article import load_article, reviewed_figures
from reportkit.authoring import new_article, review_entry
from reportkit.errors import DataError
from reportkit.figureledger import find_figures, lexicon
from reportkit.figurereview import delete_figure, review_figure

KIT = Path(__file__).resolve().parent.parent
README_ID = "gazette-2025-03-harbour-bridge"  # the id the README's commands use


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def _ledger(kit: Path, article_id: str = FIXTURE_ID) -> list[dict]:
    return json.loads((kit / "data" / article_id / "figures.json").read_text("utf-8"))["figures"]


@pytest.fixture
def new_kit(tmp_path: Path) -> Path:
    """A kit with the fictional article just made by `new`: key and figures unreviewed."""
    kit = codebook_kit(tmp_path / "kit")
    new_article(FIXTURE_ID, FIXTURE, root=kit, **FIXTURE_META)
    return kit


@pytest.fixture(scope="module")
def reviewed_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/kits.py's whole kit with the fictional article, key and figures reviewed (built once)."""
    return reviewed_fixture_kit(tmp_path_factory.mktemp("reviewed") / "kit")


def _review_key(kit: Path, article_id: str = FIXTURE_ID) -> None:
    for sid, (label, rules, rationale) in FIXTURE_REVIEW.items():
        review_entry(article_id, sid, label=label, rules=rules, rationale=rationale, root=kit)


# ------------------------------------------------------------------ the proposer


def test_new_proposes_every_figure_of_the_fictional_article(new_kit: Path):
    figures = {f["text"]: f for f in _ledger(new_kit)}
    assert list(figures) == ["two of its supports", "4.2 million euros", "six months", "1968",
                             "30,000 vehicles a day"]
    cost, months, year, traffic = (figures[t] for t in ("4.2 million euros", "six months", "1968",
                                                          "30,000 vehicles a day"))
    assert (cost["value"], cost["kind"], cost["counts"], cost["hedge"]) == (4_200_000, "amount", "euros", "about")
    assert (months["value"], months["kind"], months["hedge"]) == (6, "period", "at least")
    assert (year["kind"], year["value"], year["hedge"]) == ("date", 1968, None)
    assert (traffic["counts"], traffic["hedge"], traffic["kind"]) == ("vehicles a day", "around", "count")
    assert figures["two of its supports"]["counts"] == "supports"
    assert [f["id"] for f in figures.values()] == ["f01", "f02", "f03", "f04", "f05"]
    assert not any(f["reviewed"] for f in figures.values())
    # Who asserts it: the key's drafted source for the unit, else the outlet (the reporter's own s08).
    assert cost["asserted_by"] == "Kovalenko" and cost["channel"] == ["Kovalenko", "Harbour Gazette"]
    assert traffic["asserted_by"] == "Harbour Gazette" and traffic["channel"] == ["Harbour Gazette"]
    assert "hedged ('about')" in cost["how_to_check"]
    # Months and weekdays are not numbers; the ledger loads (schema, texts in their sentences).
    assert not [t for t in figures if "March" in t or "Tuesday" in t]
    article = load_article(FIXTURE_ID, new_kit, require_reviewed=False)
    assert len(article.figures) == 5 and reviewed_figures(article) == ()


@pytest.mark.parametrize("text, figure, value, kind, counts, hedge", [
    ("Officials said 30% of homes lost power.", "30% of homes", 30, "share", "homes", None),
    ("The fund holds $4.2bn in reserves.", "$4.2bn", 4.2e9, "amount", "", None),
    ("A 23-year-old soldier was killed.", "23-year-old soldier", 23, "age", "soldier", None),
    ("Dozens of civilians fled on December 3.", "Dozens of civilians", None, "count", "civilians", None),
    ("Nearly twenty-five drones were shot down.", "twenty-five drones", 25, "count", "drones", "Nearly"),
    ("Resolution 2231 expired, officials say.", "Resolution 2231", 2231, "identifier", "", None),
    ("No one was hurt, and one of them said so.", None, None, None, None, None),
])
def test_the_proposer_reads_numbers_as_news_writes_them(text, figure, value, kind, counts, hedge):
    found = find_figures(text)
    if figure is None:
        assert found == []
        return
    first = found[0]
    assert text[first.start: first.end] == figure and first.value == value and first.kind.value == kind
    assert (counts in first.counts if counts else True) and first.hedge == hedge


def test_the_day_of_a_month_is_a_date():
    found = find_figures("Dozens of civilians fled on December 3.")
    assert [(f.kind.value, f.value) for f in found][1:] == [("date", 3)]


def _hedge_terms(hedge: str | None) -> set[str]:
    """The lexicon's hedge words and phrases in a hedge ('evidence suggests … around' -> suggests, around)."""
    phrases = lexicon()["hedges"]["before"] + lexicon()["hedges"]["nearby"]
    return {p for p in phrases if hedge and re.search(rf"\b{re.escape(p)}\b", hedge, re.IGNORECASE)}


def test_recall_and_hedges_against_the_kyiv_posts_hand_made_ledger(tmp_path: Path):
    """`new` on the real seed: every hand-made figure is found in a proposed one, with its hedge."""
    own = load_article(OWN, KIT)
    meta = json.loads((own.data_dir / "article.json").read_text("utf-8"))
    kit = codebook_kit(tmp_path / "kit")
    new_article("kyiv-again", own.seed_path, root=kit, outlet=own.outlet, url=own.url, date=own.published)
    proposed = load_article("kyiv-again", kit, require_reviewed=False)
    units = {s.id: s.text for s in proposed.sentences}
    strict = overlap = 0
    for hand in own.figures:
        sentence = own.sentence(hand.sentence).text
        here = [f for f in proposed.figures if units[f.sentence] == sentence]
        found = next((f for f in here if hand.text in f.text), None)
        near = found or next((f for f in here if f.text in hand.text), None)
        strict, overlap = strict + bool(found), overlap + bool(near)
        assert near is not None, f"{hand.id} {hand.text!r} not proposed (proposed here: {[f.text for f in here]})"
        assert near.kind == hand.kind, (hand.id, near.kind, hand.kind)
        assert _hedge_terms(hand.hedge) <= _hedge_terms(near.hedge), (hand.id, hand.hedge, near.hedge)
        assert bool(near.hedge) == bool(hand.hedge), (hand.id, hand.hedge, near.hedge)
    total = len(own.figures)
    print(f"recall on the Kyiv Post ledger ({total} hand-made figures): {strict / total:.2f} with the hand text "
          f"inside the proposed text, {overlap / total:.2f} overlapping; {len(proposed.figures)} proposed")
    assert strict / total >= 0.9 and overlap == total
    assert meta["seed"] and len(proposed.figures) <= total + 2  # few proposals the author must delete


# ------------------------------------------------------------------ review: validate waits, the CLI confirms


def _readme_figure_commands() -> list[list[str]]:
    """The `figures` commands of README's 'Bring your own article', split as a shell would."""
    text = (KIT / "README.md").read_text("utf-8")
    section = text[text.index("## Bring your own article"):]
    return [shlex.split(line)[3:] for line in section.splitlines()
            if line.startswith("python -m reportkit figures ")]


def test_validate_refuses_unreviewed_figures_until_the_readmes_review(tmp_path: Path):
    kit = codebook_kit(tmp_path / "kit")
    shutil.copy2(FIXTURE, kit / "harbour-bridge.txt")
    made = _cli("new", README_ID, "--from", "harbour-bridge.txt", "--outlet", "Harbour Gazette",
                "--url", "https://example.org/harbour-bridge", "--date", "2025-03-14", cwd=kit)
    assert made.returncode == 0, made.stderr
    assert f"Then review the 5 proposed figures (every number in the text, unreviewed): python -m reportkit " \
           f"figures {README_ID}" in made.stdout
    shown = _cli("show", README_ID, cwd=kit).stdout
    assert f"5 figures are not reviewed yet: f01, f02, f03, f04, f05 (python -m reportkit figures {README_ID})" \
        in shown.replace("\n", " ")
    _review_key(kit, README_ID)
    refused = _cli("validate", README_ID, cwd=kit)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        f"{README_ID}: INVALID",
        f"  - data/{README_ID}/figures.json: 5 figures are not reviewed yet: f01, f02, f03, f04, f05 (review each: "
        f"python -m reportkit figures {README_ID} --confirm ID [corrections], or --delete ID)"]
    with pytest.raises(DataError, match=rf"data/{README_ID}/figures.json: record 'f01' \(#1\), field 'reviewed': "
                                        rf"not reviewed yet: check it, then `python -m reportkit figures {README_ID} "
                                        r"--confirm f01` \(with corrections\) or `--delete f01`"):
        load_article(README_ID, kit)

    readme = _readme_figure_commands()
    assert [c[2:3] for c in readme] == [[], ["--confirm"], ["--confirm"], ["--delete"]]
    assert {c[1] for c in readme} == {README_ID} and readme[2][3:] == ["f01", "f03", "f05"]  # several at once
    listed = _cli(*readme[0], cwd=kit)
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()
    assert rows[0].split()[:4] == ["#", "id", "unit", "kind"]
    assert rows[2].split()[:9] == ["2", "f02", "s05", "amount", "4.2", "million", "euros", "about", "euros"]
    assert rows[2].split()[-1] == "no" and "0 of 5 reviewed" in listed.stdout
    for command in readme[1:]:
        done = _cli(*command, cwd=kit)
        assert done.returncode == 0, done.stderr
    ledger = {f["id"]: f for f in _ledger(kit, README_ID)}
    assert "f04" not in ledger and all(f["reviewed"] for f in ledger.values())
    assert ledger["f02"]["channel"] == ["Anna Kovalenko", "Harbour Gazette"]  # the new asserter heads it
    assert ledger["f03"]["hedge"] == "at least"  # confirmed as proposed
    refused = _cli("figures", README_ID, "--confirm", "f01", "f03", "--counts", "x", cwd=kit)
    assert refused.returncode == 1 and "go with --confirm and one ID" in refused.stderr
    valid = _cli("validate", README_ID, cwd=kit)
    assert valid.returncode == 0, valid.stderr
    assert "4 figures" in valid.stdout
    assert reviewed_figures(load_article(README_ID, kit)) == load_article(README_ID, kit).figures


def test_review_refuses_what_the_sentence_does_not_hold(new_kit: Path):
    path = new_kit / "data" / FIXTURE_ID / "figures.json"
    before = path.read_bytes()
    refusals = [
        ("f02", {"text": "4.3 million euros"}, "does not occur in sentence s05"),
        ("f02", {"hedge": "roughly"}, "the hedge 'roughly' does not occur"),
        ("f02", {"kind": "money"}, "kind 'money' is not one of count, amount"),
        ("f04", {}, "say what the number counts"),
        ("f02", {"colour": "red"}, "unknown field"),
        ("f02", {"value": "lots"}, "the value is a number"),
    ]
    for fid, fields, message in refusals:
        with pytest.raises(ValueError, match=re.escape(message)):
            review_figure(FIXTURE_ID, fid, root=new_kit, **fields)
    with pytest.raises(KeyError, match="no figure 'f99'"):
        review_figure(FIXTURE_ID, "f99", root=new_kit)
    assert path.read_bytes() == before  # nothing written when refused
    no_confirm = _cli("figures", FIXTURE_ID, "--hedge", "about", cwd=new_kit)
    assert no_confirm.returncode == 1 and "go with --confirm and one ID" in no_confirm.stderr
    unknown = _cli("figures", FIXTURE_ID, "--delete", "f42", cwd=new_kit)
    assert unknown.returncode == 1 and "no figure 'f42'" in unknown.stderr


def test_review_corrects_and_clears_a_hedge(new_kit: Path):
    figure = review_figure(FIXTURE_ID, "f05", root=new_kit, hedge="", counts="vehicles crossing a day",
                           how_to_check="Ask the bridge authority for its traffic counts.")
    assert figure["hedge"] is None and figure["reviewed"] is True and figure["counts"] == "vehicles crossing a day"
    on_disk = {f["id"]: f for f in _ledger(new_kit)}
    assert on_disk["f05"] == figure and on_disk["f01"]["reviewed"] is False
    two_part = review_figure(FIXTURE_ID, "f02", root=new_kit, hedge="would … about")
    assert two_part["hedge"] == "would … about"


def test_delete_keeps_the_other_ids(new_kit: Path):
    removed = delete_figure(FIXTURE_ID, "f04", root=new_kit)
    assert removed["text"] == "1968"
    assert [f["id"] for f in _ledger(new_kit)] == ["f01", "f02", "f03", "f05"]
    assert len(load_article(FIXTURE_ID, new_kit, require_reviewed=False).figures) == 4
    with pytest.raises(KeyError, match="no figure 'f04'"):
        delete_figure(FIXTURE_ID, "f04", root=new_kit)


def test_a_ledger_without_the_reviewed_field_still_loads():
    own = load_article(OWN, KIT)  # its hand-made ledger predates the field
    raw = json.loads((own.data_dir / "figures.json").read_text("utf-8"))["figures"]
    assert not any("reviewed" in f for f in raw)
    assert len(own.figures) == len(raw) and all(f.reviewed for f in own.figures)
    assert reviewed_figures(own) == own.figures


def test_the_reviewed_fixture_kit_loads_with_its_figures(reviewed_kit: Path):
    article = load_article(FIXTURE_ID, reviewed_kit)
    assert [f.text for f in article.figures] == ["two of its supports", "4.2 million euros", "six months", "1968",
                                                 "30,000 vehicles a day"]
    assert all(f.reviewed for f in article.figures) and article.figures[0].asserted_by == "Anna Kovalenko"


# ------------------------------------------------------------------ upstream.json: empty until entered


def test_lesson_09_says_no_upstream_source_is_entered_yet(reviewed_kit: Path):
    from reportkit import lesson, upstream

    article = load_article(FIXTURE_ID, reviewed_kit)
    assert upstream.load_upstream(article) == upstream.Upstream((), ())
    for block in (upstream.side_by_side(article, "s05"), upstream.sources_table(article)):
        assert block.text == upstream.NONE_ENTERED and "No upstream sources have been entered" in block.html
    assert "No upstream outlets have been entered" in lesson.upstream(article).text
    checks = upstream.figure_checks(article)  # the reviewed ledger, no independent estimate yet
    assert "4.2 million euros" in checks.text and "none found" in checks.text


def test_the_docs_upstream_example_loads(new_kit: Path):
    from reportkit import upstream

    doc = (KIT / "docs" / "authoring.md").read_text("utf-8")
    example = next(block for block in re.findall(r"```json\n(.*?)```", doc, re.DOTALL) if '"c01"' in block)
    (new_kit / "data" / FIXTURE_ID / "upstream.json").write_text(example, "utf-8")
    article = load_article(FIXTURE_ID, new_kit, require_reviewed=False)
    loaded = upstream.load_upstream(article)
    assert loaded is not None and [c.units for c in loaded.comparisons] == [("s05",)]
    assert "4.2 million" in upstream.side_by_side(article, "s05").text
