"""Re-score without re-running: ``grade --rescore REPORT`` after a key fix.

Every recorded answer in REPORT/results.json is scored again with the kit's current key and
questions.json, with the scorer the grader and the in-class checks use (``reportkit.checks.score``);
no notebook runs. A rule answer is scored from the labels its run produced (the sandboxed re-run
recorded them). What was never recorded (a notebook not handed in, a run that stopped before the
check, an answer cut by the results.json cap) keeps the grader's points and message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportkit.grading.model import LearnerResult, QuestionResult
from reportkit.grading.resultsfile import ResultsDocument, load_results
from reportkit.grading.scoring import REVEAL_ATTEMPT


def _rescorable(answer: Any) -> bool:
    return answer is not None and not (isinstance(answer, dict) and "truncated" in answer)


def _as_rule(question: Any, answer: Any) -> Any:
    """A rule's recorded answer ({source, labels}) as the scorer reads it; None if it produced no labels."""
    from reportkit.checks import RecordedRule

    if not isinstance(answer, dict) or answer.get("labels") is None:
        return None
    return RecordedRule.from_record({"name": question.id, "source": answer.get("source"),
                                     "labels": answer["labels"], "signature_ok": True})


def score_again(q: QuestionResult, question: Any, article: Any) -> None:
    """One recorded answer scored with the current key (in place); unchanged if it cannot be."""
    from reportkit.checks import score

    q.max_points = question.points
    if not _rescorable(q.answer):
        return
    answer: Any = q.answer
    if question.kind == "rule":
        answer = _as_rule(question, q.answer)
        if answer is None:
            return
    graded = score(question, answer, article, REVEAL_ATTEMPT)
    q.right, q.total, q.passed, q.points, q.message = graded.right, graded.total, graded.passed, \
        graded.points, graded.message


def rescore_results(doc: ResultsDocument, kit: Path) -> list[LearnerResult]:
    """Every learner of ``doc`` scored again against ``kit``'s key (in place; returned)."""
    from reportkit.grading.releases import article_and_questions

    article_and_questions.cache_clear()  # the key may have changed since this process read it
    articles = {rel.name: rel.article for rel in doc.notebooks}
    for learner in doc.learners:
        for q in learner.questions:
            article, questions = article_and_questions(str(kit), articles.get(q.notebook, ""))
            if q.question in questions:
                score_again(q, questions[q.question], article)
    return doc.learners


def rescore(report: Path, kit: Path, out: Path | None = None,
            adjustments: dict[str, list[Any]] | None = None) -> list[LearnerResult]:
    """Score REPORT's recorded answers again and write the report (into ``out``, default REPORT itself).
    ``adjustments`` replace the recorded ones; without them the recorded ones are kept."""
    from reportkit.grading import adjustments as adjust
    from reportkit.grading.report import write_report

    doc = load_results(report)
    results = rescore_results(doc, kit)
    if adjustments is not None:
        adjust.validate(adjustments, [r.learner for r in results], [q for n in doc.notebooks for q in n.questions])
        adjust.apply(results, adjustments)
    write_report(results, doc.notebooks, out or report, kit=kit, warnings=doc.warnings, sandboxed=doc.sandboxed,
                 shard=doc.shard)
    return results
