"""Lesson 01's sections: the page furniture, a teaser and its dek, and who "he" is (see reportkit.sections)."""

from __future__ import annotations

from reportkit.article import Article
from reportkit.blocks import id_ranges
from reportkit.key import LabelId
from reportkit.sections import Section, register
from reportkit.sections.choose import (
    by_rule,
    cited_rules_writer,
    combine,
    entries,
    follows_furniture_first,
    report_unit_before,
)

EVERY_UNIT = 10_000  # the furniture section lists every furniture unit of the page, as its strip does
PRONOUN_RULE = "F3"  # the codebook's rule for resolving "he" or "she"


def furniture(article: Article) -> list[str]:
    """Every unit the key calls page furniture, in article order."""
    return entries(article, lambda e: e.label == LabelId.FURNITURE)


def furniture_note(article: Article, chosen: list[str]) -> str:
    """How many units of the page are furniture, and which."""
    return f"On this page, {len(chosen)} of the {len(article.sentences)} units are furniture: {id_ranges(chosen)}."


def teasers(article: Article) -> list[str]:
    """Units of a teaser for another story (rule F2)."""
    return by_rule(article, "F2", LabelId.FURNITURE)


def pronouns(article: Article) -> list[str]:
    """Units whose key resolves a pronoun (F3); one right after page furniture first, the lesson's case."""
    return follows_furniture_first(article, by_rule(article, PRONOUN_RULE))


def other_pronouns(article: Article) -> list[str]:
    """The other pronouns the key resolves, each after the last unit of the report before it."""
    return combine(*([report_unit_before(article, sid), sid] for sid in pronouns(article)[1:]))


def pronoun_note(article: Article, chosen: list[str], *, reasons: bool = True) -> str:
    """Each resolved pronoun's source as the key records it, with the key's reasoning (``reasons``)."""
    lines = []
    for sid in chosen:
        entry = article.key[sid] if article.key is not None else None
        if entry is None or PRONOUN_RULE not in entry.rules:
            continue  # the unit before, shown for context
        source = f"the key gives its source as {entry.attribution.source or 'no one named'}."
        lines.append(f"- **{sid}**: {source}" + (f" {entry.rationale}" if reasons else ""))
    return "\n".join(lines)


def pronoun_sources(article: Article, chosen: list[str]) -> str:
    """The pronoun's source alone: the key's reasoning follows in the verdict cell."""
    return pronoun_note(article, chosen, reasons=False)


def try_units(article: Article) -> list[str]:
    """A unit of page furniture to label, one the teaser section has not explained first; longer
    lines first, as they read more like the report."""
    explained = set(teasers(article))
    fresh = sorted((sid for sid in furniture(article) if sid not in explained),
                   key=lambda sid: -len(article.sentence(sid).text))
    return combine(fresh, teasers(article))


register(
    Section("01.furniture", furniture, "This article has no page furniture: every unit belongs to the report.",
            limit=EVERY_UNIT, write=furniture_note),
    Section("01.teaser", teasers,
            "This article has no teaser: no unit is the headline or dek of another story (rule F2).",
            write=cited_rules_writer("F2")),
    Section("01.pronoun", pronouns,
            "The key resolves no pronoun in this article: no unit cites rule F3.", limit=1, write=pronoun_sources),
    Section("01.more-pronouns", other_pronouns,
            "The key resolves no other pronoun in this article.", limit=4, write=pronoun_note),
    Section("01.try", try_units, "This article has no page furniture to label: every unit belongs to the report.",
            limit=1),
)
