"""A rule-based baseline tagger: what a machine gets from quotation marks and reporting cues.

Rules are general (a cue lexicon with stance classes, quotation-mark coverage, page-furniture
patterns, observer nouns); nothing here names an article. The lesson compares it with the key
to show where machines — and hurried readers — go wrong: indirect speech without a classic
verb, mixed quotes, analysis carried by a reporting verb, teasers that read like news.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Reporting cues by stance. Multi-word cues first so "according to" wins over "to".
CUES: dict[str, tuple[str, ...]] = {
    "neutral": (
        "according to", "as outlined by", "as outlined in", "as reported by", "cited in", "cited by",
        "speaking to", "told", "said", "says", "stated", "added", "noted", "explained", "wrote",
        "outlined", "suggested", "emphasized", "emphasised", "stressed", "warned", "urged", "called for",
        "predicted", "described", "described as", "argued", "announced", "reported", "attributed",
        "expressed", "asked", "replied",
    ),
    "distancing": ("alleging", "alleged", "claimed", "claims", "claiming", "purportedly", "reportedly"),
    "endorsing": ("revealed", "acknowledged", "admitted", "confirmed", "pointed out", "showed", "proved"),
}
_CUE_STANCE = {cue: stance for stance, cues in CUES.items() for cue in cues}
_CUE_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _CUE_STANCE), key=len, reverse=True)) + r")\b", re.IGNORECASE
)
# People whose statements are assessments from outside the events.
OBSERVERS = re.compile(
    r"\b(analysts?|experts?|observers?|commentators?|scholars?|researchers?|think[- ]tank|former|"
    r"professor|economists?)\b",
    re.IGNORECASE,
)
INTERPRETIVE = re.compile(
    r"\b(signal(s|ed)?|suggest(s|ing)?|indicat(es|ing)|mean(s)?|shift|contrasts?)\b", re.IGNORECASE
)
FURNITURE = re.compile(
    r"^(advertisement|sponsored|related( articles?)?|other topics of interest|share( this)?|"
    r"(read more|see also|subscribe|sign up|follow us)\b.*)$|"
    r"\b(correction|clarification|ctrl ?\+ ?enter|newsletter|click here|write to us|cookies?)\b",
    re.IGNORECASE,
)
DASH_ATTRIBUTED_HEADLINE = re.compile(r"\s[–—-]\s*[A-Z][\w.'’-]+( [A-Z][\w.'’-]+)?$")
QUOTED = re.compile(r"“[^”]*”?|\"[^\"]*\"?|‘[^’]*’(?!\w)|(?<!\w)'[^']+'(?!\w)")
NAME = r"((?:[A-Z][\w.'’-]+\s)*(?:[A-Z][\w.'’-]+))"
# “…,” he said / “…” she stated: a quotation opening the sentence, attributed right after it.
POST_QUOTE_ATTRIBUTION = re.compile(
    r"^[“\"‘'][^”\"’']{8,}[,.?!]?[”\"’']\s*,?\s*(?:(?:he|she|they|it)|(?:the|a|an)\s+\w+(?:\s\w+)?|" + NAME
    + r")\s+(?:\w+\s+)?"
    r"(said|says|stated|added|told|warned|explained|wrote|asked|replied)\b"
)


@dataclass(frozen=True)
class Proposal:
    id: str
    label: str
    source: str | None
    cue: str | None
    cue_stance: str | None
    reason: str


def quoted_share(text: str) -> float:
    """Share of the sentence's letters that stand inside quotation marks."""
    inside = sum(len(m.group()) for m in QUOTED.finditer(text))
    return inside / max(1, len(text))


def _source(text: str, cue_match: re.Match) -> str | None:
    cue = cue_match.group().lower()
    after, before = text[cue_match.end():], text[: cue_match.start()]
    if cue in ("according to", "as outlined by", "as outlined in", "as reported by", "cited in", "cited by",
               "speaking to"):
        found = re.match(r"\s*(?:an? (?:report|interview|article) (?:by|in|with) )?(?:the )?" + NAME, after)
        return found.group(1).rstrip(".") if found else None
    found = re.search(NAME + r"(?:\s(?:also|recently|later|then|has|had|have))?\s*,?\s*$", before)
    if found and not found.group(1).endswith(("’s", "'s")):  # "Russia's reported use": not a speaker
        return found.group(1)
    pronoun = re.search(r"\b(he|she|they|it)\s*$", before, re.IGNORECASE)
    if pronoun:
        return pronoun.group(1)
    # A short noun phrase opening the sentence: "A former ambassador suggested…"
    phrase = before.strip(" ,")
    return phrase if phrase and len(phrase.split()) <= 5 and re.match(r"(?i)(the|a|an|one|some)\b", phrase) else None


def propose(sentence_id: str, text: str, seen_before: set[str] | None = None) -> Proposal:
    """Propose a label, source and cue for one sentence, with the rule that fired."""
    stripped = text.strip()
    words = stripped.split()
    if FURNITURE.search(stripped) or (seen_before is not None and stripped in seen_before):
        return Proposal(sentence_id, "furniture", None, None, None, "furniture pattern or repeated line")
    if DASH_ATTRIBUTED_HEADLINE.search(stripped) and not stripped.endswith((".", "?", "!", "”", '"')):
        return Proposal(sentence_id, "furniture", None, None, None, "headline with a dash attribution (teaser)")
    if len(words) <= 6 and not re.search(r"[.!?”\"]$", stripped):
        return Proposal(sentence_id, "furniture", None, None, None, "short line without sentence punctuation")
    # The first cue with an identifiable source wins ("Russia's reported use…, Zelensky told…").
    # "who asked not to be named" describes an anonymous source; it is not the cue.
    matches = [m for m in _CUE_RE.finditer(stripped) if not stripped[m.end():].startswith(" not to be named")]
    sourced = [(m, _source(stripped, m)) for m in matches]
    cue_match, source = next(((m, src) for m, src in sourced if src), (matches[0], None) if matches else (None, None))
    cue = cue_match.group() if cue_match else None
    stance = _CUE_STANCE[cue.lower()] if cue else None
    if quoted_share(stripped) >= 0.5:
        return Proposal(sentence_id, "quote", source, cue, stance, "most of the sentence is inside quotation marks")
    if POST_QUOTE_ATTRIBUTION.search(stripped):
        return Proposal(sentence_id, "quote", source, cue, stance, "opening quotation with attribution after it")
    if cue_match:
        if OBSERVERS.search(stripped[: cue_match.start()] + " " + (source or "")):
            return Proposal(sentence_id, "analysis", source, cue, stance, "cue with an observer as source")
        if cue.lower().startswith("as outlined by") and INTERPRETIVE.search(stripped):
            return Proposal(sentence_id, "analysis", source, cue, stance, "an outlet's interpretation")
        return Proposal(sentence_id, "reported", source, cue, stance, "reporting cue")
    if OBSERVERS.search(stripped) and re.search(r"\b(attribute|assess|believe|expect)\w*\b", stripped, re.I):
        return Proposal(sentence_id, "analysis", None, None, None, "observer with a verb of assessment")
    return Proposal(sentence_id, "narration", None, None, None, "no quotation, no cue: the reporter's voice")


def propose_all(sentences: list[tuple[str, str]]) -> list[Proposal]:
    """Proposals for (id, text) pairs in article order; repeated lines count as furniture."""
    seen: set[str] = set()
    proposals = []
    for sid, text in sentences:
        proposals.append(propose(sid, text, seen))
        seen.add(text.strip())
    return proposals


@dataclass(frozen=True)
class Scores:
    precision: dict[str, float]
    recall: dict[str, float]
    f1: dict[str, float]
    support: dict[str, int]
    accuracy: float
    confusion: dict[tuple[str, str], int]  # (key label, proposed label) -> count


def evaluate(gold: dict[str, str], proposed: dict[str, str], labels: list[str]) -> Scores:
    """Per-label precision, recall and F1 of ``proposed`` against ``gold`` (sentence id -> label)."""
    confusion = Counter((gold[sid], proposed.get(sid, "")) for sid in gold)
    precision, recall, f1, support = {}, {}, {}, {}
    for label in labels:
        tp = confusion[(label, label)]
        predicted = sum(n for (_, p), n in confusion.items() if p == label)
        actual = sum(n for (g, _), n in confusion.items() if g == label)
        precision[label] = tp / predicted if predicted else 0.0
        recall[label] = tp / actual if actual else 0.0
        both = precision[label] + recall[label]
        f1[label] = 2 * precision[label] * recall[label] / both if both else 0.0
        support[label] = actual
    accuracy = sum(n for (g, p), n in confusion.items() if g == p) / max(1, len(gold))
    return Scores(precision, recall, f1, support, accuracy, dict(confusion))
