"""Item analysis for the class report: the units (tagged sentences, questions) where most of the class
disagrees with the key. A majority against the key is a reason to read the key again: it may be
right and the lesson unclear, or the key may be wrong (then fix it and ``grade --rescore``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from reportkit.grading.model import LearnerResult
from reportkit.grading.releases import ReleasedNotebook

MIN_ANSWERS = 3  # fewer answers than this say nothing about the key
MAJORITY = 0.5  # listed when more than this share of the answers disagrees with the key
SHOWN_CHARS = 70


@dataclass(frozen=True)
class Disputed:
    unit: str  # a sentence id or a question id
    key: str  # what the key says, as shown
    against: int  # answers that disagree with the key
    answered: int
    usual: str  # the most common answer against the key, with its count
    text: str = ""  # the sentence (tagging) or the notebook (a question)


def _shown(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…"


def disputed_sentences(answers: list[dict[str, Any]], article: Any) -> list[Disputed]:
    """Sentences that most learners who tagged them tagged against the key."""
    found = []
    for s in article.sentences:
        entry = article.key[s.id]
        given = [labels[s.id] for labels in answers if labels.get(s.id)]
        taken = Counter(label for label in given if not entry.accepts(label))
        if len(given) >= MIN_ANSWERS and sum(taken.values()) > MAJORITY * len(given):
            label, n = taken.most_common(1)[0]
            found.append(Disputed(s.id, entry.label, sum(taken.values()), len(given), f"{label} ×{n}", s.text))
    return sorted(found, key=lambda d: (-d.against / d.answered, d.unit))


def _answer_text(answer: Any) -> str:
    if isinstance(answer, dict) and "source" in answer:
        return "(a rule)"
    return json.dumps(answer, sort_keys=True, ensure_ascii=False, default=str)


def disputed_questions(results: list[LearnerResult], released: list[ReleasedNotebook],
                       tagging: set[str]) -> list[Disputed]:
    """Questions (not tagging: those are read per sentence) most learners who answered got wrong."""
    found = []
    for rel in released:
        for qid in rel.questions:
            if qid in tagging:
                continue
            done = [x for r in results for x in r.questions if x.question == qid and x.answer is not None]
            wrong = Counter(_answer_text(x.answer) for x in done if not x.passed)
            if len(done) >= MIN_ANSWERS and sum(wrong.values()) > MAJORITY * len(done):
                answer, n = wrong.most_common(1)[0]
                found.append(Disputed(qid, "", sum(wrong.values()), len(done), f"{answer} ×{n}", rel.name))
    return found


def item_analysis_lines(results: list[LearnerResult], released: list[ReleasedNotebook],
                        tag_data: list[tuple[Any, list]]) -> list[str]:
    """The class report's section (Markdown lines)."""
    lines = ["## Item analysis: where most of the class disagrees with the key", "",
             f"Units that more than half of the learners who answered them (at least {MIN_ANSWERS}) answered "
             "against the key. Read the key again for each; after a fix, `grade --rescore REPORT` scores "
             "every recorded answer again without running a notebook.", ""]
    sentences = [(article, d) for article, answers in tag_data for d in disputed_sentences(answers, article)]
    questions = disputed_questions(results, released, _tagging_questions(tag_data, results))
    if not sentences and not questions:
        return [*lines, "None: on every unit, most of the class agrees with the key.", ""]
    if sentences:
        lines += ["| sentence | key | against the key | most given instead | text |", "|---|---|---|---|---|"]
        lines += [f"| {d.unit} | {d.key} | {d.against} of {d.answered} | {d.usual} | {_shown(d.text)} |"
                  for _, d in sentences] + [""]
    if questions:
        lines += ["| question | notebook | wrong | most common wrong answer |", "|---|---|---|---|"]
        lines += [f"| {d.unit} | {d.text} | {d.against} of {d.answered} | {_shown(d.usual)} |"
                  for d in questions] + [""]
    return lines


def _tagging_questions(tag_data: list[tuple[Any, list]], results: list[LearnerResult]) -> set[str]:
    """Questions whose answers are sentence → label maps (read per sentence, not as one answer)."""
    ids = {s.id for article, _ in tag_data for s in article.sentences}
    return {x.question for r in results for x in r.questions
            if isinstance(x.answer, dict) and x.answer and set(x.answer) <= ids}
