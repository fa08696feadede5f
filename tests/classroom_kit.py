"""Hand-ins of the *shipped* exercises, written as a learner's JupyterLab would leave them.

A learner's notebook is the released exercise (``exercises/``) with the answer cells typed in;
the answers come from ``solutions/`` (the solution block, placeholder removed). Tagging answers
travel as a learner's do: ``tag-all.answers.json`` beside the notebook and the widget's copy in
the notebook's output. Used by the class rehearsal (tests/test_grading_rehearsal.py) and
benchmarks/bench_grading.py. Not collected by pytest (no ``test_`` prefix).
"""

from __future__ import annotations

import ast
import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def release_names(release: Path) -> list[str]:
    return sorted(p.name for p in release.glob("[0-9][0-9]-*.ipynb"))


def _meta(cell: Any) -> dict[str, Any]:
    return cell.get("metadata", {}).get("reportkit", {}) or {}


def solution_answers(solutions: Path, name: str) -> dict[str, str]:
    """Question id -> the answer cell a learner who knows the answer types (placeholder removed)."""
    nb = nbformat.read(solutions / name, as_version=4)
    answers = {}
    for cell in nb.cells:
        meta = _meta(cell)
        if meta.get("role") != "answer" or not meta.get("question"):
            continue
        q = meta["question"]
        lines = [ln for ln in cell.source.splitlines() if ln.strip() not in (BEGIN, END)
                 and not re.fullmatch(rf"\s*{q}\s*=\s*\.\.\.\s*", ln)]
        answers[q] = "\n".join(lines).strip()
    return answers


def solution_tags(solutions: Path, name: str) -> dict[str, str] | None:
    """The labels the solution's tagger cell sets (``tagger.answers = {...}``), if it has one."""
    nb = nbformat.read(solutions / name, as_version=4)
    for cell in nb.cells:
        if _meta(cell).get("role") != "tagger" or BEGIN not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source.replace(BEGIN, "").replace(END, ""))):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
                return ast.literal_eval(node.value)
    return None


def tags_document(labels: dict[str, str], article_id: str, root: Path = REPO) -> dict[str, Any]:
    """The answers document the tagger writes for these labels (file and notebook copy)."""
    from reportkit.answers import AnswersFile, stamp
    from reportkit.article import load_article

    article = load_article(article_id, root, require_key=False)
    found = AnswersFile(article=article.id, seed_sha256=article.seed_sha256, exercise="tag-all",
                        labels=dict(labels), revision=len(labels), saved_at=stamp(), writer="classroom-kit")
    return found.to_dict()


def learner_notebook(release: Path, name: str, answers: dict[str, str], tags: dict[str, Any] | None = None) -> Any:
    """The released exercise with ``answers`` typed into its answer cells (and the tagger's copy)."""
    nb = nbformat.read(release / name, as_version=4)
    for cell in nb.cells:
        meta = _meta(cell)
        if meta.get("role") == "answer" and meta.get("question") in answers:
            cell.source = answers[meta["question"]]
        if meta.get("role") == "tagger" and tags is not None:
            cell.outputs = [nbformat.v4.new_output("display_data", data={
                "application/vnd.reportkit.answers+json": tags, "text/plain": "answers"})]
    return nb


class Learner:
    """Writes one learner's hand-in folder from answer choices."""

    def __init__(self, release: Path, solutions: Path, article_id: str) -> None:
        self.release, self.solutions, self.article_id = release, solutions, article_id
        self.names = release_names(release)
        self.right = {n: solution_answers(solutions, n) for n in self.names}
        self.tags = {n: t for n in self.names if (t := solution_tags(solutions, n))}

    def questions(self) -> list[str]:
        """Every question the release checks, in order (the tagging question has no answer cell)."""
        return [c.metadata["reportkit"]["question"] for n in self.names
                for c in nbformat.read(self.release / n, as_version=4).cells if _meta(c).get("role") == "check"]

    def notebook_questions(self, name: str) -> list[str]:
        return [c.metadata["reportkit"]["question"] for c in nbformat.read(self.release / name, as_version=4).cells
                if _meta(c).get("role") == "check"]

    def write(self, folder: Path, *, names: list[str] | None = None, pick: Callable[[str], bool] = lambda q: True,
              extra: dict[str, str] | None = None, override: dict[str, str] | None = None,
              rename: Callable[[str], str] = lambda n: n, tags: bool = True) -> Path:
        """``pick(question)``: answer it (else leave the blank); ``override``: question -> the answer cell
        typed instead; ``extra``: notebook -> a code cell the learner added at the end; ``rename``: the
        file name the learner's copy got."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in names or self.names:
            answers = {q: a for q, a in self.right[name].items() if pick(q)}
            answers.update({q: a for q, a in (override or {}).items() if q in self.right[name]})
            doc = tags_document(self.tags[name], self.article_id) if tags and name in self.tags else None
            nb = learner_notebook(self.release, name, answers, doc)
            if extra and name in extra:
                cell = nbformat.v4.new_code_cell(extra[name])
                nb.cells.insert(len(nb.cells) - 1, cell)
            nbformat.write(nb, folder / rename(name))
            if doc is not None:
                (folder / "tag-all.answers.json").write_text(json.dumps(doc, indent=1), "utf-8")
        return folder


def fresh_copy(nb: Any) -> Any:
    """The learner copied every cell into a new notebook: new cell ids, no metadata, no outputs."""
    new = nbformat.v4.new_notebook()
    for cell in nb.cells:
        made = (nbformat.v4.new_code_cell if cell.cell_type == "code" else nbformat.v4.new_markdown_cell)(
            copy.deepcopy(cell.source))
        new.cells.append(made)
    return new


def questions_json(kit: Path, article_id: str) -> list[dict[str, Any]]:
    """The article's questions as the instructor wrote them (ids, kinds, points)."""
    return json.loads((kit / "data" / article_id / "questions.json").read_text("utf-8"))["questions"]
