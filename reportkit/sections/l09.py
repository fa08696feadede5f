"""Lesson 09's sections: units chosen from the comparisons recorded in the article's upstream.json
(see reportkit.sections and reportkit.upstream).

Each section shows its comparisons side by side (``upstream.section(article, "09.cue")``), then
its note: article.json's own prose, else a note drafted from the comparisons' marked words. Four
sections have a lead-in before their table (``"09.translation-lead"`` …), shown only when
article.json gives one. The comparison sections say in one sentence when the article has no
comparison entered (no upstream.json, or an empty one), or when a graded bundle left them out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from reportkit import sections
from reportkit.article import Article
from reportkit.blocks import Block, markdown
from reportkit.sections import Section, register
from reportkit.sections.choose import combine, entries, with_figures
from reportkit.upstream import (
    EMPTY_UPSTREAM,
    NOT_IN_BUNDLE,
    Role,
    Shows,
    compared_units,
    comparisons_of,
    comparisons_table,
    figure_checks,
    load_upstream,
    sources_table,
)

EVERY_UNIT = 10_000  # the sources section counts every compared unit
Table = Callable[[Article, list[str]], Block | None]


@dataclass(frozen=True)
class Part:
    """A lesson 09 section and its table: ``shows`` the kinds of comparison it puts side by side
    (every kind on its units when empty), or ``table`` for a table of another kind."""

    section: Section
    shows: tuple[Shows, ...] = ()
    table: Table | None = None
    upstream: bool = True  # the section needs upstream.json
    lead: bool = False  # article.json may give it a lead-in ("<id>-lead") shown before the table


def quoted(text: str) -> str:
    return f"“{text}”"


def differences_note(shows: tuple[Shows, ...], article: Article, chosen: list[str]) -> str:
    """Each comparison on the units: the article's marked words next to the excerpt's, quoted exactly."""
    lines = []
    for comparison in comparisons_of(article, chosen, shows):
        where = f"**{', '.join(comparison.units)}**, {comparison.source.credit}"
        if comparison.article_marks and comparison.upstream_marks:
            ours = " … ".join(quoted(m) for m in comparison.article_marks)
            theirs = " … ".join(quoted(m) for m in comparison.upstream_marks)
            lines.append(f"- {where}: the article has {ours}; the excerpt has {theirs}.")
        else:
            lines.append(f"- {where}: {comparison.note}")
    return "\n".join(lines)


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def sources_note(article: Article, chosen: list[str]) -> str:
    """A caption for the sources table, counted from upstream.json."""
    upstream = load_upstream(article)
    found = upstream.sources if upstream is not None else ()
    roles = Counter(s.role for s in found)
    by_role = ", ".join(counted(roles[role], role.value) for role in Role if roles[role])
    languages = sorted({s.language for s in found})
    return (f"*Table: {counted(len(found), 'source')} ({by_role}) in {counted(len(languages), 'language')} "
            f"({', '.join(languages)}), compared with {counted(len(chosen), 'unit')} of the article. "
            "A date is given only where the page or its address shows one.*")


def inferred_links(article: Article) -> list[str]:
    """Compared units whose key reaches a source by an inferred link (the article does not name it)."""
    compared = set(compared_units(article))
    return entries(article, lambda e: e.id in compared and bool(e.attribution.inferred_nodes()))


def inference_note(article: Article, chosen: list[str]) -> str:
    """The key's note on each inferred link: from what the reader infers the source."""
    lines = []
    for sid in chosen:
        entry = article.key[sid] if article.key is not None else None
        notes = [entry.attribution.link(step - 1).note for step in entry.attribution.inferred_nodes()] if entry else []
        lines += [f"- **{sid}**: {note}" for note in notes if note]
    heading = ("A link drawn from other pages is an **inference**, not something the article states: "
               "mark it as inferred, and say from what.")
    return "\n".join([heading, *lines])


def attributed(article: Article) -> list[str]:
    """Units whose key records a reporting cue ("said", "told", "according to"): the first unit of
    each cue first (varied examples), then the rest, in article order."""
    found = entries(article, lambda e: bool(e.attribution.cue))
    first: dict[str, str] = {}
    for sid in found:
        first.setdefault(str(article.key[sid].attribution.cue) if article.key is not None else "", sid)
    return combine(list(first.values()), found)


def attribution_note(article: Article, chosen: list[str]) -> str:
    """Why outlets attribute, with this article's own cues as examples."""
    key = article.key
    cues = [f"“{key[sid].attribution.cue}” ({sid})" for sid in chosen] if key is not None else []
    return ("Attribution says **who claims** something; it does not say the claim is verified. In this article, "
            f"cues such as {', '.join(cues)} hand each claim to its source and tell you where to check. Each step "
            "of a chain (speaker, translator, outlet, the outlet citing it) can change a word, drop a hedge or pick "
            "a cue verb, without anyone inventing anything.")


def figures_note(article: Article, chosen: list[str]) -> str:
    """Which figures of the ledger have an independent estimate, and which rest on who asserts them."""
    checked = [f for f in article.figures if f.independent_estimates]
    unchecked = [f"{quoted(f.text)} ({f.sentence})" for f in article.figures if not f.independent_estimates]
    found = (f"An independent estimate was found for {len(checked)} of the ledger's {len(article.figures)} figures."
             if checked else "No independent estimate was found for any figure of the ledger.")
    rest = f" The others rest on who asserts them: {', '.join(unchecked)}." if checked and unchecked else ""
    return f"Tracing a figure upstream tells you **who** says it, not that it is true. {found}{rest}"


def _compare(shows: tuple[Shows, ...], section_id: str, absent: str, *, lead: bool = False,
             write_all: bool = False) -> Part:
    """A section choosing the units that comparisons of ``shows`` bear on."""
    kinds = shows[:1]  # chosen by its first kind; the others are shown alongside (e.g. a frame that shares a word)
    section = Section(section_id, partial(compared_units_of, kinds), absent,
                      write=partial(differences_note, () if write_all else shows))
    return Part(section, () if write_all else shows, lead=lead)


def compared_units_of(kinds: tuple[Shows, ...], article: Article) -> list[str]:
    return compared_units(article, *kinds)


PARTS: dict[str, Part] = {part.section.id: part for part in (
    Part(Section("09.sources", compared_units, EMPTY_UPSTREAM, EVERY_UNIT, sources_note),
         table=lambda a, _chosen: sources_table(a)),
    _compare((Shows.TRANSLATION,), "09.translation", "No comparison of this article's units shows a translation: "
             "none of its quotations is compared with the words in another language.", lead=True),
    _compare((Shows.CHANGED_WORD, Shows.FRAME), "09.changed-word",
             "No comparison of this article's units shows a changed word."),
    _compare((Shows.HEDGE_DROPPED,), "09.hedge-dropped", "No comparison of this article's units shows a hedge "
             "dropped or moved."),
    _compare((Shows.CUE,), "09.cue", "No comparison of this article's units shows another outlet's cue verb."),
    _compare((Shows.FRAME,), "09.frame", "No comparison of this article's units shows another outlet's framing."),
    _compare((Shows.DATE,), "09.date", "No comparison of this article's units shows a date that differs."),
    _compare((Shows.TENSION,), "09.tension", "No comparison of this article's units resolves a tension between "
             "them.", lead=True, write_all=True),
    _compare((Shows.FIGURE,), "09.figure", "No comparison of this article's units shows a figure whose meaning "
             "shifts.", write_all=True),
    Part(Section("09.inferred", inferred_links, "No compared unit of this article reaches its source by a link "
                 "the article does not state.", write=inference_note), lead=True),
    Part(Section("09.confirm", with_figures, "This article's figures ledger holds no figure, so there is no figure "
                 "to trace upstream.", EVERY_UNIT, figures_note),
         table=lambda a, _chosen: figure_checks(a), upstream=False),
    Part(Section("09.attribution", attributed, "No unit of this article has a reporting cue, so nothing in it is "
                 "attributed.", write=attribution_note), table=lambda _a, _chosen: None, upstream=False),
)}
register(*(part.section for part in PARTS.values()))
register(*(Section(f"{sid}-lead", part.section.choose, part.section.absent, part.section.limit, write=lambda _a, _c: "")
           for sid, part in PARTS.items() if part.lead))


def _sentence(message: str) -> Block:
    return markdown(f"*{message}*")


def _missing(article: Article, part: Part) -> str | None:
    """Why a section that needs upstream.json cannot show it: left out of a graded bundle (no key
    either), or nothing entered for the article (no file, or one without comparisons)."""
    if not part.upstream:
        return None
    upstream = load_upstream(article)
    if upstream is None and article.key is None:
        return NOT_IN_BUNDLE
    return None if upstream is not None and upstream.comparisons else EMPTY_UPSTREAM


def show(article: Article, section_id: str) -> Block:
    """The section: its lead-in (if article.json gives one), its table, then its note; one sentence
    when the article has nothing for it."""
    part = PARTS[section_id]
    if (why := _missing(article, part)) is not None:
        return _sentence(why)
    chosen = sections.units(article, section_id)
    if not chosen:
        return _sentence(part.section.absent)
    blocks = []
    if part.lead and (lead := sections.note(article, f"{section_id}-lead")):
        blocks.append(markdown(lead))
    table = (part.table or partial(comparisons_table_of, part.shows))(article, chosen)
    blocks += [table] if table is not None else []
    blocks.append(markdown(sections.note(article, section_id)))
    return sum(blocks[1:], blocks[0])


def comparisons_table_of(shows: tuple[Shows, ...], article: Article, chosen: list[str]) -> Block | None:
    return comparisons_table(article, chosen, shows)


sections.render_with(show, *PARTS)
