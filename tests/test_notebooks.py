"""The notebooks as an instructor runs them: nbval against stored outputs, exercises with nbval-lax.

Slow (each notebook starts a kernel): ``pytest -m slow tests/test_notebooks.py``. The commands
are the ones an instructor types (see instructors/README.md); the exercise runs work on
copies in a temporary folder so no saved tags (``*.answers.json``) leak between runs.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from reportkit.release import BEGIN, END

KIT = Path(__file__).resolve().parent.parent
LESSONS = sorted((KIT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SOLUTIONS = sorted((KIT / "solutions").glob("[0-9][0-9]-*.ipynb"))
EXERCISES = sorted((KIT / "exercises").glob("[0-9][0-9]-*.ipynb"))
# QuantEcon's rule: a warning in a notebook is an error. `./kit lower-bounds` relaxes it to
# 'default', because old releases warn about their own newer dependencies (pyparsing, traitlets).
WARNINGS_AS_ERRORS = f"import warnings\nwarnings.simplefilter({os.environ.get('REPORTKIT_TEST_WARNINGS', 'error')!r})"
# Typical mistakes, one notebook per lesson pair: each must fail at its own check cell only.
MISTAKES = {
    "01-page-and-article.ipynb": {"q01_3": '"Kuleba"', "q01_2": '"analysis"'},
    "03-reported-claims.ipynb": {"q03_3": '"prosecutors"', "q03_4": '"named person"'},
    "05-numbers-and-hedges.ipynb": {"q05_6": "10"},
    "09-one-interview-many-reports.ipynb": {"q09_1": '"all"', "q09_4": '"Yeni Şafak"'},
    # a wrong cause for s23, and a rule that carries analysis forward and breaks eleven units
    "08-machine-baseline.ipynb": {
        "q08_1": '{"s15": "teaser", "s23": "newsmaker", "s24": "earlier-sentence", "s25": "earlier-sentence"}',
        "q08_2": 'lambda text, previous: "analysis" if previous is not None and previous.label == "analysis" else None',
    },
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["REPORTKIT_HOME"] = str(KIT)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _pytest(args: list[str], cwd: Path, junit: Path | None = None) -> tuple[int, str, dict]:
    """Run pytest in a subprocess; returns (exit code, output, {(notebook, cell number): passed})."""
    command = [sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider", "-q"]
    if junit:
        command.append(f"--junitxml={junit}")
    done = subprocess.run(command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=900)
    outcomes: dict[tuple[str, int], bool] = {}
    if junit and junit.exists():
        for case in ET.parse(junit).iter("testcase"):
            notebook = re.search(r"([0-9][0-9]-[a-z0-9-]+)\.ipynb", case.get("classname", ""))
            number = re.match(r"Cell (\d+)", case.get("name", ""))
            if notebook and number:
                folder = case.get("classname").split(".")[0]
                failed = case.find("failure") is not None or case.find("error") is not None
                outcomes[(f"{folder}/{notebook.group(1)}.ipynb", int(number.group(1)))] = not failed
    return done.returncode, done.stdout + done.stderr, outcomes


def _code_cells(path: Path) -> list:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _check_cells(path: Path) -> dict[int, str]:
    """nbval's cell number (code cells only, from 0) -> question id, for every check cell."""
    return {i: c.metadata["reportkit"]["question"] for i, c in enumerate(_code_cells(path))
            if c.metadata["reportkit"]["role"] == "check"}


def _solution_lines(source: str) -> str:
    inside = source.split(BEGIN, 1)[1].split(END, 1)[0]
    return inside.strip("\n")


def _answered(exercise: Path, solution: Path, wrong: dict[str, str] | None = None,
              warnings_cell: bool = True) -> nbformat.NotebookNode:
    """The exercise with every placeholder replaced by the solution's answer (or a given mistake)."""
    nb = nbformat.read(exercise, as_version=4)
    answers = {c.id: _solution_lines(c.source) for c in nbformat.read(solution, as_version=4).cells
               if BEGIN in c.source}
    for cell in nb.cells:
        role, qid = cell.metadata["reportkit"]["role"], cell.metadata["reportkit"].get("question")
        if role == "answer":
            value = f"{qid} = {wrong[qid]}" if wrong and qid in wrong else answers[cell.id]
            cell.source = re.sub(rf"^{qid} = \.\.\.$", lambda _, v=value: v, cell.source, flags=re.MULTILINE)
            assert "..." not in cell.source.split("\n")[-1], cell.source
        elif role == "tagger":
            cell.source += "\n" + answers[cell.id]
    if warnings_cell:
        nb.cells.insert(0, nbformat.v4.new_code_cell(WARNINGS_AS_ERRORS, id="warnings-as-errors",
                                                     metadata={"reportkit": {"role": "setup"}}))
    return nb


def _shift(checks: dict[int, str], by: int) -> dict[int, str]:
    return {i + by: q for i, q in checks.items()}


# ------------------------------------------------------------------ static: stored outputs are clean


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_stored_outputs_are_clean(path):
    text = path.read_text("utf-8")
    assert str(KIT) not in text and "/tmp/" not in text and "/home/" not in text
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"{path.name}: cell {cell.id} was not run"
        for output in cell.outputs:
            assert output.output_type != "error", (path.name, cell.id)
            assert not (output.output_type == "stream" and output.name == "stderr"), (path.name, cell.id)
            assert "Warning" not in str(output.get("text", "")), (path.name, cell.id)


def test_there_is_a_lesson_and_an_exercise_per_number():
    assert [p.name for p in LESSONS] == [p.name for p in SOLUTIONS] == [p.name for p in EXERCISES]
    assert len(LESSONS) == 10


# ------------------------------------------------------------------ the instructor's commands


@pytest.mark.slow
def test_lessons_and_solutions_match_their_stored_outputs():
    code, output, _ = _pytest(["--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
                               "notebooks/", "solutions/"], KIT)
    assert code == 0, output[-4000:]


@pytest.mark.slow
def test_untouched_exercises_fail_exactly_at_their_check_cells(tmp_path):
    shutil.copytree(KIT / "exercises", tmp_path / "exercises",
                    ignore=shutil.ignore_patterns("*.answers.json*", ".ipynb_checkpoints"))
    code, output, outcomes = _pytest(["--nbval-lax", "exercises/"], tmp_path, tmp_path / "junit.xml")
    assert code != 0
    expected = {(f"exercises/{p.name}", i) for p in EXERCISES for i in _check_cells(p)}
    failed = {key for key, passed in outcomes.items() if not passed}
    assert outcomes and failed == expected, output[-3000:]


@pytest.mark.slow
def test_answered_exercises_and_lessons_run_without_warnings_and_fail_only_at_mistakes(tmp_path):
    """One run: every exercise answered from the solutions (all must pass), every lesson, and
    the exercises in MISTAKES with typical mistakes (each must fail at exactly those questions), all with
    warnings turned into errors."""
    expected_failures = set()
    for folder in ("correct", "lessons", "mistakes"):
        (tmp_path / folder).mkdir()
    for exercise in EXERCISES:
        solution = KIT / "solutions" / exercise.name
        nbformat.write(_answered(exercise, solution), tmp_path / "correct" / exercise.name)
        if exercise.name in MISTAKES:
            wrong = MISTAKES[exercise.name]
            nbformat.write(_answered(exercise, solution, wrong), tmp_path / "mistakes" / exercise.name)
            checks = _shift(_check_cells(exercise), 1)
            expected_failures |= {(f"mistakes/{exercise.name}", i) for i, q in checks.items() if q in wrong}
    for lesson in LESSONS:
        nb = copy.deepcopy(nbformat.read(lesson, as_version=4))
        nb.cells.insert(0, nbformat.v4.new_code_cell(WARNINGS_AS_ERRORS, id="warnings-as-errors"))
        nbformat.write(nb, tmp_path / "lessons" / lesson.name)
    code, output, outcomes = _pytest(["--nbval-lax", "-n", "2", "--dist", "loadfile",
                                      "correct/", "lessons/", "mistakes/"], tmp_path, tmp_path / "junit.xml")
    failed = {key for key, passed in outcomes.items() if not passed}
    assert len(outcomes) > 100
    assert failed == expected_failures, output[-4000:]
