"""A rule-based baseline tagger: what a machine gets from quotation marks and reporting cues.

Rules are general (a cue lexicon with stance classes, quotation-mark coverage, page-furniture
patterns, observer nouns); nothing here names an article. The lesson compares it with the key
to show where machines — and hurried readers — go wrong: indirect speech without a classic
verb, mixed quotes, analysis carried by a reporting verb, teasers that read like news.

Lesson 08 lets learners add rules of their own: ``propose_all(sentences, extra_rules=[rule])``
where a rule is a plain function ``rule(text, previous)``. ``text`` is the sentence;
``previous`` is the final :class:`Proposal` for the unit before it (``None`` for the first),
with ``.text``, ``.label``, ``.source`` and ``.cue``. The rule returns a label id to replace
the baseline's proposal, or ``None`` to leave it. Rules run in order after the baseline, one
unit at a time, so a rule sees the labels that earlier rules gave the units before.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

LABELS = ("quote", "reported", "analysis", "narration", "furniture")
# The three classes used to measure on real news: who speaks, not in what role.
THREE_WAY = {"quote": "quote", "reported": "attributed", "analysis": "attributed",
             "narration": "unattributed", "furniture": "unattributed"}


def three_way(label: str) -> str:
    """The three-way class of a label: quote, attributed (reported, analysis) or unattributed."""
    return THREE_WAY.get(label, label)

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
_PREPOSITION_BEFORE = re.compile(
    r"\b(in|since|on|at|from|of|to|for|during|after|before|until|near|across|into)\s*$", re.IGNORECASE)
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
    text: str = ""


Rule = Callable[[str, "Proposal | None"], "str | None"]


class RuleError(Exception):
    """A learner's rule failed on a sentence (it raised, or returned something that is not a label)."""

    def __init__(self, message: str, sentence_id: str, rule_name: str) -> None:
        super().__init__(message)
        self.sentence_id = sentence_id
        self.rule_name = rule_name


def find_cue(text: str) -> str | None:
    """The first reporting cue in ``text`` ("said", "according to", "alleging" …), or None."""
    match = _CUE_RE.search(text)
    return match.group() if match else None


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
        if not found:
            return None
        name = found.group(1).rstrip(".")
        if name.endswith(("’s", "'s")):  # "according to Ostrel's defence ministry": the ministry speaks
            owned = re.match(r"(?:\s[a-z][\w-]*){1,3}", after[found.end():])
            return name + owned.group() if owned else name
        return name
    found = re.search(NAME + r"(?:\s(?:also|recently|later|then|has|had|have))?\s*,?\s*$", before)
    # "Russia's reported use" is not a speaker, nor is a place or a date ("Diplomats in Kastelgrad
    # said", "…since January, said"): a name right after a preposition is not the one speaking.
    if found and not found.group(1).endswith(("’s", "'s")) and not _PREPOSITION_BEFORE.search(
            before[: found.start()]):
        name = found.group(1)
        return name.lower() if name.lower() in ("he", "she", "they", "it") else name
    pronoun = re.search(r"\b(he|she|they|it)\s*$", before, re.IGNORECASE)
    if pronoun:
        return pronoun.group(1).lower()
    # A short noun phrase opening the sentence: "A former ambassador suggested…", "Diplomats in Kastelgrad said…"
    phrase = before.strip(" ,")
    if not phrase or len(phrase.split()) > 5 or "," in phrase:
        return None
    opens = re.match(r"(?i)(the|a|an|one|some)\b", phrase) or re.match(r"[A-Z][a-z]+s\b", phrase)
    return phrase if opens else None


def propose(sentence_id: str, text: str, seen_before: set[str] | None = None) -> Proposal:
    """Propose a label, source and cue for one sentence, with the rule that fired."""
    return replace(_propose(sentence_id, text, seen_before), text=text)


def _propose(sentence_id: str, text: str, seen_before: set[str] | None) -> Proposal:
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


def _rule_name(rule: Callable) -> str:
    name = getattr(rule, "__name__", None) or type(rule).__name__
    return "your lambda rule" if name == "<lambda>" else f"rule {name}"


def _rule_line(rule: Callable, error: BaseException) -> str:
    """' (line N of the rule)' for the innermost frame of the traceback that is in the rule's cell."""
    code = getattr(rule, "__code__", None)
    line = None
    tb = error.__traceback__
    while tb is not None:
        if code is not None and tb.tb_frame.f_code.co_filename == code.co_filename:
            line = tb.tb_lineno - code.co_firstlineno + 1
        tb = tb.tb_next
    return f" (line {line} of the rule)" if line else ""


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _apply(rule: Callable, proposal: Proposal, previous: Proposal | None) -> Proposal:
    name = _rule_name(rule)
    where = f"{proposal.id} (“{_short(proposal.text)}”)"
    try:
        label = rule(proposal.text, previous)
    except Exception as error:  # noqa: BLE001 - the learner's code may raise anything
        raise RuleError(f"{name} raised {type(error).__name__}: {_short(str(error), 120)}{_rule_line(rule, error)} "
                        f"on {where}.", proposal.id, name) from None
    if label is None:
        return proposal
    if not isinstance(label, str) or label not in LABELS:
        raise RuleError(f"{name} returned {label!r} on {where}; a rule returns one of "
                        f"{', '.join(LABELS)}, or None to leave the baseline's label.", proposal.id, name)
    if label == proposal.label:
        return proposal
    return replace(proposal, label=label, reason=f"{name} (the baseline said {proposal.label})")


def propose_all(sentences: Iterable[tuple[str, str]], extra_rules: Iterable[Rule] = ()) -> list[Proposal]:
    """Proposals for (id, text) pairs in article order; repeated lines count as furniture.

    ``extra_rules`` are applied in order after the baseline, unit by unit (see the module's
    docstring); a rule that raises or returns something that is not a label stops the run with
    a :class:`RuleError` that names the rule and the sentence.
    """
    rules = list(extra_rules)
    seen: set[str] = set()
    proposals: list[Proposal] = []
    for sid, text in sentences:
        proposal = propose(sid, text, seen)
        previous = proposals[-1] if proposals else None
        for rule in rules:
            proposal = _apply(rule, proposal, previous)
        proposals.append(proposal)
        seen.add(text.strip())
    return proposals



def propose_article(article: Any, extra_rules: Iterable[Rule] = ()) -> list[Proposal]:
    """:func:`propose_all` on every unit of an article (anything with ``.sentences`` of id and text)."""
    return propose_all([(s.id, s.text) for s in article.sentences], extra_rules)

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


class Miss(NamedTuple):
    """A unit where the proposal differs from the key."""

    id: str
    key_label: str
    label: str
    reason: str


def misses(gold: dict[str, str], proposals: Iterable[Proposal]) -> list[Miss]:
    """(sentence id, key label, proposed label, the rule that fired) for each proposal the key disagrees with."""
    return [Miss(p.id, gold[p.id], p.label, p.reason) for p in proposals if p.id in gold and gold[p.id] != p.label]


@dataclass(frozen=True)
class Effect:
    """What extra rules changed against the key: units fixed, broken, and changed but still wrong."""

    fixed: list[str]
    broken: list[str]
    still_wrong: list[str]

    @property
    def changed(self) -> list[str]:
        return sorted(self.fixed + self.broken + self.still_wrong)


def effect(gold: dict[str, str], before: Iterable[Proposal], after: Iterable[Proposal]) -> Effect:
    """Compare two runs over the same units (the baseline, then the baseline with extra rules)."""
    old = {p.id: p.label for p in before}
    fixed, broken, still_wrong = [], [], []
    for p in after:
        if p.id not in gold or old.get(p.id) == p.label:
            continue
        if p.label == gold[p.id]:
            fixed.append(p.id)
        elif old.get(p.id) == gold[p.id]:
            broken.append(p.id)
        else:
            still_wrong.append(p.id)
    return Effect(fixed, broken, still_wrong)
