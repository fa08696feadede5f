"""The lessons' prose states counts and ids of the Kyiv Post article; they must match its data.

The lesson text is written by hand (it teaches, so it cannot be generated), so each claim is
listed here with the fact it rests on. After a change to the key, a failure names the lesson
and the sentence to reword. Each claim must also still be in its lesson, so a reworded lesson
updates this list rather than leaving a stale check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from reportkit.article import Article, load_article
from reportkit.lesson import id_ranges, run_baseline

KIT = Path(__file__).resolve().parent.parent
ARTICLE = "kyivpost-2024-12-zelensky-kyodo"
QUOTE_MARK = re.compile(r"[“”\"]|(?<!\w)[‘’]|[‘’](?!\w)")


def _ids(article: Article, label: str) -> list[str]:
    return article.key.with_label(label)


def _baseline_reported(article: Article) -> tuple[int, int]:
    proposed = {p.id: p.label for p in run_baseline(article)}
    called = [sid for sid, label in proposed.items() if label == "reported"]
    return len(called), sum(article.key[sid].label != "reported" for sid in called)


CLAIMS: list[tuple[str, str, Callable[[Article], object], object]] = [
    ("00", "cut the page into 40 units", lambda a: len(a.sentences), 40),
    ("01", "ten of the 40 units are furniture", lambda a: (len(_ids(a, "furniture")), len(a.sentences)), (10, 40)),
    ("02", "Nine units of the article contain quotation marks",
     lambda a: sum(bool(QUOTE_MARK.search(s.text)) for s in a.sentences), 9),
    ("04", "Only two units are in the reporter's voice: s10, above, and s18", lambda a: _ids(a, "narration"),
     ["s10", "s18"]),
    ("05", "the twelve figures", lambda a: len(a.figures), 12),
    ("07", "the four direct quotes are s03, s04, s21 and s34", lambda a: _ids(a, "quote"),
     ["s03", "s04", "s21", "s34"]),
    ("07", "18 reported claims against four direct quotes",
     lambda a: (len(_ids(a, "reported")), len(_ids(a, "quote"))), (18, 4)),
    ("07", "analysis clusters in s22–s25 with s09 and s28", lambda a: id_ranges(_ids(a, "analysis")),
     "s09, s22–s25, s28"),
    ("07", "page furniture breaks the text at s08, s12–s15, s20, s27, s37 and s39–s40",
     lambda a: id_ranges(_ids(a, "furniture")), "s08, s12–s15, s20, s27, s37, s39–s40"),
    ("08", "three of the 21 units it calls reported claims are something else", _baseline_reported, (21, 3)),
]


@pytest.fixture(scope="module")
def article() -> Article:
    return load_article(ARTICLE, KIT)


def _prose(number: str) -> str:
    path = next((KIT / "notebooks").glob(f"{number}-*.ipynb"))
    cells = nbformat.read(path, as_version=4).cells
    return " ".join(" ".join(c.source.split()) for c in cells if c.cell_type == "markdown")


@pytest.mark.parametrize("lesson, claim, fact, expected", CLAIMS, ids=[f"{c[0]}: {c[1][:40]}" for c in CLAIMS])
def test_lesson_prose_matches_the_data(article: Article, lesson: str, claim: str, fact, expected) -> None:
    assert claim in _prose(lesson), f"lesson {lesson} no longer says {claim!r}: update tests/test_lesson_prose.py"
    assert fact(article) == expected, f"lesson {lesson} says {claim!r}, but the data now gives {fact(article)!r}"
