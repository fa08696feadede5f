"""Rehearsal with the shipped exercises: a small class graded with the README's command (from the kit
folder, relative paths, in the sandbox), then what an instructor does after grading — re-score after
a key fix (no notebook runs; the rule answer of 08 from its recorded labels), adjust scores with
reasons, and export to Canvas and Moodle from the LMS's own gradebook export.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import classroom_kit as ck  # noqa: E402
from kits import OWN, copy_kit  # noqa: E402

from reportkit.grading.adjustments import AdjustmentError, read_adjustments  # noqa: E402

pytestmark = pytest.mark.slow
NOTEBOOKS = ["02-direct-quotes.ipynb", "06-tag-the-article.ipynb", "08-machine-baseline.ipynb"]


def _rows(report: Path) -> dict[str, dict[str, str]]:
    return {r["learner"]: r for r in csv.DictReader((report / "gradebook.csv").open(encoding="utf-8"))}


def _results(report: Path) -> dict:
    doc = json.loads((report / "results.json").read_text("utf-8"))
    for learner in doc["learners"]:
        learner.pop("seconds")
    return doc


def _run(kit: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=kit, capture_output=True, text=True,
                          timeout=1500)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> dict:
    kit = copy_kit(tmp_path_factory.mktemp("rescore") / "kit")
    learner = ck.Learner(kit / "exercises", kit / "solutions", OWN)
    half = set(learner.questions()[::2])
    learner.write(kit / "SUBMISSIONS" / "perfect", names=NOTEBOOKS)
    learner.write(kit / "SUBMISSIONS" / "half", names=[NOTEBOOKS[0], NOTEBOOKS[2]], pick=lambda q: q in half)
    done = _run(kit, "grade", "SUBMISSIONS", "--out", "REPORT", "--jobs", "1", "--quiet")
    assert done.returncode == 0, done.stderr[-3000:]
    return {"kit": kit, "questions": {q["id"]: q for q in ck.questions_json(kit, OWN)}}


def test_rescoring_with_the_same_key_reproduces_the_grading(real, tmp_path):
    kit = real["kit"]
    graded = _rows(kit / "REPORT")
    assert float(graded["perfect"]["q08_2"]) == real["questions"]["q08_2"]["points"]  # the rule scored
    assert float(graded["perfect"]["q06_1"]) > 0
    done = _run(kit, "grade", "--rescore", "REPORT", "--out", str(tmp_path / "again"))
    assert done.returncode == 0 and "no notebook ran" in done.stdout, done.stderr
    assert (tmp_path / "again" / "gradebook.csv").read_bytes() == (kit / "REPORT" / "gradebook.csv").read_bytes()
    assert _results(tmp_path / "again") == _results(kit / "REPORT")


def test_rescoring_after_a_key_fix_runs_no_notebook(real, tmp_path, monkeypatch):
    from reportkit.grading import runner
    from reportkit.grading.rescore import rescore

    fixed = tmp_path / "kit"
    shutil.copytree(real["kit"], fixed, ignore=shutil.ignore_patterns("SUBMISSIONS", "REPORT"))
    shutil.copytree(real["kit"] / "REPORT", tmp_path / "REPORT")
    path = fixed / "data" / OWN / "questions.json"
    doc = json.loads(path.read_text("utf-8"))
    next(q for q in doc["questions"] if q["id"] == "q02_1")["points"] = 5  # the instructor reweighs a question
    path.write_text(json.dumps(doc, indent=1), "utf-8")

    def no_kernel(*args, **kwargs):
        raise AssertionError("rescoring started a run")

    for name in ("run", "run_notebooks", "run_rule"):
        monkeypatch.setattr(runner, name, no_kernel)
    results = {r.learner: r for r in rescore(tmp_path / "REPORT", fixed)}
    before = _rows(real["kit"] / "REPORT")
    assert results["perfect"].total == float(before["perfect"]["total"]) - 2 + 5
    assert results["perfect"].max_total == float(before["perfect"]["max_total"]) + 3
    assert _rows(tmp_path / "REPORT")["perfect"]["q02_1"] == "5"


def test_rescoring_thirty_learners_takes_under_five_seconds(real, tmp_path):
    from reportkit.grading.rescore import rescore

    doc = json.loads((real["kit"] / "REPORT" / "results.json").read_text("utf-8"))
    doc["learners"] = [{**doc["learners"][i % 2], "learner": f"learner{i:02d}"} for i in range(30)]
    (tmp_path / "R").mkdir()
    (tmp_path / "R" / "results.json").write_text(json.dumps(doc), "utf-8")
    rescore(real["kit"] / "REPORT", real["kit"], tmp_path / "warm")  # imports once, as a fresh process would
    started = time.monotonic()
    results = rescore(tmp_path / "R", real["kit"])
    seconds = time.monotonic() - started
    assert len(results) == 30 and seconds < 5, f"{seconds:.1f} s"
    perfect = next(r for r in results if r.learner == "learner00")
    assert perfect.total == _results(real["kit"] / "REPORT")["learners"][0]["total"]


def test_adjustments_show_in_gradebook_and_feedback(real, tmp_path):
    kit = real["kit"]
    adj = tmp_path / "adjustments.csv"
    adj.write_text("learner,question,delta,override,reason\n"
                   "half,q02_2,,1,accepted: the key was too strict here\n"
                   "half,total,-1.5,,handed in two days late\n", "utf-8")
    out = tmp_path / "adjusted"
    done = _run(kit, "grade", "--rescore", "REPORT", "--out", str(out), "--adjustments", str(adj))
    assert done.returncode == 0, done.stderr
    rows, before = _rows(out), _rows(kit / "REPORT")
    auto = float(before["half"]["total"])
    gained = 1 - float(before["half"]["q02_2"])
    assert rows["half"]["auto"] == before["half"]["total"] and rows["half"]["q02_2"] == "1"
    assert float(rows["half"]["total"]) == pytest.approx(auto + gained - 1.5)
    assert rows["half"]["adjusted"] == f"{gained - 1.5:+g}" and rows["perfect"]["adjusted"] == ""
    feedback = next((out / "feedback").glob("half-*.md")).read_text("utf-8")
    assert "accepted: the key was too strict here" in feedback and "total: -1.5 (handed in two days late)" in feedback
    kept = _run(kit, "grade", "--rescore", str(out))  # a later re-score keeps them
    assert kept.returncode == 0 and _rows(out)["half"]["total"] == rows["half"]["total"]


@pytest.mark.parametrize(("text", "why"), [
    ("learner,question,points,reason\n", "line 1: the header needs the columns"),
    ("learner,question,delta,override,reason\nhalf,q02_2,1,2,both\n", "line 2: give exactly one of delta"),
    ("learner,question,delta,override,reason\nhalf,q02_2,,,none\n", "line 2: give exactly one of delta"),
    ("learner,question,delta,override,reason\n\nhalf,q02_2,one,,x\n", "line 3: delta 'one' is not a number"),
    ("learner,question,delta,override,reason\nhalf,q02_2,nan,,x\n", "line 2: delta 'nan' is not a finite"),
    ("learner,question,delta,override,reason\n,q02_2,1,,x\n", "line 2: needs a learner and a question"),
])
def test_bad_adjustment_lines_are_named(tmp_path, text, why):
    path = tmp_path / "adjustments.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(AdjustmentError, match=why):
        read_adjustments(path)


def test_unknown_learner_or_question_stops_the_rescore(real, tmp_path):
    adj = tmp_path / "late.csv"
    adj.write_text("learner,question,delta,override,reason\nperfect,q02_1,1,,ok\nhalf,q02_99,1,,typo\n", "utf-8")
    done = _run(real["kit"], "grade", "--rescore", "REPORT", "--out", str(tmp_path / "x"), "--adjustments", str(adj))
    assert done.returncode == 2 and "late.csv line 3: no question 'q02_99'" in done.stderr, done.stderr
    assert not (tmp_path / "x").exists()


# ------------------------------------------------------------------ exports

CANVAS = ("Student,ID,SIS User ID,SIS Login ID,Section,Reading war (4411),Quiz 1 (4400),Current Points,Final Score\n"
          "    Points Possible,,,,,100,10,(read only),(read only)\n"
          '"Perfect, Pat",101,S-1,perfect,Sec A,,7,7,70\n'
          '"Half, Hal",102,S-2,half,Sec A,,8,8,80\n'
          '"=HYPERLINK(""http://x"")",103,S-3,absent,Sec B,,9,9,90\n')
MOODLE = ("First name,Last name,ID number,Institution,Department,Email address,"
          "Assignment: Reading war (Real),Course total (Real),Last downloaded from this course\n"
          "Pat,Perfect,,Uni,,perfect@uni.example,-,7.00,1700000000\n"
          "Hal,Half,,Uni,,HALF@uni.example,-,8.00,1700000000\n"
          "@Ann,Absent,A-3,Uni,,absent@uni.example,-,9.00,1700000000\n")


def test_canvas_export_fills_the_assignment_by_learner_id(real, tmp_path):
    (tmp_path / "canvas.csv").write_text("\ufeff" + CANVAS, "utf-8")
    out = tmp_path / "import.csv"
    done = _run(real["kit"], "export", "REPORT", "--lms", "canvas", "--into", str(tmp_path / "canvas.csv"),
                "--column", "Reading war", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "no graded hand-in, left empty (1)" in done.stdout
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Reading war (4411)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "100"]  # kept as Canvas wrote it
    totals = {r["learner"]: r["total"] for r in _rows(real["kit"] / "REPORT").values()}
    assert rows[2][3:] == ["perfect", "Sec A", totals["perfect"]] and rows[3][5] == totals["half"]
    assert rows[4][0].startswith("'=HYPERLINK") and rows[4][5] == ""  # escaped; no hand-in: empty, not 0


def test_moodle_export_matches_email_names_and_lists_the_unmatched(real, tmp_path):
    (tmp_path / "moodle.csv").write_text(MOODLE.replace("perfect@", "pat@"), "utf-8")
    out = tmp_path / "import.csv"
    done = _run(real["kit"], "export", "REPORT", "--lms", "moodle", "--into", str(tmp_path / "moodle.csv"),
                "--column", "Reading war", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "graded but not in the LMS file (1): perfect" in done.stdout
    rows = {r["Last name"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["Half"]["Assignment: Reading war (Real)"] == _rows(real["kit"] / "REPORT")["half"]["total"]
    assert rows["Perfect"]["Assignment: Reading war (Real)"] == ""
    assert rows["Absent"]["First name"] == "'@Ann" and "Course total (Real)" not in rows["Half"]


def test_export_without_a_column_lists_the_candidates(real, tmp_path):
    (tmp_path / "canvas.csv").write_text(CANVAS, "utf-8")
    done = _run(real["kit"], "export", "REPORT", "--lms", "canvas", "--into", str(tmp_path / "canvas.csv"),
                "--out", str(tmp_path / "x.csv"))
    assert done.returncode == 2 and "Reading war (4411); Quiz 1 (4400)" in done.stderr, done.stderr
    wrong = _run(real["kit"], "export", "REPORT", "--lms", "moodle", "--into", str(tmp_path / "canvas.csv"),
                 "--column", "Reading war", "--out", str(tmp_path / "y.csv"))
    assert wrong.returncode == 2 and "is it a moodle gradebook export?" in wrong.stderr
