"""Lesson 04's sections (see reportkit.sections): third-party analysis and the reporter's voice."""

from __future__ import annotations

from reportkit.article import Article
from reportkit.key import LabelId
from reportkit.sections import Section, label_name, register
from reportkit.sections.choose import (
    SourceType,
    by_chain_length,
    by_label,
    by_rule,
    by_source_type,
    combine,
    without,
)
from reportkit.sections.l03 import are, quoting_note

ANALYSIS, REPORTED, NARRATION = LabelId.ANALYSIS.value, LabelId.REPORTED.value, LabelId.NARRATION.value


def outlet_readings(article: Article) -> list[str]:
    """An outlet's interpretation (A2), or analysis whose source is an outlet."""
    return combine(by_rule(article, "A2", ANALYSIS), by_source_type(article, SourceType.OUTLET, ANALYSIS))


def unnamed_interpretations(article: Article) -> list[str]:
    """Interpretations that name no source (N2); narration the key also accepts as analysis next."""
    accepting = [sid for sid in by_label(article, NARRATION)
                 if article.key is not None and article.key[sid].accepts(ANALYSIS)]
    return combine(by_rule(article, "N2", NARRATION), accepting)


def observers(article: Article) -> list[str]:
    """People who comment on the events: analysis (A1, A3) whose source is not an outlet."""
    people = combine(by_rule(article, "A3", ANALYSIS), by_rule(article, "A1", ANALYSIS))
    return without(people, outlet_readings(article))


def observer_verdicts(article: Article) -> list[str]:
    """An observer's unit in indirect speech (A3), where the key also accepts a reported claim, first."""
    found = observers(article)
    return combine([sid for sid in found if article.key is not None and article.key[sid].accepts(REPORTED)], found)


def carried_analysis(article: Article) -> list[str]:
    """Analysis that reaches the page through another outlet, unnamed observers first."""
    carried = by_chain_length(article, 3, ANALYSIS)
    unnamed = [sid for sid in by_source_type(article, SourceType.UNNAMED, ANALYSIS) if sid in carried]
    return without(combine(unnamed, carried), observers(article)[:3], outlet_readings(article))


def participant_forecasts(article: Article) -> list[str]:
    """The newsmaker's own forecasts and assessments (R6), then other participants' (R5)."""
    return combine(by_rule(article, "R6", REPORTED), by_rule(article, "R5", REPORTED))


def reporter_voice(article: Article) -> list[str]:
    """Whole units in the reporter's voice, background and transitions (N1) first."""
    return combine(by_rule(article, "N1", NARRATION), by_label(article, NARRATION))


def voice_note(article: Article, chosen: list[str]) -> str:
    """How many whole units are in the reporter's voice, then the chosen ones quoted."""
    whole = by_label(article, NARRATION)
    ids = ", ".join(sorted(whole, key=article.ids.index))
    voice = label_name(article, NARRATION)
    head = f"{len(whole)} of the {len(article.sentences)} units {are(len(whole))} wholly in the {voice}: {ids}."
    return f"{head}\n\n{quoting_note(article, chosen)}"


def try_units(article: Article) -> list[str]:
    """An observer's view in indirect speech, any analysis, then the reporter's voice; units whose
    verdict the lesson has not given first (the try would give it away)."""
    found = combine(observer_verdicts(article), by_label(article, ANALYSIS), unnamed_interpretations(article),
                    by_label(article, NARRATION))
    explained = [choose(article)[:1] for choose in (outlet_readings, unnamed_interpretations, observer_verdicts,
                                                   participant_forecasts, reporter_voice)]
    return combine(without(found, *explained), found)


register(
    Section("04.outlet-reading", outlet_readings,
            "This article attributes no reading of events to an outlet: the key cites A2 for none of its units.",
            limit=1),
    Section("04.unnamed-interpretation", unnamed_interpretations,
            "This article has no interpretation without a source: the key cites N2 for none of its units.",
            limit=1, write=quoting_note),
    Section("04.observer", observers,
            "This article has no outside observer's view: the key cites A1 and A3 for none of its units."),
    Section("04.observer-verdict", observer_verdicts,
            "This article has no outside observer's view to explain.", limit=1, write=quoting_note),
    Section("04.carried-analysis", carried_analysis,
            "This article has no further analysis carried to the page by another outlet.", limit=1),
    Section("04.participant-forecast", participant_forecasts,
            "This article has no forecast or assessment by the newsmaker or another participant: the key cites "
            "R6 and R5 for none of its units.", limit=1, write=quoting_note),
    Section("04.reporter-voice", reporter_voice,
            "No whole unit of this article is in the reporter's voice: the key gives no unit that label.",
            limit=1, write=voice_note),
    Section("04.try", try_units, "This article has no analysis or reporter's voice to try.", limit=1),
)
