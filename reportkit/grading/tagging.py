"""Step 6 — tagging answers: read from the hand-in (the notebook's copy and the answers file
beside it), never from the learner's kernel. Of the two copies, the newer (the higher revision,
then the later save time recorded inside: DECISIONS §3) is graded; the other is a note.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reportkit.answers import AnswersFile, newer, read_answers_from_notebook
from reportkit.grading.model import FlagCode, LearnerResult


def answers_problem(found: AnswersFile, article: Any, exercise: str) -> tuple[FlagCode, str] | None:
    """(flag, why) if ``found`` is not this exercise's answers for this article and text."""
    if found.exercise != exercise:
        return FlagCode.ANSWERS_FILE_FOREIGN, f"it holds answers for exercise {found.exercise!r}, not {exercise!r}"
    if found.article != article.id:
        return FlagCode.ANSWERS_FILE_FOREIGN, f"it holds answers for article {found.article!r}, not {article.id!r}"
    if found.seed_sha256 and found.seed_sha256 != article.seed_sha256:
        return FlagCode.ANSWERS_FILE_FOREIGN, "it was written for another version of the article's text"
    return None


def _from_file(path: Path, article: Any, exercise: str, notebook: str,
               result: LearnerResult) -> AnswersFile | None:
    if not path.is_file():
        return None
    try:
        found = AnswersFile.from_dict(json.loads(path.read_text("utf-8")))
    except (ValueError, UnicodeDecodeError) as error:
        result.flag(FlagCode.ANSWERS_FILE_CORRUPT, f"{path.name} is not a valid answers file ({error}); ignored",
                    notebook)
        return None
    problem = answers_problem(found, article, exercise)
    if problem:
        result.flag(problem[0], f"{path.name}: {problem[1]}; ignored", notebook)
        return None
    return found


def _describe(found: AnswersFile) -> str:
    return f"revision {found.revision}" + (f", saved {found.saved_at}" if found.saved_at else "")


def tagging_answers(nb: Any, folder: Path, exercise: str, article: Any, notebook: str,
                    result: LearnerResult) -> tuple[dict[str, str] | None, AnswersFile | None]:
    """The learner's labels (unit -> label) from the newer copy; and that copy (None: no answers)."""
    in_nb = read_answers_from_notebook(nb, exercise)
    if in_nb is not None and answers_problem(in_nb, article, exercise):
        in_nb = None
    in_file = _from_file(folder / f"{exercise}.answers.json", article, exercise, notebook, result)
    chosen = newer(in_nb, in_file)
    if chosen is None:
        return None, None
    other = in_file if chosen is in_nb else in_nb
    if other is not None and other.current_labels() != chosen.current_labels():
        differ = sorted(k for k in set(chosen.current_labels()) | set(other.current_labels())
                        if chosen.current_labels().get(k) != other.current_labels().get(k))
        where = "the notebook's copy" if chosen is in_nb else f"{exercise}.answers.json"
        result.flag(FlagCode.ANSWERS_OLDER_COPY,
                    f"the notebook's copy and {exercise}.answers.json differ on {', '.join(differ[:8])}"
                    f"{' …' if len(differ) > 8 else ''}; {where} ({_describe(chosen)}) was graded, the other "
                    f"({_describe(other)}) is older", notebook)
    return chosen.current_labels(), chosen
