"""Lesson 07's sections (see reportkit.sections): the article as a whole, described from its key.

The notes draft, for any article, what a hand-written note (article.json "lessons") would say:
its composition by label and whose position it carries, its attribution chains (however short),
and where a reader would go upstream, with the gaps (unnamed sources, claims with no source) the
article leaves."""

from __future__ import annotations

from reportkit.article import Article
from reportkit.blocks import Chain, chain_text, chains, id_ranges
from reportkit.key import LabelId, keyed
from reportkit.sections import Section, label_name, register
from reportkit.sections.choose import by_chain_length, by_label, combine, entries

WHOLE = 1000  # sections that describe the whole article take every unit they choose
UNNAMED = {"unnamed person": "an unnamed source", "anonymous person": "an anonymous source"}  # codebook types


def report_units(article: Article) -> list[str]:
    """The units outside the page furniture, in article order."""
    return entries(article, lambda e: e.label != LabelId.FURNITURE)


def sourced(article: Article) -> list[str]:
    """Units outside the page furniture whose key records a chain from a source to the page."""
    return entries(article, lambda e: e.label != LabelId.FURNITURE and len(e.attribution.channel) >= 2)


def to_try(article: Article) -> list[str]:
    """An outside reading first (analysis), then the longest chains, then any reported claim."""
    return combine(by_label(article, LabelId.ANALYSIS), by_chain_length(article, 3),
                   by_label(article, LabelId.REPORTED))


def labelled(article: Article, ids: list[str]) -> dict[str, list[str]]:
    """The units among ``ids`` per label the key gives them, in codebook order (labels with none left out)."""
    key = keyed(article.key)
    groups = {label: [sid for sid in ids if key[sid].label == label] for label in article.codebook.label_ids}
    return {label: found for label, found in groups.items() if found}


def counted(article: Article, groups: dict[str, list[str]], ranges: bool = True) -> str:
    """'reported claim: 4 (s01, s05–s06, s09); direct quote: 2 (s02–s03)'."""
    return "; ".join(f"{label_name(article, label)}: {len(ids)}" + (f" ({id_ranges(ids)})" if ranges else "")
                     for label, ids in groups.items())


def composition_note(article: Article, chosen: list[str]) -> str:
    """The strip chart's caption and whose position the report carries, counted from the key."""
    caption = (f"*Figure: the {len(article.ids)} units as boxes in reading order, lettered and coloured by the "
               f"key's label: {counted(article, labelled(article, article.ids))}.*")
    return caption + "\n\n" + " ".join([most_frequent(article, chosen), newsmaker_share(article, chosen)])


def most_frequent(article: Article, chosen: list[str]) -> str:
    """Which label (or labels, when tied) the report holds most of."""
    groups = labelled(article, chosen)
    top = max(len(ids) for ids in groups.values())
    names = " and ".join(label_name(article, label) for label, ids in groups.items() if len(ids) == top)
    return f"Outside the page furniture the most frequent label is {names}: {top} of {len(chosen)} units."


def newsmaker_share(article: Article, chosen: list[str]) -> str:
    """How many units of the report the key attributes to the newsmaker, by label."""
    key = keyed(article.key)
    theirs = [sid for sid in chosen if key[sid].attribution.source == article.newsmaker]
    if not theirs:
        return f"The key attributes none of them to {article.newsmaker}."
    return (f"The key attributes {len(theirs)} of them to {article.newsmaker} "
            f"({counted(article, labelled(article, theirs), ranges=False)}).")


def chains_note(article: Article, chosen: list[str]) -> str:
    """The chain diagram's caption: how many chains, the longest, the busiest, the direct ones."""
    found = [(chain, ids) for chain, ids in chains(article) if set(ids) & set(chosen)]
    lines = [f"*Figure: {len(found)} {'chain' if len(found) == 1 else 'chains'}, one per row.*", longest(found)]
    if len(found) == 1 or len(found[0][1]) > len(found[1][1]):  # chains() sorts the busiest first
        chain, ids = found[0]
        lines.append(f"The chain that carries the most sentences is {chain_text(chain)} ({len(ids)}).")
    inferred = [chain_text(chain) for chain, _ in found if any(flag for _, flag in chain)]
    if inferred:
        lines.append("A dashed link is the key's inference, not something the article states: "
                     + "; ".join(inferred) + ".")
    return " ".join(lines)


def longest(found: list[tuple[Chain, list[str]]]) -> str:
    """The longest chains, or, when every chain is source → page, that the article names no one between."""
    depth = max(len(chain) for chain, _ in found)
    if depth <= 2:
        return "Every chain goes straight from its source to the page: the article names no outlet in between."
    parts = [f"{chain_text(chain)} ({id_ranges(ids)})" for chain, ids in found if len(chain) == depth]
    direct = list(dict.fromkeys(chain[0][0] for chain, _ in found if len(chain) == 2))
    text = f"The longest {'is' if len(parts) == 1 else 'are'} {'; '.join(parts)}."
    if direct:
        text += f" Straight from the source to the page: {', '.join(direct)}."
    return text


def upstream_note(article: Article, chosen: list[str]) -> str:
    """Where a reader would go: the last link before the page for each unit, then the gaps."""
    via: dict[str, list[str]] = {}
    for sid in chosen:
        name, inferred = keyed(article.key)[sid].attribution.chain_nodes()[-2]
        via.setdefault(f"{name} (inferred)" if inferred else name, []).append(sid)
    total = len(report_units(article))
    lines = [f"- **{name}**: {id_ranges(ids)} ({len(ids)} of the {total} units outside the page furniture)"
             for name, ids in via.items()]
    return "\n".join(["Where each unit reached the page from (the last link of its chain):", "", *lines,
                      "", gaps(article)])


def gaps(article: Article) -> str:
    """The sources the article does not name, and the claims it gives no source for."""
    key = keyed(article.key)
    unnamed = entries(article, lambda e: e.attribution.source_type in UNNAMED)
    found = [f"{UNNAMED[key[sid].attribution.source_type or '']} ({key[sid].attribution.source}, {sid})"
             for sid in unnamed]
    unsourced = entries(article, lambda e: not e.attribution.source)
    for label in (LabelId.REPORTED, LabelId.ANALYSIS):
        bare = [sid for sid in unsourced if key[sid].label == label]
        if bare:
            found.append(f"no source named for {id_ranges(bare)} ({label_name(article, label)})")
    if not found:
        return "The key records no unnamed source and no claim without a source in this article."
    return "And the gaps the article leaves: " + "; ".join(found) + "."


register(
    Section("07.composition", report_units, limit=WHOLE, write=composition_note,
            absent="This article has no units outside the page furniture, so it has no report to describe."),
    Section("07.chains", sourced, limit=WHOLE, write=chains_note,
            absent="This article's key records no chain: no unit outside the page furniture has a source."),
    Section("07.upstream", sourced, limit=WHOLE, write=upstream_note,
            absent="This article's key records no source for any unit, so there is nothing to trace upstream."),
    Section("07.try", to_try, limit=1,
            absent="This article's key has no reported claim or analysis to try."),
)
