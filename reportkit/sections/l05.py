"""Lesson 05's sections (see reportkit.sections): numbers and hedges, chosen from the figures ledger.

Every section reads the ledger (``figures.json``); an article whose ledger is empty gets one
sentence per section saying so, and the lesson's Markdown still teaches the generic point.
"""

from __future__ import annotations

from reportkit.article import Article
from reportkit.key import Figure
from reportkit.sections import Section, register
from reportkit.sections.choose import by_rule, combine, with_figures

EVALUATIVE_WORDS = "E1"  # the codebook's rule on evaluative words inside a sentence
EVERY_FIGURE = 1000  # sections that describe the whole ledger take every unit it names


def ledger(article: Article, chosen: list[str]) -> list[Figure]:
    """The ledger's figures in the chosen units, in ledger order."""
    return [f for f in article.figures if f.sentence in chosen]


def figure_list(figures: list[Figure]) -> str:
    """'12,000 (s11), 60,000 (s26)'."""
    return ", ".join(f"{f.text} ({f.sentence})" for f in figures)


def by_asserter(figures: list[Figure]) -> dict[str, list[Figure]]:
    """The figures grouped by who asserts them, in ledger order."""
    groups: dict[str, list[Figure]] = {}
    for figure in figures:
        groups.setdefault(figure.asserted_by, []).append(figure)
    return groups


def by_hedges(article: Article) -> list[str]:
    """Units with a hedged figure, the most hedged first (article order among equals)."""
    found = with_figures(article, hedged=True)
    hedged = [f.sentence for f in article.figures if f.hedge]
    return sorted(found, key=lambda sid: -hedged.count(sid))


def mixed(article: Article) -> list[str]:
    """Units where a hedged figure sits beside an unhedged one: the words around each do different jobs."""
    unhedged = set(with_figures(article, hedged=False))
    return [sid for sid in with_figures(article, hedged=True) if sid in unhedged]


def beside_evaluation(article: Article) -> list[str]:
    """Units with figures whose key cites the rule on evaluative words first, then mixed ones."""
    figured = set(with_figures(article))
    evaluated = [sid for sid in by_rule(article, EVALUATIVE_WORDS) if sid in figured]
    return combine(evaluated, mixed(article))


def figure_first(article: Article) -> list[str]:
    """Units with a figure, those with a hedged one first: the sentence to try."""
    return combine(by_hedges(article), with_figures(article))


def chart_caption(article: Article, chosen: list[str]) -> str:
    """The chart's caption: how many figures, and who asserts how many of them."""
    figures = ledger(article, chosen)
    parts = [f"{who}: {len(theirs)} ({figure_list(theirs)})" for who, theirs in by_asserter(figures).items()]
    hedged = sum(bool(f.hedge) for f in figures)
    return (f"*Figure: the {len(figures)} figures of the ledger against who asserts them. "
            f"{'; '.join(parts)}. {hedged} of them {'is' if hedged == 1 else 'are'} hedged. "
            "The printed text under the chart lists every figure with its hedge.*")


def hedge_note(article: Article, chosen: list[str]) -> str:
    """Each chosen unit's hedged figures with the hedge the ledger records."""
    return "\n".join(f"- **{f.sentence}**: “{f.text}” ({f.counts}) is hedged by “{f.hedge}”."
                     for f in ledger(article, chosen) if f.hedge)


def evaluation_note(article: Article, chosen: list[str]) -> str:
    """Which figures of the unit the ledger hedges and which it does not, and the question to ask."""
    lines = []
    for sid in chosen:
        figures = ledger(article, [sid])
        described = [f"“{f.text}” (hedged by “{f.hedge}”)" for f in figures if f.hedge]
        described += [f"“{f.text}” (no hedge)" for f in figures if not f.hedge]
        lines.append(f"- **{sid}**: the ledger records {', '.join(described)}.")
    lines.append("\nRead the other words beside each number: does a word say how sure anyone is of it "
                 "(a hedge), or how to feel about it (an evaluation, which is not part of the number)?")
    return "\n".join(lines)


def asserts_note(article: Article, chosen: list[str]) -> str:
    """One line per asserter and chain: the figures, who asserts them, and the chain they travelled."""
    groups: dict[tuple[str, tuple[str, ...]], list[Figure]] = {}
    for figure in ledger(article, chosen):
        groups.setdefault((figure.asserted_by, figure.channel), []).append(figure)
    return "\n".join(f"- {figure_list(figures)}. Who asserts: {who}. Chain: {' → '.join(channel)}."
                     for (who, channel), figures in groups.items())


register(
    Section("05.chart", with_figures, limit=EVERY_FIGURE, write=chart_caption,
            absent="This article has no figures in its ledger, so there is no chart to describe."),
    Section("05.hedge", by_hedges, limit=1, write=hedge_note,
            absent="This article has no hedged figure in its ledger."),
    Section("05.evaluation", beside_evaluation, limit=1, write=evaluation_note,
            absent="This article has no sentence in its ledger where a hedged figure sits beside an unhedged one."),
    Section("05.asserts", with_figures, limit=EVERY_FIGURE, write=asserts_note,
            absent="This article has no figures in its ledger, so there is no one to name as asserting one."),
    Section("05.try", figure_first, limit=1,
            absent="This article has no figures in its ledger, so there is no sentence with a figure to try."),
)
