"""Lesson 08's statements about the baseline, each computed from the data it rests on.

Lesson 08 says what the machine gets right and what it misses, on the Kyiv Post article and on the
held-out fictional report, and why. Each statement is listed here with the computation behind it; a
change to the rules, the key or the fixtures that makes one untrue fails here and names the sentence
to reword. Each statement must also still be in the lesson, so a reworded lesson updates this list.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from reportkit import baseline
from reportkit.article import Article, load_article
from reportkit.checks import load_questions
from reportkit.lesson import id_ranges, run_baseline, score_baseline

KIT = Path(__file__).resolve().parent.parent
ARTICLE = "kyivpost-2024-12-zelensky-kyodo"
HELDOUT = KIT / "tests" / "fixtures" / "heldout-varnia-talks.txt"
sys.path.insert(0, str(KIT / "benchmarks"))

from measure_baseline import heldout_gold  # noqa: E402

# The causes on q08_1's menu that a reader resolves from the unit before: who 'he' is, and a
# teaser's summary under its headline. The others ("missing-cue", "partial-quote"…) are in the unit.
NEEDS_THE_UNIT_BEFORE = {"earlier-sentence", "teaser"}


def _scores(article: Article):
    return score_baseline(article, run_baseline(article))


def _pr(label: str) -> Callable[[Article], tuple[float, float]]:
    return lambda a: (round(_scores(a).precision[label], 2), round(_scores(a).recall[label], 2))


def _analysis_found(article: Article) -> tuple[int, int, int]:
    scores = _scores(article)
    proposed = sum(n for (_, given), n in scores.confusion.items() if given == "analysis")
    return scores.confusion[("analysis", "analysis")], proposed, scores.support["analysis"]


def _off_diagonal(article: Article) -> dict[tuple[str, str], int]:
    return {cell: n for cell, n in _scores(article).confusion.items() if cell[0] != cell[1] and n}


def _misses(article: Article) -> list[str]:
    gold = {e.id: e.label for e in article.key}
    return [m.id for m in baseline.misses(gold, run_baseline(article))]


def _misses_needing_the_unit_before(article: Article) -> tuple[int, int]:
    causes = load_questions(article)["q08_1"].spec["expected"]
    assert sorted(causes) == _misses(article), "q08_1 must list exactly the baseline's misses"
    return sum(cause in NEEDS_THE_UNIT_BEFORE for cause in causes.values()), len(causes)


def carry_analysis(text, previous):
    """The lesson's greedy rule, as the lesson defines it."""
    if previous is not None and previous.label == "analysis" and baseline.find_cue(text):
        return "analysis"
    return None


def _carry_effect(article: Article) -> tuple[list[str], str]:
    gold = {e.id: e.label for e in article.key}
    changes = baseline.effect(gold, run_baseline(article), run_baseline(article, carry_analysis))
    return changes.fixed, id_ranges(changes.broken)


def _heldout() -> tuple[int, int, int, int]:
    """On the held-out text: (units right, units, units of analysis missed, units of analysis found)."""
    segments, gold, _, _ = heldout_gold(HELDOUT)
    proposed = {p.id: p.label for p in baseline.propose_all(segments)}
    right = sum(proposed[s] == gold[s] for s in gold)
    analysis = [s for s in gold if gold[s] == "analysis"]
    found = sum(proposed[s] == "analysis" for s in analysis)
    return right, len(gold), len(analysis) - found, found


CLAIMS: list[tuple[str, Callable[[Article], object], object]] = [
    ("precision and recall are 1.00", lambda a: (_pr("quote")(a), _pr("narration")(a)), ((1.0, 1.0), (1.0, 1.0))),
    ("Reported claims have full recall but precision 0.86", _pr("reported"), (0.86, 1.0)),
    ("three of the 21 units it calls reported claims are something else",
     lambda a: (sum(n for (_, g), n in _scores(a).confusion.items() if g == "reported"),
                sum(n for (k, g), n in _scores(a).confusion.items() if g == "reported" and k != "reported")), (21, 3)),
    ("precision 0.75 (three of its four “analysis” units are right) and recall 0.50 (it finds three of the six)",
     lambda a: (_pr("analysis")(a), _analysis_found(a)), ((0.75, 0.5), (3, 4, 6))),
    ("Accuracy, the share of all 40 units it labels as the key does, is 0.90",
     lambda a: (len(a.sentences), round(_scores(a).accuracy, 2)), (40, 0.9)),
    ("three units of analysis read as reported claims, and one unit of page furniture read as analysis",
     _off_diagonal, {("analysis", "reported"): 3, ("furniture", "analysis"): 1}),
    ("An observer introduced one sentence earlier (s23, s24, s25)", lambda a: _misses(a)[1:], ["s23", "s24", "s25"]),
    ("A teaser's summary that reads like analysis (s15)", lambda a: _misses(a)[:1], ["s15"]),
    ("So on this article all four misses need the unit before", _misses_needing_the_unit_before, (4, 4)),
    ("It fixes s23–s25 and breaks eleven units", lambda a: (id_ranges(_carry_effect(a)[0]),
                                                            len(baseline.effect(
                                                                {e.id: e.label for e in a.key}, run_baseline(a),
                                                                run_baseline(a, carry_analysis)).broken)),
     ("s23–s25", 11)),
    ("turned Zelensky's own forecasts in s16 and s17 into analysis", lambda a: _carry_effect(a)[1][:7], "s16–s17"),
    ("from an anonymous officer (s29) and a US official (s32, R5) to Zelensky's own claims in s33–s36",
     lambda a: _carry_effect(a)[1], "s16–s17, s26, s29–s36"),
    ("the same baseline labels 29 of its 33 units as the labeller did", lambda a: _heldout()[:2], (29, 33)),
    ("but finds only one of its four units of analysis", lambda a: _heldout()[2:], (3, 1)),
]


@pytest.fixture(scope="module")
def article() -> Article:
    return load_article(ARTICLE, KIT)


def _prose() -> str:
    path = KIT / "notebooks" / "08-machine-baseline.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    return " ".join(" ".join(c.source.split()) for c in cells if c.cell_type == "markdown")


@pytest.mark.parametrize("claim, fact, expected", CLAIMS, ids=[c[0][:50] for c in CLAIMS])
def test_lesson_08_prose_matches_the_data(article: Article, claim: str, fact, expected) -> None:
    assert claim in _prose(), f"lesson 08 no longer says {claim!r}: update tests/test_lesson08_prose.py"
    assert fact(article) == expected, f"lesson 08 says {claim!r}, but the data now gives {fact(article)!r}"


def test_the_greedy_rule_in_the_lesson_is_the_one_tested_here() -> None:
    # The lesson defines carry_analysis in a code cell; this test's copy must say the same.
    path = KIT / "notebooks" / "08-machine-baseline.ipynb"
    code = " ".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert 'previous.label == "analysis" and baseline.find_cue(text)' in code


def test_the_heldout_misses_named_in_the_lesson_are_its_misses() -> None:
    # "an analyst introduced a sentence earlier, diplomats …, and a verb missing from its list (read … as)
    # …, and it takes a teaser's summary for analysis"
    segments, gold, _, _ = heldout_gold(HELDOUT)
    wrong = {p.text.split()[0]: (gold[p.id], p.label) for p in baseline.propose_all(segments) if p.label != gold[p.id]}
    assert wrong == {"Oduya": ("analysis", "reported"), "Diplomats": ("analysis", "reported"),
                     "The": ("analysis", "narration"), "Economists": ("furniture", "analysis")}
    assert "read … as" in _prose() and "a teaser's summary for analysis" in _prose()
