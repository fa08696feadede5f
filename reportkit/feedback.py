"""Judging one label against the key, in the codebook's terms (shared by tagger, checks, grader)."""

from __future__ import annotations

from dataclasses import dataclass

from reportkit.key import Codebook, KeyEntry

CORRECT, ACCEPTED, WRONG, MISSING = "correct", "accepted", "wrong", "missing"


@dataclass(frozen=True)
class Verdict:
    sentence: str
    given: str | None
    status: str  # correct | accepted | wrong | missing
    message: str

    @property
    def ok(self) -> bool:
        return self.status in (CORRECT, ACCEPTED)


def judge_label(entry: KeyEntry, given: str | None, codebook: Codebook, *, reveal: bool = False) -> Verdict:
    """Compare a learner's label with the key.

    A wrong answer gets the codebook rule that decides the sentence, not the answer;
    ``reveal=True`` (after a second wrong try, or in the grader's report) also names the
    key's label and its rationale.
    """
    sid = entry.id
    if not given:
        return Verdict(sid, None, MISSING, f"{sid}: not tagged yet.")
    if given == entry.label:
        return Verdict(sid, given, CORRECT, f"{sid}: right, {codebook.label(given).name.lower()}.")
    alternative = entry.alternative(given)
    if alternative is not None:
        main = codebook.label(entry.label).name.lower()
        return Verdict(
            sid, given, ACCEPTED,
            f"{sid}: {codebook.label(given).name.lower()} is defensible here; the key prefers {main}. "
            f"{alternative.note}",
        )
    try:
        given_name = codebook.label(given).name.lower()
    except KeyError:
        return Verdict(sid, given, WRONG, f"{sid}: {given!r} is not a label ({', '.join(codebook.label_ids)}).")
    deciding = [codebook.rule(r) for r in entry.rules]
    rule_text = " ".join(rule.cite() for rule in deciding[:1])
    message = f"{sid} is not {_article(given_name)} {given_name}. {rule_text}"
    if reveal:
        main = codebook.label(entry.label).name.lower()
        message += f" The key says {main}: {entry.rationale}"
    return Verdict(sid, given, WRONG, message)


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"
