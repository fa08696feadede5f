"""Step 3 — rebuild: the notebook the grader runs is the release, with the learner's answers in it.

Setup, locked and check cells come from the release; only answer cells (and the learner's own
extra code cells) come from the hand-in. Learner cells are matched to the release by cell id,
then by the kit's cell metadata, then (for a notebook whose cells were copied into a new one)
by identical source, and answer cells by the question variable they assign (``q02_1 = …``).
Check cells become calls to the recorder (:mod:`reportkit.grading.recorder`).
"""

from __future__ import annotations

import ast
from typing import Any

from reportkit.grading.inspection import inspect_answer, reportkit_names
from reportkit.grading.model import FlagCode, LearnerResult
from reportkit.grading.releases import ReleasedCell, ReleasedNotebook, parse_check
from reportkit.nbcells import cell_meta, cell_source

RECORDER_NAME = "_rk_record"
RECORDS_FILE = ".reportkit-records.jsonl"


def normal(source: str) -> str:
    """A cell's source as compared: trailing spaces and blank lines at the ends do not count."""
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def assigned_names(source: str) -> set[str]:
    """Names a cell assigns at its top level (``q02_1 = …``, ``def q08_2(…)``)."""
    from reportkit.grading.inspection import _python_source

    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AnnAssign, ast.AugAssign)) else []
        names.update(t.id for t in targets if isinstance(t, ast.Name))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
    return names


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions (into ``values``) of one longest increasing subsequence: the cells not moved."""
    best: list[list[int]] = []  # best[i]: the longest increasing chain ending at position i
    for i, v in enumerate(values):
        chain: list[int] = []
        for candidate in best:
            if values[candidate[-1]] < v and len(candidate) > len(chain):
                chain = candidate
        best.append([*chain, i])
    longest: list[int] = []
    for chain in best:
        longest = chain if len(chain) > len(longest) else longest
    return set(longest)


class _Matcher:
    """Which learner cell stands for which released cell (release index -> learner index)."""

    def __init__(self, released: ReleasedNotebook, learner_cells: list[Any]) -> None:
        self.released, self.cells = released, learner_cells
        self.matched: dict[int, int] = {}
        self.release_ids = {c.id for c in released.cells}

    def _take(self, rc: ReleasedCell, i: int) -> None:
        self.matched[rc.index] = i

    def _free(self, i: int, rc: ReleasedCell) -> bool:
        return i not in self.matched.values() and self.cells[i].get("cell_type") == rc.cell_type

    def by_id(self) -> None:
        by_id = {c.get("id"): i for i, c in enumerate(self.cells) if c.get("id")}
        for rc in self.released.cells:
            i = by_id.get(rc.id)
            if i is not None and self._free(i, rc):
                self._take(rc, i)

    def by_meta(self) -> None:
        for rc in self.unmatched():
            spare = [i for i, c in enumerate(self.cells) if self._free(i, rc)
                     and (cell_meta(c).get("role"), cell_meta(c).get("question")) == (rc.role, rc.question)
                     and cell_meta(c).get("role") and c.get("id") not in self.release_ids]
            if spare:
                self._take(rc, spare[0])

    def by_source(self) -> None:
        """Copied cells: a setup, locked or check cell with the release's very source."""
        for rc in self.unmatched():
            if rc.cell_type != "code" or rc.role == "answer":
                continue
            same = [i for i, c in enumerate(self.cells)
                    if self._free(i, rc) and normal(cell_source(c)) == normal(rc.source)]
            if same:
                self._take(rc, same[0])

    def by_assignment(self) -> None:
        """Copied answers: the last unmatched code cell that assigns the question's variable."""
        for rc in self.unmatched():
            if rc.role != "answer" or not rc.question:
                continue
            found = [i for i, c in enumerate(self.cells) if self._free(i, rc)
                     and rc.question in assigned_names(cell_source(c))]
            if found:
                self._take(rc, found[-1])

    def unmatched(self) -> list[ReleasedCell]:
        return [rc for rc in self.released.cells if rc.index not in self.matched]

    def run(self) -> dict[int, int]:
        self.by_id()
        self.by_meta()
        self.by_source()
        self.by_assignment()
        return self.matched


def _extras(learner_cells: list[Any], matched: dict[int, int],
            released: ReleasedNotebook) -> dict[int | None, list[int]]:
    """Learner code cells that match nothing (scratch work, helpers), keyed by the released cell they follow.
    Copies of the release's own cells are not extras: they add nothing and are not the learner's."""
    release_sources = {normal(c.source) for c in released.cells if c.cell_type == "code"}
    extras: dict[int | None, list[int]] = {}
    owner: int | None = None
    inverse = {li: ri for ri, li in matched.items()}
    for i, c in enumerate(learner_cells):
        if i in inverse:
            owner = inverse[i]
        elif c.get("cell_type") == "code" and cell_source(c).strip() and normal(cell_source(c)) not in release_sources:
            extras.setdefault(owner, []).append(i)
    return extras


def _new_cell(cell_type: str, source: str, cell_id: str) -> Any:
    import nbformat

    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}.get(
        cell_type, nbformat.v4.new_raw_cell)
    cell = make(source)
    cell["id"] = cell_id
    return cell


def recorder_cell(records_path: str) -> Any:
    source = ("# Installed by the reportkit grader; check cells call it.\n"
              "from reportkit.grading.recorder import Recorder as _rk_Recorder\n"
              f"{RECORDER_NAME} = _rk_Recorder({records_path!r})\n"
              "del _rk_Recorder")
    return _new_cell("code", source, "reportkit-grader-recorder")


def check_call(rc: ReleasedCell) -> str:
    """A check cell as the grader runs it; a lambda, so a NameError (answer cell not run) is recorded."""
    parsed = parse_check(rc.source)
    question, expr = parsed or (rc.question or "", rc.question or "None")
    return f"{RECORDER_NAME}({question!r}, lambda: ({expr}))"


class _Builder:
    """Puts the rebuilt notebook together and flags what the learner changed."""

    def __init__(self, released: ReleasedNotebook, learner_nb: Any, result: LearnerResult, records: str) -> None:
        self.released, self.result = released, result
        self.cells_in = list(learner_nb.get("cells") or [])
        self.matched = _Matcher(released, self.cells_in).run()
        self.extras = _extras(self.cells_in, self.matched, released)
        self.names = reportkit_names([c.source for c in released.cells if c.role == "setup"])
        self.out = [recorder_cell(records)]

    def flag(self, code: FlagCode, detail: str) -> None:
        self.result.flag(code, detail, self.released.name)

    def inspect(self, source: str, where: str) -> None:
        for finding in inspect_answer(source, self.names):
            self.flag(FlagCode.MACHINERY, f"{where}, {finding}")

    def add_extras(self, key: int | None) -> None:
        for i in self.extras.get(key, []):
            source = cell_source(self.cells_in[i])
            self.inspect(source, f"extra cell {self.cells_in[i].get('id') or i}")
            self.out.append(_new_cell("code", source, f"learner-extra-{i}"))

    def source_for(self, rc: ReleasedCell, moved: set[int]) -> str:
        li = self.matched.get(rc.index)
        learner = cell_source(self.cells_in[li]) if li is not None else None
        label = f"{rc.role} cell {rc.id}" + (f" ({rc.question})" if rc.question else "")
        if rc.role == "answer":
            if learner is None:
                self.flag(FlagCode.ANSWER_CELL_MISSING, f"{label}: not found; the blank one from the release was used")
                return rc.source
            self.inspect(learner, label)
            return learner
        if rc.cell_type != "code":
            return rc.source
        if rc.role == "handin":
            return "pass  # the hand-in cell: nothing to do when grading"
        check = rc.role == "check"
        if learner is None:
            self.flag(FlagCode.CHECK_DELETED if check else FlagCode.LOCKED_DELETED,
                      f"{label} was deleted; put back from the release")
        elif normal(learner) != normal(rc.source):
            self.flag(FlagCode.CHECK_EDITED if check else FlagCode.LOCKED_EDITED,
                      f"{label} was edited; put back from the release")
        elif rc.index in moved and check:
            self.flag(FlagCode.CHECK_MOVED, f"{label} was moved; put back in its place")
        return check_call(rc) if check else rc.source

    def build(self) -> Any:
        import nbformat

        order = sorted(self.matched)
        in_place = _longest_increasing([self.matched[r] for r in order])
        moved = {order[k] for k in range(len(order)) if k not in in_place}
        first_answer = next((rc.index for rc in self.released.cells if rc.role == "answer"), None)
        for rc in self.released.cells:
            if rc.index == first_answer:
                self.add_extras(None)
            self.out.append(_new_cell(rc.cell_type, self.source_for(rc, moved), rc.id))
            if rc.index in self.matched or rc.index == 0:
                self.add_extras(rc.index)
        nb = nbformat.v4.new_notebook(cells=self.out)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        return nb


def rebuild(released: ReleasedNotebook, learner_nb: Any, result: LearnerResult,
            records: str = RECORDS_FILE) -> Any:
    """The notebook the grader runs: the release, with the learner's answers in it."""
    return _Builder(released, learner_nb, result, records).build()


def rule_cells(released: ReleasedNotebook, rebuilt: Any, question: str) -> list[str]:
    """What defines a rule answer: the release's setup cells and the learner's code cells of a
    rebuilt notebook, up to ``question``'s answer cell, in order."""
    answer = released.cell("answer", question)
    learner_ids = {rc.id for rc in released.cells if rc.role in ("answer", "setup")}
    sources = []
    for cell in rebuilt.cells:
        cell_id = str(cell.get("id", ""))
        if cell_id in learner_ids or cell_id.startswith("learner-extra-"):
            sources.append(cell_source(cell))
        if answer is not None and cell_id == answer.id:
            break
    return sources
