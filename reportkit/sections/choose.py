"""Generic key queries the lesson sections use to pick their units (best first).

Each returns sentence ids in article order; none knows an article. A section combines them,
e.g. ``by_rule(article, "R2")`` for "a partial quote inside a paraphrase".
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from reportkit.article import Article
from reportkit.key import KeyEntry, LabelId

Test = Callable[[KeyEntry], bool]


def entries(article: Article, test: Test) -> list[str]:
    """Reviewed key entries passing ``test``, in article order (none without the key)."""
    if article.key is None:
        return []
    return [e.id for e in article.key if e.reviewed and test(e)]


def by_label(article: Article, label: str) -> list[str]:
    """Units the key gives ``label``; clear cases (no accepted alternative) first."""
    found = entries(article, lambda e: e.label == label)
    return clear_first(article, found)


def by_rule(article: Article, rule: str, label: str | None = None) -> list[str]:
    """Units whose key cites ``rule`` (and has ``label``, when given); clear cases first."""
    found = entries(article, lambda e: rule in e.rules and (label is None or e.label == label))
    return clear_first(article, found)


def by_stance(article: Article, stance: str) -> list[str]:
    """Units whose reporting cue has ``stance`` (neutral, distancing, endorsing)."""
    return entries(article, lambda e: e.attribution.cue_stance == stance and bool(e.attribution.cue))


def by_source_type(article: Article, source_type: str, label: str | None = None) -> list[str]:
    """Units whose source is of ``source_type`` (named person, unnamed person, outlet, …)."""
    return entries(article, lambda e: e.attribution.source_type == source_type
                   and (label is None or e.label == label))


def by_chain_length(article: Article, at_least: int, label: str | None = None) -> list[str]:
    """Units whose channel has at least ``at_least`` links (speaker, outlets, page); longest first."""
    found = entries(article, lambda e: len(e.attribution.channel) >= at_least
                    and (label is None or e.label == label))
    length = {sid: len(article.key[sid].attribution.channel) for sid in found} if article.key else {}
    return sorted(found, key=lambda sid: -length[sid])


def with_figures(article: Article, hedged: bool | None = None) -> list[str]:
    """Units holding a figure of the ledger (only hedged, or only unhedged, figures when asked)."""
    ids = [f.sentence for f in article.figures if hedged is None or bool(f.hedge) == hedged]
    return [sid for sid in article.ids if sid in set(ids)]


def clear_first(article: Article, ids: list[str]) -> list[str]:
    """``ids`` with the units that accept no alternative label first (clearer examples)."""
    key = article.key
    if key is None:
        return ids
    return sorted(ids, key=lambda sid: bool(key[sid].accepted))  # stable: article order kept


def combine(*groups: list[str]) -> list[str]:
    """Ids of several queries, each once, in the order given."""
    seen: dict[str, None] = {}
    for group in groups:
        seen.update(dict.fromkeys(group))
    return list(seen)


# ---- lessons 03 and 04: the key's words for stances and source types, and queries on them


class Stance(str, Enum):
    """A reporting cue's stance, as the key records it (``cue_stance``)."""

    NEUTRAL = "neutral"
    DISTANCING = "distancing"
    ENDORSING = "endorsing"


class SourceType(str, Enum):
    """Who a unit's source is, as the key records it (``source_type``)."""

    NAMED = "named person"
    UNNAMED = "unnamed person"
    ANONYMOUS = "anonymous person"
    ORGANISATION = "organisation"
    OUTLET = "outlet"
    DOCUMENT = "document"


def with_inferred_link(article: Article, label: str | None = None) -> list[str]:
    """Units whose channel has a step the key records as the reader's inference, not the article's."""
    return entries(article, lambda e: bool(e.attribution.inferred_nodes()) and (label is None or e.label == label))


def attributed_last(article: Article, ids: list[str]) -> list[str]:
    """``ids`` with the units whose cue stands in the second half of the sentence first (read to the end)."""
    return sorted(ids, key=lambda sid: not cue_comes_last(article, sid))  # stable: article order kept


def cue_comes_last(article: Article, sid: str) -> bool:
    """True when the unit's reporting cue stands after the middle of its sentence (after the content)."""
    cue = article.key[sid].attribution.cue if article.key is not None else None
    text = article.sentence(sid).text.lower()
    at = text.find(cue.lower()) if cue else -1
    return at > len(text) / 2


def stated_first(article: Article, ids: list[str]) -> list[str]:
    """``ids`` with the units whose whole channel the article states (no inferred step) first."""
    key = article.key
    if key is None:
        return ids
    return sorted(ids, key=lambda sid: bool(key[sid].attribution.inferred_nodes()))


def without(ids: list[str], *shown: list[str]) -> list[str]:
    """``ids`` less the units already shown by other sections."""
    taken = {sid for group in shown for sid in group}
    return [sid for sid in ids if sid not in taken]


# ---- lessons 01 and 02 (helpers are appended here, so their imports come with them)


def report_unit_before(article: Article, sid: str) -> str:
    """The last unit before ``sid`` that belongs to the report, page furniture skipped (where a
    reader looks back for the speaker); the first unit when nothing of the report comes before."""
    before = article.ids[: article.ids.index(sid)]
    report = [u for u in before if article.key is None or article.key[u].label != LabelId.FURNITURE]
    return report[-1] if report else (before or [sid])[0]


def follows_furniture_first(article: Article, ids: list[str]) -> list[str]:
    """``ids`` with the units right after page furniture first (looking back, a reader must skip it)."""
    def after_furniture(sid: str) -> bool:
        at = article.ids.index(sid)
        return at > 0 and article.key is not None and article.key[article.ids[at - 1]].label == LabelId.FURNITURE

    return sorted(ids, key=lambda sid: not after_furniture(sid))  # stable: the given order kept


def cited_rules_writer(*rule_ids: str) -> Callable[[Article, list[str]], str]:
    """A section writer: for each chosen unit, which of ``rule_ids`` the key cites, by codebook title."""
    def write(article: Article, chosen: list[str]) -> str:
        lines = []
        for sid in chosen:
            cites = article.key[sid].rules if article.key is not None else ()
            cited = [article.codebook.rule(r) for r in rule_ids if r in cites]
            lines.append(f"- **{sid}**: the key cites " + "; ".join(f"{r.title} ({r.id})" for r in cited))
        return "\n".join(lines)

    return write
