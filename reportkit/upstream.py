"""Upstream and parallel reports of an article: short exact excerpts aligned to its units.

``data/<article>/upstream.json`` lists the outlets an article's claims come from (the origin)
and other outlets' renderings of the same event, each with short excerpts quoted exactly from a
named page and aligned to the article's unit ids. :func:`load_upstream` reads and checks it;
:func:`side_by_side` shows a unit next to its excerpts with the differing words marked (HTML for
Jupyter, plain text for everything else). A graded bundle leaves the file out (the comparisons
are an exercise's answers): the display helpers then say so instead of failing.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from reportkit.article import Article, reviewed_figures
from reportkit.blocks import Block
from reportkit.blocks import esc as _esc
from reportkit.blocks import table as _table
from reportkit.datafiles import find_kit_root, read_json
from reportkit.errors import DataError, Problem, display_path

FILE_NAME = "upstream.json"
MAX_WORDS = 40  # an excerpt quotes no more than teaching needs
MAX_SENTENCES = 2
# A sentence ends at . ! or ? (after any closing quotation mark), before a space and a capital or an opening quote.
SENTENCE_END = re.compile(r"[.!?][”\"“]?\s+(?=[A-ZÀ-Ý„“\"])")
MARK_STYLE = "color:inherit;background-color:rgba(204,121,167,.3);text-decoration:underline"
NOT_IN_BUNDLE = ("The upstream comparisons are not in this bundle (a graded copy leaves them out, because "
                 "they are an exercise's answers). Find the reports yourself from the sources the article names.")
NONE_ENTERED = ("No upstream sources have been entered for this article yet, so there is nothing to compare: "
                "find the reports yourself from the sources the article names.")


class Role(str, Enum):
    """What a source is to the article's claims."""

    ORIGIN = "origin"  # the outlet that did the interview or the report
    TRANSLATION = "translation"  # the same text in another language
    RENDERING = "rendering"  # another outlet's report of it


class Shows(str, Enum):
    """What a comparison shows a reader."""

    TRANSLATION = "translation"
    CHANGED_WORD = "changed-word"
    HEDGE_DROPPED = "hedge-dropped"
    CUE = "cue"
    FRAME = "frame"
    DATE = "date"
    TENSION = "tension"
    FIGURE = "figure"
    SOURCE_CONFIRMED = "source-confirmed"

    @property
    def heading(self) -> str:  # not `title`: that is str's own method
        return _SHOWS_TITLES[self]


_SHOWS_TITLES = {
    Shows.TRANSLATION: "a translation", Shows.CHANGED_WORD: "a changed word", Shows.HEDGE_DROPPED: "a hedge dropped",
    Shows.CUE: "a cue verb", Shows.FRAME: "a frame", Shows.DATE: "a date", Shows.TENSION: "a tension resolved",
    Shows.FIGURE: "a figure's meaning", Shows.SOURCE_CONFIRMED: "the source confirmed",
}


@dataclass(frozen=True)
class Source:
    id: str
    outlet: str
    url: str
    language: str
    role: Role
    about: str
    carried_by: str | None = None
    published: str | None = None  # as the page or its address shows it
    published_where: str | None = None  # "page" or "address"

    @property
    def credit(self) -> str:
        """The outlet, and the site whose copy was read when that is another."""
        return f"{self.outlet} (via {self.carried_by})" if self.carried_by else self.outlet


@dataclass(frozen=True)
class Comparison:
    id: str
    source: Source
    units: tuple[str, ...]
    excerpt: str
    shows: Shows
    note: str
    article_marks: tuple[str, ...] = ()
    upstream_marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Upstream:
    sources: tuple[Source, ...]
    comparisons: tuple[Comparison, ...]

    def about(self, *unit_ids: str, shows: Shows | str | None = None) -> list[Comparison]:
        """The comparisons that bear on any of ``unit_ids`` (all when none), optionally of one kind."""
        kind = Shows(shows) if shows else None
        return [c for c in self.comparisons
                if (not unit_ids or set(unit_ids) & set(c.units)) and (kind is None or c.shows is kind)]


def words(text: str) -> int:
    """Words as a reader counts them: runs of letters or digits, so "2.5" and "Kyiv’s" are one."""
    return len(re.findall(r"[\w’'.,-]*\w", text))


def sentences(text: str) -> int:
    return len(SENTENCE_END.split(text.strip()))


def excerpt_problem(excerpt: str) -> str | None:
    """Why an excerpt quotes more than teaching needs, or None."""
    if words(excerpt) > MAX_WORDS:
        return f"{words(excerpt)} words: quote at most {MAX_WORDS}"
    if sentences(excerpt) > MAX_SENTENCES:
        return f"{sentences(excerpt)} sentences: quote at most {MAX_SENTENCES}"
    return None


def load_upstream(article: Article) -> Upstream | None:
    """The article's upstream.json, checked against its units; None when the bundle has none."""
    path = article.data_dir / FILE_NAME
    if not path.exists():
        return None
    shown = display_path(path, article.root)
    problems: list[Problem] = []
    doc = read_json(path, "upstream", problems, shown)
    if doc is None:
        raise DataError(problems)
    sources = {item["id"]: _source(item) for item in doc["sources"]}
    comparisons = [_comparison(item, sources, article, problems, shown) for item in doc["comparisons"]]
    problems += _duplicates(shown, [s["id"] for s in doc["sources"]] + [c["id"] for c in doc["comparisons"]])
    if problems:
        raise DataError(problems)
    return Upstream(tuple(sources.values()), tuple(c for c in comparisons if c is not None))


def _source(item: dict) -> Source:
    published = item.get("published") or {}
    return Source(item["id"], item["outlet"], item["url"], item["language"], Role(item["role"]), item["about"],
                  item.get("carried_by"), published.get("shown"), published.get("where"))


def _comparison(item: dict, sources: dict[str, Source], article: Article, problems: list[Problem],
                shown: str) -> Comparison | None:
    def bad(field: str, message: str) -> None:
        problems.append(Problem(shown, item["id"], field, message))

    source = sources.get(item["source"])
    if source is None:
        bad("source", f"no source {item['source']!r}")
    unknown = [sid for sid in item["units"] if sid not in article.ids]
    if unknown:
        bad("units", f"no unit {', '.join(unknown)} in the article")
    if why := excerpt_problem(item["excerpt"]):
        bad("excerpt", why)
    units_text = " ".join(article.sentence(sid).text for sid in item["units"] if sid in article.ids)
    for mark in item["marks"]["article"]:
        if mark not in units_text:
            bad("marks", f"{mark!r} is not in {', '.join(item['units'])}")
    for mark in item["marks"]["upstream"]:
        if mark not in item["excerpt"]:
            bad("marks", f"{mark!r} is not in the excerpt")
    if source is None or unknown:
        return None
    return Comparison(item["id"], source, tuple(item["units"]), item["excerpt"], Shows(item["shows"]), item["note"],
                      tuple(item["marks"]["article"]), tuple(item["marks"]["upstream"]))


def _duplicates(shown: str, ids: list[str]) -> list[Problem]:
    counts = Counter(ids)
    return [Problem(shown, i, "id", f"duplicate id {i!r}") for i, n in counts.items() if n > 1]


# ---------------------------------------------------------------- marking the differing words


def differing_words(left: str, right: str) -> tuple[list[str], list[str]]:
    """The words of ``left`` not matched in ``right`` and the reverse (a word-level diff, case and
    punctuation ignored): the fallback marks when a comparison names none."""
    a, b = left.split(), right.split()
    fold = [re.sub(r"\W", "", w).casefold() for w in a], [re.sub(r"\W", "", w).casefold() for w in b]
    matcher = difflib.SequenceMatcher(None, fold[0], fold[1], autojunk=False)
    only_left, only_right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            only_left += [" ".join(a[i1:i2])] if i2 > i1 else []
            only_right += [" ".join(b[j1:j2])] if j2 > j1 else []
    return only_left, only_right


def _spans(text: str, marks: Iterable[str]) -> list[tuple[int, int]]:
    """Where the marks occur in ``text`` (every occurrence), merged and in order."""
    found = sorted((m.start(), m.end()) for mark in marks if mark for m in re.finditer(re.escape(mark), text))
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, marks: Iterable[str]) -> tuple[str, str]:
    """``text`` with the marks highlighted: (HTML, plain text with the marks in ⟦ ⟧)."""
    html_parts, text_parts, last = [], [], 0
    for start, end in _spans(text, marks):
        html_parts += [_esc(text[last:start]), f'<mark style="{MARK_STYLE}">{_esc(text[start:end])}</mark>']
        text_parts += [text[last:start], f"⟦{text[start:end]}⟧"]
        last = end
    return "".join(html_parts + [_esc(text[last:])]), "".join(text_parts + [text[last:]])


def _marks(comparison: Comparison, units_text: str) -> tuple[list[str], list[str]]:
    """The comparison's own marks, or a word diff when it names none."""
    if comparison.article_marks or comparison.upstream_marks:
        return list(comparison.article_marks), list(comparison.upstream_marks)
    return differing_words(units_text, comparison.excerpt)


# ---------------------------------------------------------------- displays


def _link(source: Source) -> str:
    return f'<a href="{_esc(source.url)}" target="_blank" rel="noopener">{_esc(source.credit)}</a>'


def side_by_side(article: Article, *unit_ids: str, shows: Shows | str | None = None, notes: bool = True) -> Block:
    """Each comparison that bears on the units: the article's words | the upstream excerpt, the
    differing words marked, with the outlet, its address and what the comparison shows.

    ``notes=False`` (for exercises) leaves out the marks and what each comparison shows: the
    reader finds the differences."""
    upstream = load_upstream(article)
    if upstream is None:
        return Block(f"<p><i>{_esc(NOT_IN_BUNDLE)}</i></p>", NOT_IN_BUNDLE)
    if not upstream.comparisons:
        return Block(f"<p><i>{_esc(NONE_ENTERED)}</i></p>", NONE_ENTERED)
    comparisons = upstream.about(*unit_ids, shows=shows)
    if not comparisons:
        message = f"No upstream excerpt bears on {', '.join(unit_ids) or 'this article'}."
        return Block(f"<p><i>{_esc(message)}</i></p>", message)
    rows = [_row(article, comparison, notes) for comparison in comparisons]
    headers = [article.outlet, "upstream", "what it shows"][: 3 if notes else 2]
    table = _table(headers, [r[0] for r in rows], [r[1] for r in rows])
    text = "\n\n".join(" | ".join(r[0]) for r in rows)
    if not notes:
        return Block(table.html, text)
    legend = "Marked: the words that differ."
    return Block(f'{table.html}<p style="opacity:.75;font-size:90%">{legend}</p>', f"{text}\n({legend[:-1]}, in ⟦ ⟧.)")


def _row(article: Article, comparison: Comparison, notes: bool) -> tuple[list[str], list[str]]:
    units = [article.sentence(sid) for sid in comparison.units]
    units_text = " ".join(s.text for s in units)
    article_marks, upstream_marks = _marks(comparison, units_text) if notes else ([], [])
    cells = [(s.id, *marked(s.text, article_marks)) for s in units]
    left_html = " ".join(f"<sup><code>{sid}</code></sup>&#8239;{html}" for sid, html, _ in cells)
    left_text = " ".join(f"[{sid}] {text}" for sid, _, text in cells)
    right_html, right_text = marked(comparison.excerpt, upstream_marks)
    source = comparison.source
    date = f", {source.published}" if source.published else ""
    right_html = f"{right_html}<br><small>— {_link(source)}{_esc(date)}</small>"
    right_text = f"{right_text} — {source.credit}{date}, {source.url}"
    if not notes:
        return [left_text, right_text], [left_html, right_html]
    what = f"{comparison.shows.heading}: {comparison.note}"
    what_html = f"<b>{_esc(comparison.shows.heading)}</b>: {_esc(comparison.note)}"
    return [left_text, right_text, what], [left_html, right_html, what_html]


def sources_table(article: Article) -> Block:
    """Every upstream or parallel source: outlet, role, language, date as shown, address."""
    upstream = load_upstream(article)
    if upstream is None:
        return Block(f"<p><i>{_esc(NOT_IN_BUNDLE)}</i></p>", NOT_IN_BUNDLE)
    if not upstream.sources:
        return Block(f"<p><i>{_esc(NONE_ENTERED)}</i></p>", NONE_ENTERED)
    rows, rows_html = [], []
    for source in upstream.sources:
        date = f"{source.published} ({source.published_where})" if source.published else "not shown"
        cells = [source.credit, source.role.value, source.language, date]
        rows.append(cells + [source.url])
        rows_html.append([_esc(c) for c in cells] + [_link(source)])
    return _table(["outlet", "role", "language", "date shown", "address"], rows, rows_html)


def figure_checks(article: Article) -> Block:
    """Each figure of the ledger: who asserts it, who could confirm it, and independent estimates."""
    figures = reviewed_figures(article)
    if not figures:
        message = ("The figures ledger is not in this bundle." if article.key is None
                   else "This article's figures ledger holds no reviewed figure.")
        return Block(f"<p><i>{message}</i></p>", message)
    rows, rows_html = [], []
    for figure in figures:
        estimates = [f"{e.source}: “{e.excerpt}” ({e.address})" for e in figure.independent_estimates]
        estimates_html = [f'<a href="{_esc(e.address)}" target="_blank" rel="noopener">{_esc(e.source)}</a>: '
                          f"“{_esc(e.excerpt)}”" for e in figure.independent_estimates]
        cells = [f"{figure.sentence} {figure.text}", figure.asserted_by, figure.who_could_confirm or "—"]
        rows.append(cells + ["; ".join(estimates) or "none found"])
        rows_html.append([_esc(c) for c in cells] + ["<br>".join(estimates_html) or "<i>none found</i>"])
    return _table(["figure", "asserted by", "who could confirm", "independent estimates"], rows, rows_html)


# ---------------------------------------------------------------- lesson 09: what an article has to compare
# Lesson 09's sections (reportkit.sections.l09) pick their units from the comparisons recorded here.

EMPTY_UPSTREAM = ("No upstream sources have been entered for this article yet, so there is nothing to compare: "
                  "find the reports yourself from the sources the article names.")


def has_comparisons(article_id: str, root: Path | None = None) -> bool:
    """Whether the article has lesson 09's data: an upstream.json with at least one comparison.

    Reads the file only (no article load), so release planning can ask about every article cheaply;
    whether the file is valid is ``validate``'s question."""
    path = (root or find_kit_root()) / "data" / article_id / FILE_NAME
    if not path.exists():
        return False
    doc = json.loads(path.read_text(encoding="utf-8"))
    return isinstance(doc, dict) and bool(doc.get("comparisons"))


def compared_units(article: Article, *kinds: Shows) -> list[str]:
    """Units that comparisons of ``kinds`` (of any kind when none given) bear on: the most compared
    first, then in article order. None when the bundle has no upstream.json."""
    upstream = load_upstream(article)
    if upstream is None:
        return []
    counts: Counter[str] = Counter()
    for comparison in upstream.comparisons:
        if not kinds or comparison.shows in kinds:
            counts.update(comparison.units)
    return sorted((sid for sid in article.ids if sid in counts), key=lambda sid: -counts[sid])


def comparisons_of(article: Article, unit_ids: Iterable[str], kinds: Iterable[Shows] = ()) -> list[Comparison]:
    """The comparisons bearing on ``unit_ids`` of ``kinds`` (every kind when none), kind by kind."""
    upstream = load_upstream(article)
    if upstream is None:
        return []
    units = tuple(unit_ids)
    return [c for kind in (tuple(kinds) or (None,)) for c in upstream.about(*units, shows=kind)]


def comparisons_table(article: Article, unit_ids: Iterable[str], kinds: Iterable[Shows] = ()) -> Block | None:
    """One side-by-side table per kind that has comparisons on the units (one for every kind when
    none given); None when no comparison bears on them."""
    units = tuple(unit_ids)
    tables = [side_by_side(article, *units, shows=kind) for kind in (tuple(kinds) or (None,))
              if comparisons_of(article, units, () if kind is None else (kind,))]
    if not tables:
        return None
    return sum(tables[1:], tables[0])
