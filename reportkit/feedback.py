"""Judging one label against the key, in the codebook's terms (shared by tagger, checks, grader).

A wrong label is answered with the learner's own confusion, the pair (the key's label, the label
given), in three steps that each add to the last:

1. the distinction: what separates the two labels (the codebook's ``distinctions``) and the rule
   that decides between them;
2. the deciding words: where in *this* sentence the difference shows, derived from the key's data
   (its cue, source, quoted span, partial quotes, channel note) or a per-unit override
   (``feedback`` in the key entry);
3. the answer: the key's label and its rationale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportkit.key import Codebook, KeyEntry, LabelId

CORRECT, ACCEPTED, WRONG, MISSING = "correct", "accepted", "wrong", "missing"
DISTINCTION, DECIDING_WORDS, ANSWER = 1, 2, 3  # the steps of escalation, by try
QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")


@dataclass(frozen=True)
class Verdict:
    sentence: str
    given: str | None
    status: str  # correct | accepted | wrong | missing
    message: str

    @property
    def ok(self) -> bool:
        return self.status in (CORRECT, ACCEPTED)


def judge_label(entry: KeyEntry, given: str | None, codebook: Codebook, *, reveal: bool = False,
                attempt: int = DISTINCTION, text: str = "", newsmaker: str | None = None) -> Verdict:
    """Compare a learner's label with the key.

    A wrong answer gets what separates the two labels (try 1), then the words of this sentence
    that decide (try 2, needs ``text``), then the key's label and rationale (try 3, or ``reveal``).
    """
    sid = entry.id
    if not given:
        return Verdict(sid, None, MISSING, f"{sid}: not tagged yet.")
    if given == entry.label:
        return Verdict(sid, given, CORRECT, f"{sid}: right, {codebook.label(given).name.lower()}.")
    alternative = entry.alternative(given)
    if alternative is not None:
        main = codebook.label(entry.label).name.lower()
        return Verdict(sid, given, ACCEPTED, f"{sid}: {codebook.label(given).name.lower()} is defensible here; "
                       f"the key prefers {main}. {alternative.note}")
    if given not in codebook.label_ids:
        return Verdict(sid, given, WRONG, f"{sid}: {given!r} is not a label ({', '.join(codebook.label_ids)}).")
    step = ANSWER if reveal else max(DISTINCTION, attempt)
    return Verdict(sid, given, WRONG, confusion_message(entry, given, codebook, step, text, newsmaker))


def confusion_message(entry: KeyEntry, given: str, codebook: Codebook, step: int, text: str = "",
                      newsmaker: str | None = None) -> str:
    """The feedback for a learner who labelled ``entry`` as ``given``, at escalation ``step``."""
    given_name = codebook.label(given).name.lower()
    lines = [f"{entry.id} is not {_a(given_name)} {given_name}. {distinction_text(entry, given, codebook)}"]
    if step >= DECIDING_WORDS:
        words = deciding_words(entry, given, text, newsmaker)
        if words:
            lines.append(f"In {entry.id}: {words}")
    if step >= ANSWER:
        lines.append(f"The key says {codebook.label(entry.label).name.lower()}: {entry.rationale}")
    return "\n".join(lines)


def distinction_text(entry: KeyEntry, given: str, codebook: Codebook) -> str:
    """What separates the key's label from ``given``, and the rule that decides (one the key cites if it can)."""
    distinction = codebook.distinction(entry.label, given)
    if distinction is None:  # a codebook without distinctions: the key's own rule for its label
        rule_id = next((r for r in entry.rules if codebook.rule(r).label == entry.label), None)
        return codebook.rule(rule_id).cite() if rule_id else codebook.label(entry.label).question
    # the distinction's first rule that the key cites for its own label, else its first rule
    rule_id = next((r for r in distinction.rules if r in entry.rules and codebook.rule(r).label == entry.label),
                   distinction.rules[0])
    rule = codebook.rule(rule_id)
    return f"{distinction.text} Rule {rule.id} ({rule.title}) decides."


def deciding_words(entry: KeyEntry, given: str, text: str = "", newsmaker: str | None = None) -> str:
    """Where in this sentence the difference shows: the key entry's override for ``given``, or words
    derived from its data (cue, source, quotation, partial quotes, channel note)."""
    if given in entry.feedback:
        return entry.feedback[given]
    a = entry.attribution
    cue = f"“{a.cue}”" if a.cue else None
    if entry.label == LabelId.QUOTE:
        span = _main_quote(text)
        said = f"{cue} gives them to {a.source}" if cue else f"no cue: it goes on quoting {a.source}"
        return f"the main content{f', “{_short(span)}”,' if span else ''} stands inside quotation marks, and {said}."
    if entry.label in (LabelId.REPORTED, LabelId.ANALYSIS):
        return _attributed_words(entry, given, newsmaker)
    if entry.label == LabelId.NARRATION:
        return "no source is named and no reporting cue (said, told, according to…) attributes the sentence to anyone."
    if entry.label == LabelId.FURNITURE:
        note = a.channel_note or "it is the website's, not the report's"
        return f"“{_short(text) or entry.id}” belongs to the page: {note[0].lower() + note[1:]}"
    return ""


def _attributed_words(entry: KeyEntry, given: str, newsmaker: str | None) -> str:
    a = entry.attribution
    parts = []
    if a.cue and a.source:
        parts.append(f"“{a.cue}” attributes it to {a.source}")
    elif a.source:
        parts.append(f"its source is {a.source}, carried over from the sentence before")
    if a.mixed_quotes:
        fragments = ", ".join(f"“{f}”" for f in a.mixed_quotes)
        parts.append(f"only {fragments} is inside quotation marks; the rest is the reporter's paraphrase")
    if given in (LabelId.ANALYSIS, LabelId.REPORTED) and a.source:
        is_newsmaker = bool(newsmaker) and _same_person(a.source, newsmaker or "")
        if entry.label == LabelId.REPORTED and is_newsmaker:
            parts.append(f"{a.source} is the newsmaker himself, not an outside observer")
        elif entry.label == LabelId.REPORTED:
            parts.append(f"{a.source} ({a.source_type}) gives facts or takes part in the events")
        else:
            parts.append(f"{a.source} ({a.source_type}) interprets from outside the events")
    return "; ".join(parts) + "." if parts else ""


def _main_quote(text: str) -> str:
    spans = QUOTED.findall(text)
    return max(spans, key=len) if spans else ""


def _short(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def _same_person(a: str, b: str) -> bool:
    return a.split()[-1:] == b.split()[-1:]


def _a(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"
