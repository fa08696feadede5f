"""Upstream comparisons (data/<article>/upstream.json): short exact excerpts with their addresses,
aligned to units that exist, shown side by side; and the figures ledger's confirmers and estimates."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from reportkit import sections
from reportkit.article import Article, load_article
from reportkit.checks import load_questions, score
from reportkit.errors import DataError
from reportkit.upstream import (
    MAX_SENTENCES,
    MAX_WORDS,
    NOT_IN_BUNDLE,
    Role,
    Shows,
    differing_words,
    load_upstream,
    marked,
    sentences,
    side_by_side,
    words,
)

KIT = Path(__file__).resolve().parent.parent
ARTICLE = "kyivpost-2024-12-zelensky-kyodo"
DATA = KIT / "data" / ARTICLE
LESSON = KIT / "notebooks" / "09-one-interview-many-reports.ipynb"


@pytest.fixture(scope="module")
def article() -> Article:
    return load_article(ARTICLE, KIT)


def _raw() -> dict:
    return json.loads((DATA / "upstream.json").read_text("utf-8"))


def _data_kit(tmp_path: Path, change=None) -> Path:  # noqa: ANN001 - a function that edits upstream.json's dict
    """A kit with only the data and seeds, its upstream.json changed by ``change`` (None: removed)."""
    for name in ("data", "seeds"):
        shutil.copytree(KIT / name, tmp_path / name)
    path = tmp_path / "data" / ARTICLE / "upstream.json"
    if change is None:
        path.unlink()
    else:
        doc = _raw()
        change(doc)
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return tmp_path


# ------------------------------------------------------------------ the shipped data


def test_every_excerpt_is_short_exact_material_with_an_address(article):
    upstream = load_upstream(article)
    assert upstream is not None and len(upstream.comparisons) >= 20
    for comparison in upstream.comparisons:
        assert words(comparison.excerpt) <= MAX_WORDS, comparison.id
        assert sentences(comparison.excerpt) <= MAX_SENTENCES, comparison.id
        assert re.match(r"https?://\S+$", comparison.source.url), comparison.id
        assert set(comparison.units) <= set(article.ids), comparison.id


def test_every_source_is_used_and_every_kind_of_comparison_is_taught(article):
    upstream = load_upstream(article)
    used = {c.source.id for c in upstream.comparisons}
    assert used == {s.id for s in upstream.sources}
    assert {c.shows for c in upstream.comparisons} == set(Shows)
    assert {s.role for s in upstream.sources} >= {Role.ORIGIN, Role.RENDERING}


def test_the_issues_comparisons_are_in_the_data(article):
    upstream = load_upstream(article)
    some = upstream.about("s03", shows=Shows.CHANGED_WORD)[0]
    assert "some of the Russian-occupied parts" in some.excerpt and "all Russian-occupied areas" in some.article_marks
    assert any("appear to represent" in c.excerpt for c in upstream.about("s09", shows=Shows.HEDGE_DROPPED))
    assert any("in Ukrainian" in c.excerpt for c in upstream.about("s03", shows=Shows.TRANSLATION))
    assert any("claimed" in c.upstream_marks for c in upstream.about("s19", shows=Shows.CUE))
    assert {"s35", "s36", "s38"} <= {u for c in upstream.about(shows=Shows.SOURCE_CONFIRMED) for u in c.units}
    assert any("involved in hostilities" in c.upstream_marks for c in upstream.about("s30", shows=Shows.FIGURE))


def test_the_lessons_counts_match_the_data(article):
    prose = " ".join(" ".join(c.source.split()) for c in nbformat.read(LESSON, as_version=4).cells
                     if c.cell_type == "markdown")
    prose += " " + " ".join(sections.note(article, "09.sources").split())  # the Kyiv Post's caption (article.json)
    upstream = load_upstream(article)
    numbers = {2: "two", 3: "Three", 15: "fifteen", 16: "sixteen", 17: "seventeen", 18: "eighteen"}
    assert f"Table: {numbers[len(upstream.sources)]} sources." in prose
    origins = [s for s in upstream.sources if s.role is Role.ORIGIN]
    assert f"{numbers[len(origins)]} give an origin's own words" in prose
    assert {s.outlet for s in origins} == {"Kyodo News", "Sky News"}
    assert [s.language for s in upstream.sources].count("de") == 1 and "one German page" in prose


def test_the_lesson_credits_every_outlet(article):
    cells = nbformat.read(LESSON, as_version=4).cells
    credits = cells[-1].source
    for source in load_upstream(article).sources:
        assert source.outlet in credits, source.outlet
        if source.carried_by:
            assert source.carried_by in credits, source.carried_by


# ------------------------------------------------------------------ bad data is refused, with the reason


def _long(doc: dict) -> None:
    doc["comparisons"][0]["excerpt"] = " ".join(["word"] * (MAX_WORDS + 1))
    doc["comparisons"][0]["marks"]["upstream"] = []


def _three_sentences(doc: dict) -> None:
    doc["comparisons"][0]["excerpt"] = "One thing. Another thing. A third thing."
    doc["comparisons"][0]["marks"]["upstream"] = []


def _unknown_unit(doc: dict) -> None:
    doc["comparisons"][0]["units"] = ["s03", "s99"]


def _no_address(doc: dict) -> None:
    doc["sources"][0]["url"] = "manilastandard.net"


def _mark_not_quoted(doc: dict) -> None:
    doc["comparisons"][0]["marks"]["upstream"] = ["words nobody wrote"]


def _unknown_source(doc: dict) -> None:
    doc["comparisons"][0]["source"] = "nowhere"


@pytest.mark.parametrize("change, message", [
    (_long, f"{MAX_WORDS + 1} words"), (_three_sentences, "3 sentences"), (_unknown_unit, "no unit s99"),
    (_no_address, "does not match"), (_mark_not_quoted, "is not in the excerpt"), (_unknown_source, "no source"),
])
def test_bad_upstream_data_is_refused_with_the_reason(tmp_path, change, message):
    kit = _data_kit(tmp_path, change)
    article = load_article(ARTICLE, kit)
    with pytest.raises(DataError, match=re.escape(message)):
        load_upstream(article)


def test_counting_words_and_sentences():
    assert words("Kyiv’s 2.5 brigades, “some of” them.") == 6
    assert sentences("“Our army lacks the strength to do that. That is true,” he said.") == 2
    assert sentences("Over ... territories, this means that.") == 1
    assert sentences("„Wir brauchen eine Linie.“ „Aber nicht unbedingt“, sagte er dem Portal „Table.Briefings“.") == 2


# ------------------------------------------------------------------ the display


def test_side_by_side_marks_the_differing_words_in_html_and_text(article):
    block = side_by_side(article, "s03", shows="changed-word")
    assert '">all Russian-occupied areas</mark>' in block.html
    assert '">some of the Russian-occupied parts</mark>' in block.html
    assert "⟦some of the Russian-occupied parts⟧" in block.text and "⟦all Russian-occupied areas⟧" in block.text
    assert "https://manilastandard.net/" in block.html and "https://manilastandard.net/" in block.text
    assert "Kyodo News (via Manila Standard)" in block.text


def test_exercise_view_hides_marks_and_notes(article):
    block = side_by_side(article, "s09", notes=False)
    assert "<mark" not in block.html and "⟦" not in block.text
    assert "appear to represent a shift" in block.text  # the excerpt is there to compare
    assert "hedge" not in block.text.lower()  # what it shows is the learner's to find


def test_marks_without_data_fall_back_to_a_word_diff():
    left, right = differing_words("Our army lacks the strength to do that.",
                                  "Our army lacks the strength to take back some territories.")
    assert left == ["do that."] and right == ["take back some territories."]
    html, text = marked("a < b and b", ["b"])
    assert html.count("<mark") == 2 and "&lt;" in html and text == "a < ⟦b⟧ and ⟦b⟧"


def test_a_bundle_without_upstream_json_says_so(tmp_path):
    """A graded copy leaves the comparisons out: the exercise's cells still run and say why."""
    article = load_article(ARTICLE, _data_kit(tmp_path, None))
    assert load_upstream(article) is None
    assert repr(side_by_side(article, "s03")) == NOT_IN_BUNDLE


# ------------------------------------------------------------------ the exercise's answers


@pytest.mark.parametrize("qid, wrong, right", [
    ("q09_1", "all", "some"), ("q09_2", "potential", "appear to"), ("q09_3", "English", "Ukrainian"),
    ("q09_4", "Yeni Şafak", "news-pravda.com"), ("q09_5", "Monday", "Sunday"),
    ("q09_6", ["s22", "s24"], ["s25", "s22"]), ("q09_7", ["s34", "s35"], ["s35", "s36", "s38"]),
    ("q09_8", "Kyodo News", "Pentagon"), ("q09_9", ["s29"], ["s30", "s26"]),
])
def test_q09_checks_explain_a_wrong_answer_and_pass_the_right_one(article, qid, wrong, right):
    question = load_questions(article)[qid]
    missed = score(question, wrong, article)
    assert not missed.passed and missed.points == 0 and len(missed.message) > len(qid) + 10
    assert score(question, right, article).passed
    assert not score(question, ..., article).passed


# ------------------------------------------------------------------ the figures ledger


def test_every_figure_says_who_could_confirm_it_and_quotes_estimates_exactly(article):
    assert all(f.who_could_confirm for f in article.figures)
    estimates = [e for f in article.figures for e in f.independent_estimates]
    assert estimates, "the 12,000 North Korean troops have independent estimates"
    for estimate in estimates:
        assert re.match(r"https?://\S+$", estimate.address)
        assert words(estimate.excerpt) <= MAX_WORDS and sentences(estimate.excerpt) <= MAX_SENTENCES
    by_id = {f.id: f for f in article.figures}
    assert {e.address.split("/")[2] for e in by_id["f01"].independent_estimates} == {
        "www.koreaherald.com", "www.cumhuriyetdaily.com"}


def test_new_figure_keys_come_last_in_each_record():
    records = json.loads((DATA / "figures.json").read_text("utf-8"))["figures"]
    for record in records:
        assert list(record)[-2:] == ["who_could_confirm", "independent_estimates"], record["id"]
