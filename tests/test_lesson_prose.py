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


def _report_units(article: Article) -> list[str]:
    return [e.id for e in article.key if e.label != "furniture"]


def _newsmakers_share(article: Article) -> tuple[int, int, int, int]:
    his = [sid for sid in _report_units(article) if article.key[sid].attribution.source == article.newsmaker]
    labels = [article.key[sid].label for sid in his]
    return len(his), len(_report_units(article)), labels.count("reported"), labels.count("quote")


def _kyodo_share(article: Article) -> tuple[int, int]:
    via = [sid for sid in _report_units(article) if "Kyodo News" in article.key[sid].attribution.channel]
    return len(via), len(_report_units(article))


def _inferred_via(article: Article, name: str) -> str:
    return id_ranges([e.id for e in article.key
                      if any(n == name and inferred for n, inferred in e.attribution.chain_nodes())])


def _last_man_before_s21(article: Article) -> tuple[str, str, str | None]:
    named = [s.id for s in article.sentences[: article.ids.index("s21")]
             if "Trump" in s.text and article.key[s.id].label != "furniture"]
    return "Trump", named[-1], article.key["s21"].attribution.source


CLAIMS: list[tuple[str, str, Callable[[Article], object], object]] = [
    ("00", "cut the page into 40 units", lambda a: len(a.sentences), 40),
    ("01", "ten of the 40 units are furniture", lambda a: (len(_ids(a, "furniture")), len(a.sentences)), (10, 40)),
    ("02", "Nine units of the article contain quotation marks",
     lambda a: sum(bool(QUOTE_MARK.search(s.text)) for s in a.sentences), 9),
    ("04", "Only two whole units are in the reporter's voice: s10, above, and s18", lambda a: _ids(a, "narration"),
     ["s10", "s18"]),
    ("01", "“There will be no capitulation from the side of Ukraine,” he said, the last man named is Trump (s19)",
     _last_man_before_s21, ("Trump", "s19", "Volodymyr Zelensky")),
    ("01", "the teaser names Kuleba as its speaker (and its dek mentions the Trump presidency)",
     lambda a: ("Kuleba" in a.sentence("s14").text, "Trump presidency" in a.sentence("s15").text), (True, True)),
    ("03", "The key records Sky News for s34–s38 as an **inference**", lambda a: _inferred_via(a, "Sky News"),
     "s34–s36, s38"),
    ("05", "Zelensky asserts three (12,000 troops, two and a half brigades, ten brigades)",
     lambda a: [f.text for f in a.figures if f.asserted_by == a.newsmaker],
     ["12,000", "two and a half", "ten brigades"]),
    ("05", "the twelve figures", lambda a: len(a.figures), 12),
    ("07", "the four direct quotes are s03, s04, s21 and s34", lambda a: _ids(a, "quote"),
     ["s03", "s04", "s21", "s34"]),
    ("07", "17 of its 30 units are his, 13 reported claims and all four direct quotes", _newsmakers_share,
     (17, 30, 13, 4)),
    ("07", "The other five reported claims are not his: the FT's (s26, s30), an unnamed officer's (s29), the US "
     "and UK's (s31) and an unnamed US official's (s32)",
     lambda a: [sid for sid in _ids(a, "reported") if a.key[sid].attribution.source != a.newsmaker],
     ["s26", "s29", "s30", "s31", "s32"]),
    ("07", "the largest share of the article, 13 of its 30 units", _kyodo_share, (13, 30)),
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
    """The lesson's markdown and its sections' notes in article.json (prose that holds for this article only)."""
    path = next((KIT / "notebooks").glob(f"{number}-*.ipynb"))
    cells = nbformat.read(path, as_version=4).cells
    notes = [entry.get("note", "") for section, entry in load_article(ARTICLE, KIT).lessons.items()
             if section.startswith(f"{number}.")]
    return " ".join(" ".join(text.split()) for text in [c.source for c in cells if c.cell_type == "markdown"] + notes)


@pytest.mark.parametrize("lesson, claim, fact, expected", CLAIMS, ids=[f"{c[0]}: {c[1][:40]}" for c in CLAIMS])
def test_lesson_prose_matches_the_data(article: Article, lesson: str, claim: str, fact, expected) -> None:
    assert claim in _prose(lesson), f"lesson {lesson} no longer says {claim!r}: update tests/test_lesson_prose.py"
    assert fact(article) == expected, f"lesson {lesson} says {claim!r}, but the data now gives {fact(article)!r}"
