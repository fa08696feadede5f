"""Step 2 — release lookup: the released exercise notebooks a class is graded against.

A released notebook carries its release version (``metadata.reportkit.release``); with several
``--release`` folders, each hand-in notebook is graded against the release it came from.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reportkit.nbcells import cell_meta, cell_source


@dataclass(frozen=True)
class ReleasedCell:
    index: int
    id: str
    cell_type: str
    role: str
    question: str | None
    source: str


@dataclass(frozen=True)
class ReleasedNotebook:
    """One exercise notebook as released to learners, with what the grader needs from it."""

    name: str
    path: Path
    article: str
    cells: tuple[ReleasedCell, ...]
    questions: tuple[str, ...]  # in notebook order, one per check cell
    answer_exprs: dict[str, str]  # question -> the expression its check cell passes
    tagger_exercise: str | None  # exercise name of the notebook's tagger (answers file stem)
    release: str = ""  # the release version stamped in the notebook's metadata

    def cell(self, role: str, question: str | None) -> ReleasedCell | None:
        return next((c for c in self.cells if c.role == role and c.question == question), None)


def parse_check(source: str) -> tuple[str, str] | None:
    """``check("q02_1", q02_1)`` -> ("q02_1", "q02_1"); None if the cell is not that shape."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    calls = [n.value for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    for call in calls:
        if (isinstance(call.func, ast.Name) and call.func.id == "check" and len(call.args) == 2
                and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)):
            return call.args[0].value, ast.get_source_segment(source, call.args[1]) or ""
    return None


def _string_assignment(source: str, name: str) -> str | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    return None


def _tagger_exercise(source: str) -> str | None:
    """``Tagger(ARTICLE, exercise="tag-all")`` -> "tag-all"."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "exercise" and isinstance(kw.value, ast.Constant):
                    return str(kw.value.value)
    return None


def read_released(path: Path) -> ReleasedNotebook | None:
    """One released notebook, or None when it has no check cells (nothing to grade)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells, questions, exprs = [], [], {}
    article = tagger_exercise = None
    for index, cell in enumerate(nb.cells):
        meta, source = cell_meta(cell), cell_source(cell)
        role = meta.get("role") or ("text" if cell.cell_type != "code" else "locked")
        cells.append(ReleasedCell(index, cell.get("id") or f"cell-{index}", cell.cell_type, role,
                                  meta.get("question"), source))
        if cell.cell_type != "code":
            continue
        article = article or _string_assignment(source, "ARTICLE")
        tagger_exercise = _tagger_exercise(source) or tagger_exercise
        if role == "check":
            parsed = parse_check(source)
            question = parsed[0] if parsed else meta.get("question")
            if question:
                questions.append(question)
                exprs[question] = parsed[1] if parsed else question
    if not questions:
        return None
    if not article:
        raise ValueError(f"{path}: no setup cell assigns ARTICLE = \"...\"")
    version = str((nb.metadata.get("reportkit") or {}).get("release") or "")
    return ReleasedNotebook(path.name, path, article, tuple(cells), tuple(questions), exprs,
                            tagger_exercise, version)


def exercises_folder(release: Path) -> Path:
    """A bundle written by ``release`` holds its exercises in ``exercises/``."""
    if not any(release.glob("*.ipynb")) and (release / "exercises").is_dir():
        return release / "exercises"
    return release


def load_release(release: Path) -> list[ReleasedNotebook]:
    """The released exercise notebooks that have check cells, sorted by name."""
    folder = exercises_folder(release)
    notebooks = [nb for path in sorted(folder.glob("*.ipynb")) if (nb := read_released(path))]
    if not notebooks:
        raise FileNotFoundError(f"no released exercise notebooks with check cells in {release}")
    return notebooks


@dataclass(frozen=True)
class Releases:
    """One or more releases; the first is the default for notebooks that name no known release."""

    by_version: dict[str, dict[str, ReleasedNotebook]]
    default: list[ReleasedNotebook]

    @classmethod
    def load(cls, folders: list[Path]) -> Releases:
        loaded = [load_release(folder) for folder in folders]
        by_version: dict[str, dict[str, ReleasedNotebook]] = {}
        for notebooks in loaded:
            for nb in notebooks:
                by_version.setdefault(nb.release, {})[nb.name] = nb
        return cls(by_version, loaded[0])

    @property
    def all(self) -> list[ReleasedNotebook]:
        """The default release's notebooks, then any other release's that it does not have."""
        names = {nb.name for nb in self.default}
        extra = {nb.name: nb for v in self.by_version.values() for nb in v.values() if nb.name not in names}
        return [*self.default, *sorted(extra.values(), key=lambda nb: nb.name)]

    def for_handin(self, default: ReleasedNotebook, version: str) -> ReleasedNotebook | None:
        """The released notebook a hand-in stamped ``version`` came from, if that release is known."""
        return self.by_version.get(version, {}).get(default.name)


@cache
def article_and_questions(kit: str, article_id: str) -> tuple[Any, dict[str, Any]]:
    """The article with its key, and its questions, from the instructor's kit (read once per process)."""
    from reportkit.article import load_article
    from reportkit.checks import load_questions

    article = load_article(article_id, Path(kit))
    return article, load_questions(article)
