"""Lesson 03's sections (see reportkit.sections): reported claims, their cues, sources and chains."""

from __future__ import annotations

from reportkit.article import Article
from reportkit.key import KeyEntry, LabelId
from reportkit.sections import Section, label_name, rationale_note, register
from reportkit.sections.choose import (
    SourceType,
    Stance,
    attributed_last,
    by_chain_length,
    by_label,
    by_rule,
    by_source_type,
    by_stance,
    combine,
    cue_comes_last,
    stated_first,
    with_inferred_link,
    without,
)

REPORTED = LabelId.REPORTED.value
# What a cue's stance does to the claim, for notes drafted from the key.
STANCE_EFFECT = {
    Stance.DISTANCING: "keeps the reporter apart from the claim",
    Stance.ENDORSING: "presents the content as established",
}
INFERENCE = ("The key records such a link as an **inference**, not a fact: the chain diagram in lesson 07 "
             "draws it dashed, and a chain question about it accepts “not stated”.")


# ---------------------------------------------------------------- notes drafted from the key


def _entries(article: Article, chosen: list[str]) -> list[KeyEntry]:
    return [article.key[sid] for sid in chosen] if article.key is not None else []


def are(count: int) -> str:
    """The verb for 'N of the M units …' (one unit is, two units are)."""
    return "is" if count == 1 else "are"


def a_or_many(count: int, noun: str) -> str:
    """'a reported claim' for one, 'reported claims' for more."""
    return f"a {noun}" if count == 1 else f"{noun}s"


def quoting_note(article: Article, chosen: list[str]) -> str:
    """Each unit quoted whole, for a section shown through the key's verdict (which gives the rationale)."""
    return "\n".join(f"- **{sid}** reads: “{article.sentence(sid).text}”" for sid in chosen)


def count_note(article: Article, chosen: list[str]) -> str:
    """How many units are reported claims, then the default note on the chosen ones."""
    count = len(by_label(article, REPORTED))
    claims = a_or_many(count, label_name(article, REPORTED))
    head = f"{count} of the {len(article.sentences)} units {are(count)} {claims}."
    return f"{head}\n\n{rationale_note(article, chosen)}"


def stance_note(article: Article, chosen: list[str]) -> str:
    """Each unit's cue and what its stance does, then the key's rationale."""
    return "\n".join(f"- **{e.id}**: the cue “{e.attribution.cue}” is {e.attribution.cue_stance}: it "
                     f"{STANCE_EFFECT[Stance(e.attribution.cue_stance)]}. {e.rationale}"
                     for e in _entries(article, chosen))


def where_note(article: Article, chosen: list[str]) -> str:
    """Where each unit names its outlet: before the content, or only after it."""
    lines = []
    for entry in _entries(article, chosen):
        where = "only after the content" if cue_comes_last(article, entry.id) else "before the content"
        source = f"the source, {entry.attribution.source}," if entry.attribution.source else "the source"
        lines.append(f"- **{entry.id}**: {source} is named {where} (“{entry.attribution.cue}”). {entry.rationale}")
    return "\n".join(lines)


def source_note(article: Article, chosen: list[str]) -> str:
    """Each unit's source as the key records it (its type says whether it is named), then the rationale."""
    return "\n".join(f"- **{e.id}**: {_source(e)}. {e.rationale}" for e in _entries(article, chosen))


def _source(entry: KeyEntry) -> str:
    """'A US official (unnamed person)', or what the key lacks."""
    name = entry.attribution.source or "the key records no source"
    return f"{name} ({entry.attribution.source_type})" if entry.attribution.source_type else name


def chain_note(article: Article, chosen: list[str]) -> str:
    """Each unit's chain from the speaker to the page, then the rationale."""
    return "\n".join(f"- **{e.id}**: {' → '.join(e.attribution.channel)}. {e.rationale}"
                     for e in _entries(article, chosen))


def inference_note(article: Article, chosen: list[str]) -> str:
    """Each unit quoted, with what the key infers and from what; then what an inferred link means."""
    lines = []
    for entry in _entries(article, chosen):
        attribution = entry.attribution
        step = attribution.inferred_nodes()[0]
        why = attribution.link(step - 1).note
        lines.append(f"- **{entry.id}** reads: “{article.sentence(entry.id).text}” The key infers "
                     f"{attribution.channel[step]}" + (f": {why}" if why else "."))
    return "\n".join(lines) + f"\n\n{INFERENCE}"


# ---------------------------------------------------------------- choosers


def _reported(ids: list[str], article: Article) -> list[str]:
    return [sid for sid in ids if article.key is not None and article.key[sid].label == REPORTED]


def stance_pair(article: Article) -> list[str]:
    """The first reported claim with a distancing cue and the first with an endorsing one."""
    return [found[0] for stance in (Stance.DISTANCING, Stance.ENDORSING)
            if (found := _reported(by_stance(article, stance), article))]


def outlet_facts(article: Article) -> list[str]:
    """Another outlet's facts (R4), those that name the outlet only at the end first."""
    return attributed_last(article, by_rule(article, "R4", REPORTED))


def participant_sources(article: Article) -> list[str]:
    """Reported claims from unnamed persons, then other participants' claims (R5)."""
    return combine(by_source_type(article, SourceType.UNNAMED, REPORTED), by_rule(article, "R5", REPORTED))


def participant_judgements(article: Article) -> list[str]:
    """Participants' claims, those the key also accepts under another label (judgements) first."""
    found = participant_sources(article)
    accepted = [sid for sid in found if article.key is not None and article.key[sid].accepted]
    return combine(accepted, found)


def outlet_chains(article: Article) -> list[str]:
    """Units that reach the page through another outlet (three links or more), fully stated chains first."""
    return stated_first(article, by_chain_length(article, 3))


def try_units(article: Article) -> list[str]:
    """A reported claim worth a second look (an inferred link, a charged cue, an outlet's fact, any),
    those whose verdict the lesson has not given first (the try would give it away)."""
    found = combine(with_inferred_link(article, REPORTED), stance_pair(article), outlet_facts(article),
                    by_label(article, REPORTED))
    explained = [participant_judgements(article)[:1], with_inferred_link(article, REPORTED)[:1]]
    return combine(without(found, *explained), found)


register(
    Section("03.source-cue-content", lambda a: combine(by_rule(a, "R1", REPORTED), by_label(a, REPORTED)),
            "This article has no reported claim: the key gives no unit that label.", limit=2, write=count_note),
    Section("03.framing", lambda a: by_rule(a, "R3", REPORTED),
            "This article has no reported claim wrapped in the reporter's own framing: the key cites R3 for "
            "none of its units.", limit=1),
    Section("03.stances", stance_pair,
            "This article has no reported claim with a distancing or endorsing cue: the key records a neutral cue, or "
            "none, on each.",
            limit=2, write=stance_note),
    Section("03.outlet-facts", outlet_facts,
            "This article reports no fact from another outlet: the key cites R4 for none of its units.",
            limit=2, write=where_note),
    Section("03.participant-sources", participant_sources,
            "This article has no claim from an unnamed source or another participant in the events: the key "
            "records no unnamed person and cites R5 for none of its units.", write=source_note),
    Section("03.participant-verdict", participant_judgements,
            "This article has no claim from an unnamed source or another participant to explain.", limit=1),
    Section("03.chain", outlet_chains,
            "This article has no chain of outlets: no claim reaches the page through another outlet.",
            limit=1, write=chain_note),
    Section("03.inferred-link", lambda a: with_inferred_link(a, REPORTED),
            "Every chain in this article is stated: the key records no link of a reported claim as the "
            "reader's inference.", limit=1, write=inference_note),
    Section("03.try", try_units, "This article has no reported claim to try: the key gives no unit that label.",
            limit=1),
)
