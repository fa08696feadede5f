"""Lesson 02's sections: quotation marks, full and partial quotes, brackets, said to whom
(see reportkit.sections)."""

from __future__ import annotations

from reportkit.article import Article
from reportkit.blocks import QUOTE_RE, chain_text
from reportkit.key import LabelId
from reportkit.sections import Section, register
from reportkit.sections.choose import (
    by_chain_length,
    by_label,
    by_rule,
    cited_rules_writer,
    combine,
    report_unit_before,
    with_inferred_link,
)

EVERY_UNIT = 10_000  # the quotation-marks section counts every unit with quotation marks
FULL_QUOTES_SHOWN = 3


def quotation_marks(article: Article) -> list[str]:
    """Units whose text holds quotation marks, in article order (none without the key)."""
    if article.key is None:
        return []
    return [s.id for s in article.sentences if QUOTE_RE.search(s.text)]


def _units(n: int) -> str:
    return f"{n} unit" + ("" if n == 1 else "s")


def marks_note(article: Article, chosen: list[str]) -> str:
    """How many units hold quotation marks, and how many of them the key calls direct quotes."""
    quotes = sum(1 for sid in chosen if article.key is not None and article.key[sid].label == LabelId.QUOTE)
    verb = "contains" if len(chosen) == 1 else "contain"
    verdict = {0: "none of them is a direct quote", 1: "one of them is a direct quote"}.get(
        quotes, f"{'all' if quotes == len(chosen) else quotes} of them are direct quotes")
    return f"{_units(len(chosen))} of the article {verb} quotation marks; {verdict}."


def partial_quotes(article: Article) -> list[str]:
    """Paraphrases that quote only a fragment (rule R2)."""
    return by_rule(article, "R2", LabelId.REPORTED)


def brackets_and_inner_quotes(article: Article) -> list[str]:
    """Direct quotes with an editor's brackets (Q4) or a quote inside the quote (Q5)."""
    return combine(by_rule(article, "Q4"), by_rule(article, "Q5"))


def said_to_whom(article: Article) -> list[str]:
    """A direct quote whose outlet is the reader's inference, after the unit that names it; else a
    direct quote that reaches the page through another outlet."""
    inferred = with_inferred_link(article, LabelId.QUOTE)
    if inferred:
        return [report_unit_before(article, inferred[0]), inferred[0]]
    return by_chain_length(article, 3, LabelId.QUOTE)


def chain_note(article: Article, chosen: list[str]) -> str:
    """Each unit's channel from the speaker to the page, inferred steps marked as inferences."""
    if article.key is None:
        return ""
    lines = [f"- **{sid}**: {chain_text(article.key[sid].attribution.chain_nodes())}" for sid in chosen]
    if any(article.key[sid].attribution.inferred_nodes() for sid in chosen):
        lines.append("\nA step marked (inferred) is the reader's inference, not something the article states.")
    return "\n".join(lines)


def try_units(article: Article) -> list[str]:
    """A sentence with quotation marks to label: a partial quote the lesson has not explained first
    (its verdict cell explains the first), then another quoted phrase, then the explained one; in an
    article without them, a direct quote the lesson has not shown."""
    partial = partial_quotes(article)
    quoted = [sid for sid in quotation_marks(article)
              if article.key is not None and article.key[sid].label != LabelId.QUOTE]
    quotes = by_label(article, LabelId.QUOTE)
    shown = quotes[:FULL_QUOTES_SHOWN]
    return combine(partial[1:], quoted, partial, [sid for sid in quotes if sid not in shown], shown)


register(
    Section("02.quotation-marks", quotation_marks, "No unit of this article contains quotation marks.",
            limit=EVERY_UNIT, write=marks_note),
    Section("02.full-quote", lambda article: by_label(article, LabelId.QUOTE),
            "This article has no direct quote: no unit's main content is a speaker's words inside quotation "
            "marks (rule Q1).", limit=FULL_QUOTES_SHOWN),
    Section("02.partial-quote", partial_quotes,
            "This article has no partial quote: none of its units quotes only a fragment inside a paraphrase.",
            write=cited_rules_writer("R2")),
    Section("02.brackets", brackets_and_inner_quotes,
            "This article has no brackets inside a quotation and no quote inside a quote: no unit's key cites "
            "rule Q4 or Q5.", write=cited_rules_writer("Q4", "Q5")),
    Section("02.said-to-whom", said_to_whom,
            "No direct quote of this article reaches the page through another outlet.", limit=2, write=chain_note),
    Section("02.try", try_units, "This article has no unit with quotation marks to label.", limit=1),
)
