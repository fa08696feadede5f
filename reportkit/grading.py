"""Grade a class: ``python -m reportkit grade SUBMISSIONS --out REPORT``.

SUBMISSIONS holds one folder or ``.zip`` per learner; the learner id is its name without
``.zip``. For each learner, in parallel (one worker process per core):

1. the hand-in is copied (a zip safely extracted) into a scratch folder; the hand-in itself
   is only ever read;
2. each exercise notebook is rebuilt from the *released* exercise: setup, locked, tagger and
   check cells come from the release (matched by cell id, else by their reportkit metadata),
   only answer cells (and the learner's extra code cells) come from the hand-in. A check cell
   that was edited, moved or deleted is put back, and flagged; answer cells are inspected
   (AST) for code that redefines the grading machinery, which is flagged;
3. check cells are replaced by a *recorder* installed in a first, grader-owned cell before
   any learner code runs: it evaluates the answer expression, converts it to JSON and appends
   it, HMAC-signed with a secret the learner's code never sees, to a results file. Redefining
   ``check`` or patching ``reportkit`` therefore changes nothing: scoring happens here, in the
   grader process, with the instructor's key (``checks.score``). A rule answer (a function) is
   run by the recorder in the kernel, on the article's text (``checks.record_rule``): the labels
   it leads to and its source are recorded, and scored here without running learner code;
4. the notebooks run under real nbval (``pytest --nbval-lax``) in a subprocess with a memory
   cap, a file-size cap, a per-cell timeout, an output cap and a wall-clock backstop;
5. tagging answers are read from the hand-in: the notebook's answers output first, the
   ``<exercise>.answers.json`` file beside it second (disagreement and corrupt or foreign
   files are flagged);
6. points per question come from ``questions.json`` (partial credit from the check's count).

The report (gradebook, feedback, class report with figures) is written by ``reportkit.report``.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from reportkit.ziputil import Limits, UnsafeArchive, safe_extract

RESULT_MIME = "application/vnd.reportkit.check+json"
# Hints as specific as the checks ever get: feedback is read after the deadline.
REVEAL_ATTEMPT = 3
IGNORED_DIRS = {".ipynb_checkpoints", "__MACOSX", ".git"}
MAX_COPY_BYTES = 50 * 2**20  # per file copied from a folder hand-in

# Statuses, worst first: a learner's status is the worst that applies.
STATUSES = (
    "bad-archive",   # the zip was unsafe or unreadable: nothing graded
    "missing",       # no exercise notebook found (empty folder, wrong names)
    "invalid",       # a notebook is not valid JSON / not a notebook
    "kernel-died",   # the kernel ended (os._exit, crash, out of memory, file too large)
    "timeout",       # a cell ran past --timeout, or the whole run past the backstop
    "memory-limit",  # a cell raised MemoryError under the memory cap
    "output-limit",  # output past --max-output was dropped
    "error",         # the grader itself failed on this hand-in (a bug: see message)
    "incomplete",    # some exercise notebooks are missing
    "flagged",       # graded, but something needs a human look (see flags)
    "ok",
)
# Flags that make an otherwise clean run "flagged"; other flags are informational.
INTEGRITY_FLAGS = {
    "check-edited", "check-moved", "check-deleted", "locked-edited", "locked-deleted",
    "machinery-redefined", "answers-disagree", "answers-file-corrupt", "answers-file-foreign",
    "record-missing",
}
GUARDED_NAMES = {"check", "Checker", "ARTICLE", "score", "Tagger", "tagger"}
INTROSPECTION_ATTRS = {"__closure__", "__globals__", "__code__", "__builtins__", "__call__",
                       "__defaults__", "__kwdefaults__"}
SHELL_ATTRS_OK = {"run_line_magic", "run_cell_magic", "system", "getoutput"}
SUSPECT_MODULES = {"builtins", "gc", "ctypes", "importlib", "sys"}


# ---------------------------------------------------------------------------- data model


@dataclass
class Flag:
    code: str
    detail: str
    notebook: str = ""


@dataclass
class QuestionResult:
    question: str
    notebook: str
    points: float
    max_points: float
    right: int = 0
    total: int = 0
    passed: bool = False
    message: str = ""
    answer: Any = None  # the recorded answer (tagging: {sentence id: label})


@dataclass
class LearnerResult:
    learner: str
    status: str = "ok"
    flags: list[Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the learner and instructor read
    questions: list[QuestionResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return round(sum(q.points for q in self.questions), 2)

    @property
    def max_total(self) -> float:
        return round(sum(q.max_points for q in self.questions), 2)

    def flag(self, code: str, detail: str, notebook: str = "") -> None:
        self.flags.append(Flag(code, detail, notebook))

    def worsen(self, status: str) -> None:
        if STATUSES.index(status) < STATUSES.index(self.status):
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(total=self.total, max_total=self.max_total)
        return data


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


@dataclass(frozen=True)
class GradeOptions:
    kit: Path
    release: Path
    scratch: Path
    timeout: float = 30.0
    memory_mb: int = 2048
    max_output_mb: float = 5.0
    max_file_mb: int = 200
    zip_limits: Limits = Limits()
    keyless_kit: Path | None = None
    keep_scratch: bool = False  # keep each learner's scratch folder (rebuilt notebooks, pytest.log)


# ---------------------------------------------------------------------------- release


def _meta(cell: Any) -> dict[str, Any]:
    data = (cell.get("metadata") or {}).get("reportkit") or {}
    return data if isinstance(data, dict) else {}


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _parse_check(source: str) -> tuple[str, str] | None:
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


def load_release(release: Path) -> list[ReleasedNotebook]:
    """The released exercise notebooks that have check cells, sorted by name."""
    import nbformat

    notebooks = []
    for path in sorted(release.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cells, questions, exprs = [], [], {}
        article = None
        tagger_exercise = None
        for index, cell in enumerate(nb.cells):
            meta = _meta(cell)
            role = meta.get("role") or ("text" if cell.cell_type != "code" else "locked")
            source = _source(cell)
            cells.append(ReleasedCell(index, cell.get("id") or f"cell-{index}", cell.cell_type, role,
                                      meta.get("question"), source))
            if cell.cell_type != "code":
                continue
            article = article or _string_assignment(source, "ARTICLE")
            tagger_exercise = _tagger_exercise(source) or tagger_exercise
            if role == "check":
                parsed = _parse_check(source)
                question = parsed[0] if parsed else meta.get("question")
                if not question:
                    continue
                questions.append(question)
                exprs[question] = parsed[1] if parsed else question
        if not questions:
            continue
        if not article:
            raise ValueError(f"{path}: no setup cell assigns ARTICLE = \"...\"")
        notebooks.append(ReleasedNotebook(path.name, path, article, tuple(cells), tuple(questions),
                                          exprs, tagger_exercise))
    if not notebooks:
        raise FileNotFoundError(f"no released exercise notebooks with check cells in {release}")
    return notebooks


@cache
def _article_and_questions(kit: str, article_id: str) -> tuple[Any, dict[str, Any]]:
    from reportkit.article import load_article
    from reportkit.checks import load_questions

    article = load_article(article_id, Path(kit))
    return article, load_questions(article)


def make_keyless_kit(kit: Path, articles: set[str], dest: Path) -> Path:
    """A copy of the kit without keys, figures or expected answers, for the learners' kernels.

    The kernel runs learner code; it needs the article and the questions to run the setup
    cell, but it has no business reading the key.
    """
    (dest / "data").mkdir(parents=True, exist_ok=True)
    (dest / "seeds").mkdir(exist_ok=True)
    shutil.copy2(kit / "data" / "codebook.json", dest / "data" / "codebook.json")
    for article_id in articles:
        src, out = kit / "data" / article_id, dest / "data" / article_id
        out.mkdir(exist_ok=True)
        for name in ("article.json", "sentences.json"):
            shutil.copy2(src / name, out / name)
        meta = json.loads((src / "article.json").read_text("utf-8"))
        shutil.copy2(kit / "seeds" / meta["seed"], dest / "seeds" / meta["seed"])
        if (src / "questions.json").exists():
            from reportkit.release import graded_questions  # the same stripping as `release --graded`

            doc = json.loads((src / "questions.json").read_text("utf-8"))
            (out / "questions.json").write_text(json.dumps(graded_questions(doc), indent=1), "utf-8")
    return dest


# ---------------------------------------------------------------------------- inspection


def _python_source(source: str) -> str:
    """IPython syntax (magics, ``!cmd``) turned into Python, so the AST can read the cell."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - no IPython, or a transformer bug: use the raw source
        return source


def inspect_answer(source: str, reportkit_names: set[str]) -> list[str]:
    """Why this answer cell touches the grading machinery; empty if it does not.

    ``reportkit_names`` are names bound to reportkit modules/objects in the notebook's setup.
    The grader does not rely on this to be safe (it never calls the learner's ``check``);
    it tells the instructor who tried.
    """
    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return []
    guarded = GUARDED_NAMES | reportkit_names | {"reportkit"}
    found: list[str] = []

    def root_name(node: ast.AST) -> str | None:
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node.id if isinstance(node, ast.Name) else None

    def target_names(target: ast.AST) -> list[ast.AST]:
        if isinstance(target, (ast.Tuple, ast.List)):
            return [t for e in target.elts for t in target_names(e)]
        return [target]

    for node in ast.walk(tree):
        line = getattr(node, "lineno", "?")
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = [t for tg in node.targets for t in target_names(tg)]
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        elif isinstance(node, (ast.NamedExpr,)):
            targets = [node.target]
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            targets = target_names(node.target)
        for target in targets:
            name = root_name(target)
            if isinstance(target, ast.Name) and target.id in guarded:
                found.append(f"line {line}: assigns `{target.id}`")
            elif name and (name in guarded or name.startswith("_rk_")) and not isinstance(target, ast.Name):
                found.append(f"line {line}: changes `{ast.unparse(target)}`")
            elif name and name.startswith("_rk_"):
                found.append(f"line {line}: assigns the grader's name `{name}`")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in guarded:
            found.append(f"line {line}: defines `{node.name}`")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                full = f"{module}.{alias.name}" if module else alias.name
                if bound in guarded and not full.startswith("reportkit"):
                    found.append(f"line {line}: imports something as `{bound}`")
                if full.split(".")[0] in SUSPECT_MODULES and full.split(".")[0] != "sys":
                    found.append(f"line {line}: imports `{full}`")
        if isinstance(node, ast.Attribute):
            if node.attr in INTROSPECTION_ATTRS:
                found.append(f"line {line}: uses `.{node.attr}`")
            if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                found.append(f"line {line}: uses `sys.modules`")
            if (isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                    and node.value.func.id == "get_ipython" and node.attr not in SHELL_ATTRS_OK):
                found.append(f"line {line}: uses `get_ipython().{node.attr}`")
        if isinstance(node, ast.Name) and node.id in ("__builtins__", "__import__"):
            found.append(f"line {line}: uses `{node.id}`")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("setattr", "delattr") and node.args and root_name(node.args[0]) in guarded:
                found.append(f"line {line}: calls `{node.func.id}` on `{ast.unparse(node.args[0])}`")
            if node.func.id in ("globals", "vars", "exec", "eval", "compile"):
                found.append(f"line {line}: calls `{node.func.id}()`")
    return list(dict.fromkeys(found))


def _reportkit_names(sources: list[str]) -> set[str]:
    """Names the setup cells bind to reportkit: ``from reportkit.checks import Checker`` -> Checker."""
    names: set[str] = set()
    for source in sources:
        try:
            tree = ast.parse(_python_source(source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reportkit"):
                names.update(a.asname or a.name for a in node.names)
            elif isinstance(node, ast.Import):
                names.update((a.asname or a.name).split(".")[0] for a in node.names
                             if a.name.startswith("reportkit"))
    return names


# ---------------------------------------------------------------------------- rebuild


RECORDER = '''\
# Installed by the reportkit grader before any learner code runs; check cells call it.
def _rk_install():
    import hmac, json, math, os, types
    new, dumps, opened, pop = hmac.new, json.dumps, open, os.environ.pop
    try:  # taken now, before learner code runs: a rule answer (a function) is run on the article here
        from reportkit.article import load_article
        from reportkit.checks import record_rule
    except Exception:  # a release without the package: rule answers cannot be recorded
        load_article = record_rule = None
    article_id, function_type, loaded = __ARTICLE__, types.FunctionType, []
    with opened(pop("REPORTKIT_GRADER_SECRET_FILE"), "rb") as handle:
        secret = handle.read()
    os.unlink(handle.name)  # read once: later cells cannot find the secret
    results = pop("REPORTKIT_GRADER_RESULTS")

    def plain(value, depth=0):
        if depth > 30:
            raise ValueError("the answer is nested too deeply")
        if value is None or value is Ellipsis:  # `q = ...`: the blank left by the release
            return None
        if isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if isinstance(value, dict):
            return {str(k): plain(v, depth + 1) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v, depth + 1) for v in value]
        if isinstance(value, (set, frozenset)):
            return sorted((plain(v, depth + 1) for v in value), key=repr)
        if hasattr(value, "answers"):  # the tagging widget
            return plain(dict(value.answers), depth + 1)
        if hasattr(value, "tolist"):  # numpy scalars and arrays
            return plain(value.tolist(), depth + 1)
        raise TypeError(f"cannot record an answer of type {type(value).__name__}")

    def rule(function):
        if record_rule is None:
            raise TypeError("cannot record a function: reportkit is not importable")
        if not loaded:
            loaded.append(load_article(article_id, require_key=False))
        return record_rule(function, loaded[0])

    def record(question, get):
        entry = {"question": question}
        try:
            value = get()
            if isinstance(value, function_type):  # a rule: its labels on every unit, its source
                entry["rule"] = rule(value)
            else:
                entry["value"] = plain(value)
        except Exception as error:  # the learner's answer could not be evaluated
            entry["error"] = f"{type(error).__name__}: {error}"[:500]
        line = dumps(entry, sort_keys=True)
        if len(line) > 1_000_000:
            line = dumps({"question": question, "error": "the answer is larger than 1 MB"})
        mac = new(secret, line.encode(), "sha256").hexdigest()
        with opened(results, "a", encoding="utf-8") as handle:
            handle.write(mac + " " + line + "\\n")

    return record


__RECORDER__ = _rk_install()
del _rk_install
'''


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions (into ``values``) of one longest increasing subsequence: the cells not moved."""
    best: list[list[int]] = []
    for i, v in enumerate(values):
        chain = max((c for c in best if values[c[-1]] < v), key=len, default=[])
        best.append(chain + [i])
    return set(max(best, key=len, default=[]))


def rebuild(released: ReleasedNotebook, learner_nb: Any, recorder_name: str,
            result: LearnerResult) -> Any:
    """The notebook the grader runs: the release, with the learner's answers in it."""
    import nbformat

    learner_cells = list(learner_nb.get("cells") or [])
    by_id = {c.get("id"): i for i, c in enumerate(learner_cells) if c.get("id")}
    # Fallback when ids changed (copy-paste into a new notebook): the n-th cell with the same
    # role and question in the learner's notebook matches the n-th one in the release.
    by_meta: dict[tuple[Any, Any], list[int]] = {}
    for i, c in enumerate(learner_cells):
        meta = _meta(c)
        if meta.get("role"):
            by_meta.setdefault((meta.get("role"), meta.get("question")), []).append(i)
    matched: dict[int, int] = {}  # release index -> learner index
    taken: set[int] = set()
    for rc in released.cells:
        i = by_id.get(rc.id)
        if i is not None and i not in taken and learner_cells[i].get("cell_type") == rc.cell_type:
            matched[rc.index] = i
            taken.add(i)
    for rc in released.cells:
        if rc.index in matched:
            continue
        spare = [i for i in by_meta.get((rc.role, rc.question), []) if i not in taken
                 and learner_cells[i].get("cell_type") == rc.cell_type and learner_cells[i].get("id") not in
                 {c.id for c in released.cells}]
        if spare:
            matched[rc.index] = spare[0]
            taken.add(spare[0])

    # Learner code cells that match nothing (scratch work, helpers) stay, after the cell they follow.
    extras: dict[int | None, list[int]] = {}
    owner: int | None = None
    inverse = {li: ri for ri, li in matched.items()}
    for i, c in enumerate(learner_cells):
        if i in inverse:
            owner = inverse[i]
        elif c.get("cell_type") == "code" and _source(c).strip():
            extras.setdefault(owner, []).append(i)

    order = sorted(matched)  # release order
    in_place = _longest_increasing([matched[r] for r in order])
    moved = {order[k] for k in range(len(order)) if k not in in_place}

    rk_names = _reportkit_names([c.source for c in released.cells if c.role == "setup"])
    name = released.name

    def inspect(source: str, where: str) -> None:
        for finding in inspect_answer(source, rk_names):
            result.flag("machinery-redefined", f"{where}, {finding}", name)

    recorder = RECORDER.replace("__RECORDER__", recorder_name).replace("__ARTICLE__", repr(released.article))
    cells = [nbformat.v4.new_code_cell(recorder)]
    cells[0]["id"] = "reportkit-grader-recorder"
    first_answer = next((rc.index for rc in released.cells if rc.role == "answer"), None)

    def add_extras(key: int | None) -> None:
        for i in extras.get(key, []):
            source = _source(learner_cells[i])
            inspect(source, f"extra cell {learner_cells[i].get('id') or i}")
            cell = nbformat.v4.new_code_cell(source)
            cell["id"] = f"learner-extra-{i}"
            cells.append(cell)

    for rc in released.cells:
        if rc.index == first_answer:
            add_extras(None)
        li = matched.get(rc.index)
        lc = learner_cells[li] if li is not None else None
        label = f"{rc.role} cell {rc.id}" + (f" ({rc.question})" if rc.question else "")
        source = rc.source
        if rc.role == "answer":
            if lc is None:
                result.flag("answer-cell-missing", f"{label}: not found; the blank one from the release was used", name)
            else:
                source = _source(lc)
                inspect(source, label)
        elif rc.cell_type == "code":
            kind = "check" if rc.role == "check" else "locked"
            if lc is None:
                result.flag(f"{kind}-deleted", f"{label} was deleted; put back from the release", name)
            elif _normal(_source(lc)) != _normal(rc.source):
                result.flag(f"{kind}-edited", f"{label} was edited; put back from the release", name)
            elif rc.index in moved and rc.role == "check":
                result.flag("check-moved", f"{label} was moved; put back in its place", name)
            if rc.role == "check":
                parsed = _parse_check(rc.source)
                question, expr = parsed or (rc.question or "", rc.question or "None")
                # A lambda, so that a NameError (answer cell not run or broken) is recorded, not raised.
                source = f"{recorder_name}({question!r}, lambda: ({expr}))"
        if rc.cell_type == "code":
            cell = nbformat.v4.new_code_cell(source)
        elif rc.cell_type == "markdown":
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_raw_cell(source)
        cell["id"] = rc.id
        cells.append(cell)
        if li is not None or rc.index == 0:
            add_extras(rc.index)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


# ---------------------------------------------------------------------------- tagging answers


def _answers_problem(doc: Any, article: Any, exercise: str) -> tuple[str, str] | None:
    """(flag, why) if ``doc`` is not a usable answers document for this exercise and article."""
    from reportkit.answers import AnswersFile

    try:
        found = AnswersFile.from_dict(doc)
    except ValueError as error:
        return "answers-file-corrupt", f"it is not an answers document ({error})"
    if found.exercise != exercise:
        return "answers-file-foreign", f"it holds answers for exercise {found.exercise!r}, not {exercise!r}"
    if found.article != article.id:
        return "answers-file-foreign", f"it holds answers for article {found.article!r}, not {article.id!r}"
    if found.seed_sha256 != article.seed_sha256:
        return "answers-file-foreign", "it was written for another version of the article's text"
    return None


def answers_from_notebook(nb: Any, exercise: str) -> dict[str, Any] | None:
    """The answers output the tagger keeps in the notebook for this exercise (last one wins)."""
    from reportkit.answers import read_answers_from_notebook

    found = read_answers_from_notebook(nb, exercise)
    return found.to_dict() if found is not None else None


def tagging_answers(nb: Any, folder: Path, exercise: str, article: Any, notebook: str,
                    result: LearnerResult) -> tuple[dict[str, str | None] | None, Path | None]:
    """The learner's labels: notebook output preferred, answers file second; the valid file."""
    from_nb = answers_from_notebook(nb, exercise)
    if from_nb is not None and _answers_problem(from_nb, article, exercise):
        from_nb = None
    path = folder / f"{exercise}.answers.json"
    from_file, valid_file = None, None
    if path.is_file():
        try:
            from_file = json.loads(path.read_text("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            result.flag("answers-file-corrupt", f"{path.name} is not valid JSON ({error}); ignored", notebook)
        else:
            problem = _answers_problem(from_file, article, exercise)
            if problem:
                result.flag(problem[0], f"{path.name}: {problem[1]}; ignored", notebook)
                from_file = None
            else:
                valid_file = path
    if from_nb is not None and from_file is not None:
        a = {k: v for k, v in from_nb["labels"].items() if v}
        b = {k: v for k, v in from_file["labels"].items() if v}
        if a != b:
            differ = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            result.flag("answers-disagree",
                        f"the notebook's saved answers and {path.name} differ on {', '.join(differ[:8])}"
                        f"{' …' if len(differ) > 8 else ''}; the notebook's were graded", notebook)
    chosen = from_nb if from_nb is not None else from_file
    return (dict(chosen["labels"]) if chosen is not None else None), valid_file


# ---------------------------------------------------------------------------- running


def _limit_resources(memory_bytes: int, file_bytes: int) -> Any:
    """A preexec_fn: caps apply to pytest and are inherited by the kernel it starts."""
    import resource

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _kill_tagged(token: str) -> int:
    """Kill every process carrying our run token (the kernel is in its own session)."""
    needle = f"REPORTKIT_GRADER_RUN={token}".encode()
    killed = 0
    proc = Path("/proc")
    if not proc.is_dir():
        return 0
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except (OSError, ValueError):
            continue
    return killed


def run_notebooks(run_dir: Path, notebooks: list[str], options: GradeOptions, n_cells: int,
                  secret_file: Path, results_file: Path, guard_log: Path) -> tuple[bool, float]:
    """nbval over the rebuilt notebooks in a capped subprocess; (finished in time, seconds)."""
    token = secrets.token_hex(8)
    home = run_dir.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "REPORTKIT_", "JPY_"))}
    env.update({
        "REPORTKIT_HOME": str(options.keyless_kit or options.kit),
        "REPORTKIT_GRADER_SECRET_FILE": str(secret_file),
        "REPORTKIT_GRADER_RESULTS": str(results_file),
        "REPORTKIT_GRADER_RUN": token,
        "REPORTKIT_GUARD_LOG": str(guard_log),
        "REPORTKIT_GUARD_MAX_OUTPUT": str(int(options.max_output_mb * 2**20)),
        # Only the plugins we name: faster start, and no surprises from the instructor's setup.
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "TMPDIR": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"), "MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # One thread per numerical library: we already run one learner per core.
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    })
    (run_dir / "pytest.ini").write_text("[pytest]\n", "utf-8")
    cmd = [sys.executable, "-m", "pytest", "-p", "nbval.plugin", "-p", "reportkit._nbval_guard",
           "-p", "no:cacheprovider", "--noconftest", "-c", str(run_dir / "pytest.ini"),
           "--rootdir", str(run_dir), "--nbval-lax", "--nbval-current-env",
           "--nbval-cell-timeout", str(options.timeout), "-q", "--color=no",
           *notebooks]
    # Backstop: every cell may use its timeout, plus the kernels' start and stop.
    backstop = options.timeout * (n_cells + 2) + 30 * len(notebooks) + 30
    started = time.monotonic()
    with open(home / "pytest.log", "wb") as log:
        process = subprocess.Popen(
            cmd, cwd=run_dir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_limit_resources(options.memory_mb * 2**20, options.max_file_mb * 2**20),
        )
        try:
            process.wait(timeout=backstop)
            finished = True
        except subprocess.TimeoutExpired:
            finished = False
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
    _kill_tagged(token)  # kernels nbval could not stop
    return finished, time.monotonic() - started


def read_records(results_file: Path, secret: bytes) -> tuple[dict[str, dict[str, Any]], int]:
    """Recorded answers whose signature checks out, by question (the last one wins); forged lines."""
    records: dict[str, dict[str, Any]] = {}
    forged = 0
    if not results_file.is_file():
        return records, 0
    for raw in results_file.read_text("utf-8", errors="replace").splitlines():
        mac, _, line = raw.partition(" ")
        expected = hmac.new(secret, line.encode(), "sha256").hexdigest()
        if not hmac.compare_digest(mac, expected):
            forged += 1
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            forged += 1
            continue
        records[entry["question"]] = entry
    return records, forged


def read_guard_log(guard_log: Path) -> list[dict[str, Any]]:
    if not guard_log.is_file():
        return []
    events = []
    for line in guard_log.read_text("utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


# ---------------------------------------------------------------------------- one learner


def _safe_name(learner: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", learner)[:80] or "learner"


def _copy_folder(src: Path, dest: Path, result: LearnerResult) -> None:
    """Copy a folder hand-in; symlinks are not followed (they could point anywhere)."""
    for folder, dirs, files in os.walk(src, followlinks=False):
        here = Path(folder)
        rel = here.relative_to(src)
        for d in list(dirs):
            if d in IGNORED_DIRS or (here / d).is_symlink():
                if (here / d).is_symlink():
                    result.flag("symlink-ignored", f"{(rel / d).as_posix()} is a symbolic link; ignored")
                dirs.remove(d)
        for name in files:
            path = here / name
            if path.is_symlink():
                result.flag("symlink-ignored", f"{(rel / name).as_posix()} is a symbolic link; ignored")
                continue
            if not (name.endswith(".ipynb") or name.endswith(".answers.json")):
                continue  # only notebooks and answers are graded; nothing else is read
            if path.stat().st_size > MAX_COPY_BYTES:
                result.flag("file-too-large", f"{(rel / name).as_posix()} is over "
                            f"{MAX_COPY_BYTES // 2**20} MB; ignored")
                continue
            (dest / rel).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / rel / name)


def _find_notebooks(folder: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.rglob("*.ipynb"), key=lambda p: (len(p.parts), str(p))):
        if any(part in IGNORED_DIRS or part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        found.setdefault(path.name, []).append(path)
    return found


def _cell_number(nodeid: str) -> tuple[str, int] | None:
    match = re.match(r"(.+?)::Cell (\d+)$", nodeid or "")
    return (Path(match.group(1)).name, int(match.group(2))) if match else None


def grade_learner(learner: str, handin: Path, released: list[ReleasedNotebook],
                  options: GradeOptions) -> LearnerResult:
    """Grade one hand-in; never raises (a grader failure becomes status ``error``)."""
    started = time.monotonic()
    result = LearnerResult(learner)
    scratch = options.scratch / _safe_name(learner)
    try:
        _grade_into(result, handin, released, options, scratch)
    except Exception as error:  # noqa: BLE001 - one broken hand-in must not stop the class
        import traceback

        result.worsen("error")
        result.notes.append(f"the grader failed on this hand-in: {type(error).__name__}: {error}")
        (options.scratch / f"{_safe_name(learner)}.error.txt").write_text(traceback.format_exc(), "utf-8")
    finally:
        if not options.keep_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    result.seconds = round(time.monotonic() - started, 2)
    if result.status == "ok" and any(f.code in INTEGRITY_FLAGS for f in result.flags):
        result.status = "flagged"
    return result


def _zero(released: ReleasedNotebook, options: GradeOptions, message: str) -> list[QuestionResult]:
    _, questions = _article_and_questions(str(options.kit), released.article)
    return [QuestionResult(q, released.name, 0.0, questions[q].points, message=f"{q}: {message}")
            for q in released.questions if q in questions]


def _grade_into(result: LearnerResult, handin: Path, released: list[ReleasedNotebook],
                options: GradeOptions, scratch: Path) -> None:
    import nbformat

    shutil.rmtree(scratch, ignore_errors=True)
    files, run_dir = scratch / "handin", scratch / "run"
    files.mkdir(parents=True)
    run_dir.mkdir()
    if handin.is_file():
        try:
            safe_extract(handin, files, options.zip_limits)
        except UnsafeArchive as error:
            result.worsen("bad-archive")
            result.notes.append(f"{handin.name} was not graded: {str(error).rstrip('.')}".rstrip("?") + "?"
                                if str(error).endswith("?") else f"{handin.name} was not graded: {error}.")
            for rel in released:
                result.questions += _zero(rel, options, "not graded (unsafe or unreadable archive).")
            return
    else:
        _copy_folder(handin, files, result)

    found = _find_notebooks(files)
    names = {r.name for r in released}
    for name, paths in found.items():
        if name not in names:
            result.flag("extra-notebook", f"{paths[0].relative_to(files).as_posix()} is not an exercise; ignored")
        elif len(paths) > 1:
            result.flag("duplicate-notebook", f"{name} found {len(paths)} times; graded "
                        f"{paths[0].relative_to(files).as_posix()}", name)
    recorder = f"_rk_{secrets.token_hex(6)}"
    secret = secrets.token_bytes(32)
    to_run: list[tuple[ReleasedNotebook, Any, dict[str, Any]]] = []
    missing = []
    for rel in released:
        if name_paths := found.get(rel.name):
            path = name_paths[0]
        else:
            missing.append(rel.name)
            result.questions += _zero(rel, options, f"not graded: {rel.name} was not handed in.")
            continue
        try:
            nb = nbformat.reads(path.read_text("utf-8"), as_version=4)
            if not isinstance(nb.get("cells"), list):
                raise ValueError("it has no list of cells")
        except Exception as error:  # noqa: BLE001 - nbformat raises many kinds on bad input
            result.worsen("invalid")
            why = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            result.notes.append(f"{rel.name} is not a valid notebook ({why}).")
            result.questions += _zero(rel, options, f"not graded: {rel.name} is not a valid notebook.")
            continue
        article, questions = _article_and_questions(str(options.kit), rel.article)
        tagging: dict[str, Any] = {}
        for question in rel.questions:
            if question not in questions or questions[question].kind != "tagging":
                continue
            exercise = questions[question].spec.get("exercise") or rel.tagger_exercise or question
            labels, valid_file = tagging_answers(nb, path.parent, exercise, article, rel.name, result)
            tagging[question] = labels
            if valid_file is not None:  # the kernel's tagger reads it, as in class
                shutil.copyfile(valid_file, run_dir / valid_file.name)
        run_nb = rebuild(rel, nb, recorder, result)
        nbformat.write(run_nb, run_dir / rel.name)
        to_run.append((rel, run_nb, tagging))
    if missing:
        if not to_run and not any(r.name in found for r in released):
            result.worsen("missing")
            have = ", ".join(sorted(found)) or "no notebooks at all"
            result.notes.append(f"none of the exercise notebooks ({', '.join(sorted(names))}) was "
                                f"handed in; found {have}.")
        else:
            result.worsen("incomplete")
            result.notes.append(f"not handed in: {', '.join(missing)}.")
    if not to_run:
        return

    secret_file = scratch / "secret"
    secret_file.write_bytes(secret)
    results_file, guard_log = scratch / "results.jsonl", scratch / "guard.jsonl"
    n_cells = sum(sum(1 for c in nb.cells if c.cell_type == "code") for _, nb, _ in to_run)
    finished, _ = run_notebooks(run_dir, [r.name for r, _, _ in to_run], options, n_cells,
                                secret_file, results_file, guard_log)
    records, forged = read_records(results_file, secret)
    events = read_guard_log(guard_log)
    if forged:
        result.flag("record-missing", f"{forged} line(s) in the grader's results file were not written "
                    "by the grader; ignored")
    halted = _run_problems(result, to_run, events, finished, options)
    _score_all(result, to_run, records, halted, options)


def _run_problems(result: LearnerResult, to_run: list[tuple[ReleasedNotebook, Any, dict[str, Any]]],
                  events: list[dict[str, Any]], finished: bool, options: GradeOptions) -> dict[str, str]:
    """Turn nbval's cell outcomes into status, notes and, per notebook, why it stopped early."""
    halted: dict[str, str] = {}
    died_in = {e.get("nodeid") for e in events if e["event"] == "kernel-died"}
    code_cells = {rel.name: [c for c in nb.cells if c.cell_type == "code"] for rel, nb, _ in to_run}
    for event in events:
        where = _cell_number(event.get("nodeid", ""))
        notebook = where[0] if where else "?"
        cell = None
        if where and where[0] in code_cells and where[1] < len(code_cells[where[0]]):
            cell = code_cells[where[0]][where[1]]
        cell_name = f"cell {cell['id']}" if cell is not None else "a cell"
        message = event.get("message", "")
        if event["event"] == "output-limit":
            result.worsen("output-limit")
            result.notes.append(f"{notebook}: {cell_name} printed more than {options.max_output_mb:g} MB; "
                                "the rest of the output was dropped (grading went on).")
        elif event["event"] == "kernel-died" and notebook not in halted:
            result.worsen("kernel-died")
            halted[notebook] = f"the kernel died in {cell_name}"
            result.notes.append(f"{notebook}: the kernel died while running {cell_name} (os._exit, a "
                                "crash, too much memory or too large a file); later cells did not run.")
        elif event["event"] == "cell" and event.get("outcome") == "failed" or event.get("xfail"):
            if event.get("nodeid") in died_in or (
                    cell is not None and str(cell.get("id", "")).startswith("reportkit-grader")):
                continue
            if "Timeout of" in message and not event.get("xfail"):
                result.worsen("timeout")
                result.notes.append(f"{notebook}: {cell_name} ran longer than {options.timeout:g} s and "
                                    "was interrupted.")
            elif "MemoryError" in message:
                result.worsen("memory-limit")
                result.notes.append(f"{notebook}: {cell_name} ran out of memory (limit "
                                    f"{options.memory_mb} MB).")
            elif "Kernel dead" in message or "KernelDied" in message or event.get("xfail"):
                continue
            else:
                last = [ln for ln in message.splitlines() if re.match(r"^\w*(Error|Exception)\b", ln)]
                why = last[-1][:200] if last else "an error"
                result.flag("cell-error", f"{cell_name} raised {why}", notebook)
    if not finished:
        result.worsen("timeout")
        result.notes.append("the notebooks did not finish within the grader's time limit and were stopped.")
        for rel, _, _ in to_run:
            halted.setdefault(rel.name, "the run was stopped (time limit)")
    return halted


def _score_all(result: LearnerResult, to_run: list[tuple[ReleasedNotebook, Any, dict[str, Any]]],
               records: dict[str, dict[str, Any]], halted: dict[str, str], options: GradeOptions) -> None:
    from reportkit.checks import score

    for rel, _, tagging in to_run:
        article, questions = _article_and_questions(str(options.kit), rel.article)
        for qid in rel.questions:
            question = questions.get(qid)
            if question is None:
                result.flag("unknown-question", f"{qid} is not in questions.json; not graded", rel.name)
                continue
            out = QuestionResult(qid, rel.name, 0.0, question.points)
            if question.kind == "tagging" or qid in tagging:
                answer: Any = tagging.get(qid)
                graded = score(question, answer or {}, article, REVEAL_ATTEMPT)
                out.answer = answer
            elif qid in records and "value" in records[qid]:
                out.answer = records[qid]["value"]
                graded = score(question, out.answer, article, REVEAL_ATTEMPT)
            elif qid in records and "rule" in records[qid]:
                out.answer = records[qid]["rule"]
                graded = _score_rule_record(question, out.answer, article, rel.name, result)
            else:
                if qid in records:
                    out.message = f"{qid}: your answer could not be read: {records[qid]['error']}."
                elif rel.name in halted:
                    out.message = f"{qid}: not graded: {halted[rel.name]} before this check."
                else:
                    out.message = f"{qid}: no answer was recorded."
                    result.flag("record-missing", f"{qid}: the check ran but recorded nothing "
                                "(the grader's recorder was replaced?)", rel.name)
                result.questions.append(out)
                continue
            out.right, out.total, out.passed = graded.right, graded.total, graded.passed
            out.points, out.message = graded.points, graded.message
            result.questions.append(out)


def _score_rule_record(question: Any, record: Any, article: Any, notebook: str, result: LearnerResult) -> Any:
    """Score a rule the recorder ran in the kernel (``checks.record_rule``), with the key, here.

    Learner code is not run in this process: the labels come from the kernel, the "must
    generalise" test reads the recorded evidence and parses the recorded source. A record that is
    not well formed scores 0; a rule that raised is scored 0 with the error as its feedback, and
    flagged ``rule-error`` (informational).
    """
    from reportkit.checks import RecordedRule, Result, score

    qid = question.id
    if question.kind != "rule":
        return Result(qid, 0, 1, False, f"{qid}: your answer is a function; this question asks for "
                      "a value (see its prompt).", 0.0, question.points)
    try:
        recorded = RecordedRule.from_record(record)
    except ValueError as error:
        return Result(qid, 0, 1, False, f"{qid}: your answer could not be read: {error}.", 0.0, question.points)
    if recorded.error is not None:
        result.flag("rule-error", f"{qid}: {recorded.error}", notebook)
    return score(question, recorded, article, REVEAL_ATTEMPT)


# ---------------------------------------------------------------------------- the class


def find_handins(submissions: Path) -> tuple[dict[str, Path], list[str]]:
    """Learner id -> folder or zip; and warnings about what was skipped."""
    handins: dict[str, Path] = {}
    warnings = []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith(".") or entry.name in IGNORED_DIRS:
            continue
        if entry.is_symlink():
            warnings.append(f"{entry.name}: a symbolic link; skipped (copy the hand-in instead)")
            continue
        if entry.is_dir():
            learner = entry.name
        elif entry.suffix.lower() == ".zip":
            learner = entry.stem
        else:
            warnings.append(f"{entry.name}: neither a folder nor a .zip; skipped")
            continue
        if learner in handins:
            warnings.append(f"{entry.name}: learner {learner!r} already has a hand-in "
                            f"({handins[learner].name}); this one was skipped")
            continue
        handins[learner] = entry
    return handins, warnings


def _worker_init() -> None:
    # Workers ignore Ctrl-C: the main process stops them, so the report folder stays consistent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def grade_class(submissions: Path, out: Path, *, jobs: int | None = None, timeout: float = 30.0,
                release: Path | None = None, kit: Path | None = None, memory_mb: int = 2048,
                max_output_mb: float = 5.0, progress: bool = True,
                keep_scratch: bool = False) -> list[LearnerResult]:
    """Grade every hand-in in ``submissions`` and write the report into ``out``."""
    from tqdm import tqdm

    from reportkit.datafiles import find_kit_root
    from reportkit.report import write_report

    kit = (kit or find_kit_root()).resolve()
    release = (release or kit / "exercises").resolve()
    if not any(release.glob("*.ipynb")) and (release / "exercises").is_dir():
        release = release / "exercises"  # a bundle written by `release`: grade against its exercises
    released = load_release(release)
    handins, warnings = find_handins(submissions)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".scratch-", dir=out))
    keyless = make_keyless_kit(kit, {r.article for r in released}, scratch / "_kit")
    options = GradeOptions(kit=kit, release=release, scratch=scratch, timeout=timeout,
                           memory_mb=memory_mb, max_output_mb=max_output_mb, keyless_kit=keyless,
                           keep_scratch=keep_scratch)
    for rel in released:  # fail early, once, if the instructor's data is broken
        _article_and_questions(str(kit), rel.article)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(handins) or 1))
    results: list[LearnerResult] = []
    try:
        if jobs == 1:
            for learner, path in tqdm(handins.items(), desc="grading", unit="learner", disable=not progress):
                results.append(grade_learner(learner, path, released, options))
        else:
            import multiprocessing

            # forkserver: fork() from a process with threads (tqdm's monitor) may deadlock.
            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init) as pool:
                futures = {pool.submit(grade_learner, learner, path, released, options): learner
                           for learner, path in handins.items()}
                for future in tqdm(as_completed(futures), total=len(futures), desc="grading",
                                   unit="learner", disable=not progress):
                    try:
                        results.append(future.result())
                    except Exception as error:  # noqa: BLE001 - a worker crashed
                        failed = LearnerResult(futures[future], status="error")
                        failed.notes.append(f"the grader's worker failed: {type(error).__name__}: {error}")
                        results.append(failed)
    finally:
        if not keep_scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    results.sort(key=lambda r: r.learner)
    write_report(results, released, out, kit=kit, warnings=warnings)
    return results


# ---------------------------------------------------------------------------- command line


def cmd_grade(args: argparse.Namespace) -> int:
    submissions = Path(args.submissions)
    if not submissions.is_dir():
        print(f"error: {submissions} is not a folder of hand-ins", file=sys.stderr)
        return 2
    started = time.monotonic()
    results = grade_class(
        submissions, Path(args.out), jobs=args.jobs, timeout=args.timeout,
        release=Path(args.release) if args.release else None, kit=Path(args.kit) if args.kit else None,
        memory_mb=args.memory, max_output_mb=args.max_output, progress=not args.quiet,
        keep_scratch=args.keep_scratch,
    )
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda x: STATUSES.index(x[0])))
    print(f"graded {len(results)} learner(s) in {time.monotonic() - started:.1f} s: {summary or 'none'}")
    print(f"report: {Path(args.out) / 'report.md'}; gradebook: {Path(args.out) / 'gradebook.csv'}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``grade`` to the kit's command line (called by reportkit.cli)."""
    p = subparsers.add_parser(
        "grade", help="grade a class's hand-ins: gradebook, feedback and class report",
        description="Grade one folder or .zip per learner (learner id = its name) against the released "
                    "exercises and the instructor's key. Hand-ins are never modified.",
    )
    p.add_argument("submissions", metavar="SUBMISSIONS", help="folder with one folder or .zip per learner")
    p.add_argument("--out", required=True, metavar="REPORT", help="report folder (created)")
    p.add_argument("--jobs", type=int, default=None, help="learners graded at once (default: all cores)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per cell (default 30)")
    p.add_argument("--release", metavar="DIR",
                   help="released exercise notebooks, or the bundle `release` wrote (default: <kit>/exercises)")
    p.add_argument("--kit", metavar="DIR", help="the kit with data/ and the key (default: found from here)")
    p.add_argument("--memory", type=int, default=2048, metavar="MB",
                   help="memory cap per learner's run, in MB (default 2048)")
    p.add_argument("--max-output", type=float, default=5.0, metavar="MB",
                   help="output kept per notebook, in MB (default 5)")
    p.add_argument("--keep-scratch", action="store_true", help="keep the scratch folder (debugging)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_grade)


def file_digest(path: Path) -> str:
    """sha256 of a file or (recursively, names included) a folder: to prove hand-ins unchanged."""
    digest = hashlib.sha256()
    items = [path] if path.is_file() else sorted(p for p in path.rglob("*"))
    for item in items:
        digest.update(item.relative_to(path.parent).as_posix().encode())
        if item.is_symlink():
            digest.update(os.readlink(item).encode())
        elif item.is_file():
            digest.update(item.read_bytes())
    return digest.hexdigest()
