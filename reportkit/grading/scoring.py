"""Step 7 — scoring, outside the sandbox, with the instructor's key and the same scorer the in-class
check uses (``reportkit.checks.score``, DECISIONS §5). Points per question come from
``questions.json``; feedback is as specific as the checks ever get (it is read after the deadline).
"""

from __future__ import annotations

from typing import Any

from reportkit.grading.model import FlagCode, LearnerResult, QuestionResult
from reportkit.grading.releases import ReleasedNotebook

REVEAL_ATTEMPT = 3  # feedback as at the third try: the learner reads it after the deadline


def zero(released: ReleasedNotebook, questions: dict[str, Any], message: str) -> list[QuestionResult]:
    """Every question of a notebook that could not be graded, at 0 points with ``message``."""
    return [QuestionResult(q, released.name, 0.0, questions[q].points, message=f"{q}: {message}")
            for q in released.questions if q in questions]


def _from_result(out: QuestionResult, graded: Any) -> QuestionResult:
    out.right, out.total, out.passed = graded.right, graded.total, graded.passed
    out.points, out.message = graded.points, graded.message
    return out


def score_rule(question: Any, record: dict[str, Any] | None, article: Any, notebook: str,
               result: LearnerResult) -> Any:
    """A rule the grader ran again in the sandbox (:mod:`reportkit.grading.rulerun`), scored here."""
    from reportkit.checks import RecordedRule, Result, score

    def zero_result(message: str) -> Any:
        return Result(question.id, 0, 1, False, f"{question.id}: {message}", 0.0, question.points)

    if question.kind != "rule":
        return zero_result("your answer is a function; this question asks for a value (see its prompt).")
    if record is None:
        return zero_result("the grader could not run your rule again (it did not finish); your instructor will "
                           "read it.")
    if isinstance(record, dict) and not record.get("defined", True):
        return zero_result(f"{record.get('error')}.")
    try:
        recorded = RecordedRule.from_record(record)
    except ValueError as error:
        return zero_result(f"your rule's record could not be read: {error}.")
    if recorded.error is not None:
        result.flag(FlagCode.RULE_ERROR, f"{question.id}: {recorded.error}", notebook)
    return score(question, recorded, article, REVEAL_ATTEMPT)


def score_notebook(result: LearnerResult, released: ReleasedNotebook, article: Any, questions: dict[str, Any],
                   records: dict[str, dict[str, Any]], tagging: dict[str, Any], rules: dict[str, Any],
                   halted: str | None) -> None:
    """Every question of one notebook into ``result.questions``."""
    from reportkit.checks import score

    for qid in released.questions:
        question = questions.get(qid)
        if question is None:
            result.flag(FlagCode.UNKNOWN_QUESTION, f"{qid} is not in questions.json; not graded", released.name)
            continue
        out = QuestionResult(qid, released.name, 0.0, question.points)
        record = records.get(qid, {})
        if question.kind == "tagging" or qid in tagging:
            out.answer = tagging.get(qid)
            result.questions.append(_from_result(out, score(question, out.answer or {}, article, REVEAL_ATTEMPT)))
        elif "value" in record:
            out.answer = record["value"]
            result.questions.append(_from_result(out, score(question, out.answer, article, REVEAL_ATTEMPT)))
        elif "rule" in record:
            rule = rules.get(qid)
            out.answer = {"source": (rule or {}).get("source"), "labels": (rule or {}).get("labels")}
            result.questions.append(_from_result(out, score_rule(question, rule, article, released.name, result)))
        else:
            out.message = _unrecorded(qid, record, halted, result, released.name)
            result.questions.append(out)


def _unrecorded(qid: str, record: dict[str, Any], halted: str | None, result: LearnerResult, notebook: str) -> str:
    if "error" in record:
        return f"{qid}: your answer could not be read: {record['error']}."
    if halted:
        return f"{qid}: not graded: {halted} before this check."
    result.flag(FlagCode.RECORD_MISSING, f"{qid}: the check cell ran but recorded nothing", notebook)
    return f"{qid}: no answer was recorded."
