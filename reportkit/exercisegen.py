"""Exercise notebooks generated from an article's questions (lessons 00–05 and 07 on any article).

The exercises of the notebooks' own article are written by hand; for another article, ``release --article`` builds
each lesson's exercise from the questions ``python -m reportkit questions`` generated (and the
author edited): the same cells, roles and metadata as a hand-written solution notebook, so the
check cells, the hand-in cell and the grader treat them alike. The solution of each answer cell
is the key's answer (``checks.key_answer``); ``release`` strips it for learners.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat

from reportkit.article import Article
from reportkit.checks import Question, key_answer, load_questions
from reportkit.questiongen import GENERATED_LESSONS, lesson_of

# What the answer cell's comment says an answer looks like, by kind (and by field for text).
ANSWER_FORMS = {"ids": "a list of sentence ids", "label": "one label id as text", "number": "a number",
                "chain": 'a list of names, like ["Source", "Outlet", "{outlet}"]'}
TEXT_FORMS = {"source": "a name, as text", "cue_stance": "one word, as text", "source_type": "a type, as text",
              "hedges": "a word or phrase copied from the sentence, as text", "outlet": "an outlet's name, as text"}
HOW_TO_ANSWER = """\
**How to answer.** In each answer cell, replace `...` with your answer and run the cell, then run
the check cell under it. A check that is not right yet stops with an error and a hint; change your
answer and run both cells again. Hints get more specific with each try."""
SETUP = """\
from reportkit import load_article, lesson
from reportkit.checks import Checker

check = Checker(ARTICLE)
article = check.article"""
MINUTES_PER_POINT = 1.5


def _cell(kind: str, source: str, cell_id: str, role: str, question: str | None = None) -> Any:
    cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
    cell["id"] = cell_id
    cell.metadata["reportkit"] = {"role": role, **({"question": question} if question else {})}
    return cell


def answer_form(question: Question, outlet: str) -> str:
    """The answer cell's comment: what an answer looks like."""
    if question.kind == "text":
        return TEXT_FORMS.get(question.spec["field"], "as text")
    return ANSWER_FORMS.get(question.kind, "your answer (see the question)").format(outlet=outlet)


def literal(value: Any) -> str:
    """A key answer as Python source (12000.0 as 12000)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def reading_cell(question: Question, article: Article) -> str | None:
    """What the learner reads before answering: the unit(s) asked about, or the article."""
    spec = question.spec
    if "sentence" in spec:
        return f'lesson.show(article, "{spec["sentence"]}", key=False)'
    if "figure" in spec:
        figure = next(f for f in article.figures if f.id == spec["figure"])
        return f'lesson.show(article, "{figure.sentence}", key=False)'
    within = spec.get("within")
    if within:
        return f'lesson.read(article, "{within[0]}", "{within[-1]}")'
    return "lesson.read(article)"


def question_cells(question: Question, article: Article) -> list[Any]:
    """Prompt, reading, answer (with the key's answer as its solution) and check cells of one question."""
    qid, points = question.id, question.points
    unit = "point" if points == 1 else "points"
    cells = [_cell("markdown", f"### Question {qid} ({points:g} {unit})\n\n{question.prompt}", f"{qid}-prompt",
                   "text", qid)]
    reading = reading_cell(question, article)
    if reading:
        cells.append(_cell("code", reading, f"{qid}-read", "locked", qid))
    answer = f"# {answer_form(question, article.outlet)}\n{qid} = ..."
    solution = key_answer(question, article)
    if solution is not None:  # a hand-written kind (choice, causes, rule) has no answer the data determines
        answer += f"\n\n### BEGIN SOLUTION\n{qid} = {literal(solution)}\n### END SOLUTION"
    cells.append(_cell("code", answer, f"{qid}-answer", "answer", qid))
    cells.append(_cell("code", f'check("{qid}", {qid})', f"{qid}-check", "check", qid))
    return cells


def lesson_title(lesson_path: Path) -> str:
    """'02 · Direct quotes' from the lesson's first heading."""
    first = next(c for c in nbformat.read(lesson_path, as_version=4).cells if c.cell_type == "markdown").source
    found = re.search(r"^#\s+(.+)$", first, re.MULTILINE)
    return found.group(1).strip() if found else lesson_path.stem


def header(lesson_path: Path, questions: list[Question]) -> str:
    title = lesson_title(lesson_path)
    minutes = max(5, round(MINUTES_PER_POINT * sum(q.points for q in questions) / 5) * 5)
    return (f"# Exercise {title}\n\n**Time:** {minutes} minutes · **Prerequisites:** lesson "
            f"[{title}](../notebooks/{lesson_path.name})\n\n**Questions**\n- Can I apply the lesson's rules to "
            f"this article on my own?\n\n**Objectives**\n- Answer {len(questions)} questions on the article, "
            f"generated from its key.\n\n{HOW_TO_ANSWER}")


def footer(number: str, credit: str) -> str:
    nxt = f"Next: lesson {int(number) + 1:02d}." if number != "07" else "Next: the tagging exercise, if not done."
    return ("## Key points\n\n- Every answer is checked against the article's key; read the explanation in each "
            f"check's box, right or wrong.\n\n{nxt}\n\n---\n*Lesson text CC BY 4.0. {credit}*")


def exercise_notebook(article: Article, number: str, lesson_path: Path, credit: str) -> Any | None:
    """The solution notebook of lesson ``number``'s exercise for ``article``, or None if it has no questions."""
    questions = [q for q in load_questions(article).values() if lesson_of(q.id) == number]
    if not questions:
        return None
    nb = nbformat.v4.new_notebook()
    nb.metadata.update({"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                       "name": "python3"},
                        "reportkit": {"article": article.id, "license": "CC-BY-4.0", "generated": True}})
    parameters = _cell("code", f'ARTICLE = "{article.id}"', "parameters", "setup")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [_cell("markdown", header(lesson_path, questions), "md-01", "text"), parameters,
                _cell("code", SETUP, "code-02", "setup")]
    for question in questions:
        nb.cells += question_cells(question, article)
    nb.cells.append(_cell("markdown", footer(number, credit), "md-03", "text"))
    return nb


def generated_exercises(article: Article, notebooks_dir: Path, credit: str) -> dict[str, Any]:
    """Every generated lesson's exercise for ``article``, by file name (``02-direct-quotes.ipynb``)."""
    made = {}
    for number in GENERATED_LESSONS:
        lesson = next(iter(sorted(notebooks_dir.glob(f"{number}-*.ipynb"))), None)
        if lesson is None:
            continue
        nb = exercise_notebook(article, number, lesson, credit)
        if nb is not None:
            made[lesson.name] = nb
    return made
