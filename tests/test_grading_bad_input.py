"""Bad hand-ins: one class of broken learners graded in ONE run (short timeouts), then one test
per case reads its gradebook row. Every case must end with a clear status and message, the
other learners must be graded normally, the hand-ins must be byte-identical afterwards and
nothing may be written outside the scratch and report folders.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import grading_kit as gk  # noqa: E402
from grading_kit import file_digest  # noqa: E402

from reportkit.grading import grade_class  # noqa: E402
from reportkit.grading.model import file_stem  # noqa: E402
from reportkit.grading.runner import RunLimits  # noqa: E402

pytestmark = pytest.mark.slow
RIGHT, WRONG = gk.RIGHT_SOURCES, gk.WRONG_SOURCES


def _delete_check(nb) -> None:
    nb.cells = [c for c in nb.cells if c.get("id") != "q01_2-check"]


def _pass_check(nb) -> None:
    next(c for c in nb.cells if c.get("id") == "q01_2-check").source = "pass"


def _zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def _symlink_zip(path: Path) -> Path:
    info = zipfile.ZipInfo("01-tiny.ipynb")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return _zip(path, [(info, b"/etc/passwd")])


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("bad-input")
    kit = gk.build_kit(base / "kit")
    subs = base / "submissions"
    subs.mkdir()

    def learner(name: str, answers: dict | None = None, **kw) -> Path:
        return gk.handin(kit, subs / name, answers, **kw)

    learner("good", RIGHT, labels=gk.RIGHT_LABELS)
    learner("wrong", WRONG, labels=gk.WRONG_LABELS)
    (subs / "not-json").mkdir()
    (subs / "not-json" / gk.NOTEBOOK).write_text("this is { not a notebook", "utf-8")
    (subs / "json-not-notebook").mkdir()
    (subs / "json-not-notebook" / gk.NOTEBOOK).write_text(json.dumps({"hello": "world"}), "utf-8")
    (subs / "empty").mkdir()
    (subs / "missing-notebook").mkdir()
    (subs / "missing-notebook" / "notes.txt").write_text("I forgot the notebook", "utf-8")
    learner("extra-notebook", RIGHT, labels=gk.RIGHT_LABELS)
    (subs / "extra-notebook" / "scratch.ipynb").write_text((subs / "good" / gk.NOTEBOOK).read_text())
    learner("check-deleted", RIGHT, labels=gk.RIGHT_LABELS, edit=_delete_check)
    learner("check-pass", RIGHT, labels=gk.RIGHT_LABELS, edit=_pass_check)
    learner("check-redefined", {**WRONG, "q01_2": 'check = lambda *a: None\nq01_2 = "narration"'},
            labels=gk.RIGHT_LABELS)
    learner("monkeypatch", {**WRONG, "q01_1": "import reportkit.checks\n"
                            "reportkit.checks.score = lambda *a, **k: None\nq01_1 = ['s01']"})
    learner("infinite-loop", {**RIGHT, "q01_2": "while True:\n    pass"}, labels=gk.RIGHT_LABELS)
    learner("exit", {**RIGHT, "q01_2": "import os\nos._exit(1)"}, labels=gk.RIGHT_LABELS)
    learner("big-output", {**RIGHT, "q01_2": 'print("x" * 50_000_000)\nq01_2 = "analysis"'},
            labels=gk.RIGHT_LABELS)
    learner("memory-hog", {**RIGHT, "q01_2": "hog = bytearray(8 * 2**30)"}, labels=gk.RIGHT_LABELS)
    learner("answers-corrupt", RIGHT, labels=gk.RIGHT_LABELS, in_notebook=False, answers_file="{not json")
    learner("answers-foreign", RIGHT, labels=gk.RIGHT_LABELS, in_notebook=False,
            answers_file=gk.answers_doc(kit, gk.RIGHT_LABELS, exercise="another-exercise"))
    learner("answers-disagree", RIGHT, labels=gk.RIGHT_LABELS,
            answers_file=gk.answers_doc(kit, gk.WRONG_LABELS))
    learner("symlink-in-folder", RIGHT, labels=gk.RIGHT_LABELS, answers_file=None)
    os.symlink("/etc/passwd", subs / "symlink-in-folder" / f"{gk.EXERCISE}.answers.json")
    gk.zip_folder(learner("zipped", RIGHT, labels=gk.RIGHT_LABELS), subs / "zipped-ok.zip")
    nb_bytes = (subs / "good" / gk.NOTEBOOK).read_bytes()
    _zip(subs / "zip-dotdot.zip", [(gk.NOTEBOOK, nb_bytes), ("../escaped.txt", b"gotcha")])
    _zip(subs / "zip-absolute.zip", [("/tmp/reportkit-absolute-escape.txt", b"gotcha")])
    _symlink_zip(subs / "zip-symlink.zip")
    gk.zip_bomb(subs / "zip-bomb.zip", gib=4)
    (subs / "not-a-zip.zip").write_bytes(b"PK\x03\x04 but not really")
    (subs / "README.txt").write_text("not a learner", "utf-8")
    import shutil

    shutil.rmtree(subs / "zipped")  # it exists only as zipped-ok.zip

    before = {p.name: file_digest(p) for p in subs.iterdir()}
    outside_before = sorted(p.name for p in base.iterdir())
    report = base / "report"
    grade_class(subs, report, jobs=2, limits=RunLimits(timeout=10), kit=kit, progress=False)
    with open(report / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    for learner, found in rows.items():  # the gradebook says what; the instructor's feedback file says where
        found["details"] = found["message"] + "\n" + (
            report / "feedback-instructor" / f"{file_stem(learner)}.md").read_text("utf-8")
    return {"base": base, "subs": subs, "report": report, "rows": rows, "before": before,
            "after": {p.name: file_digest(p) for p in subs.iterdir()},
            "outside_before": outside_before, "outside_after": sorted(p.name for p in base.iterdir())}


def row(graded: dict, learner: str) -> dict:
    return graded["rows"][learner]


def test_handins_untouched_and_nothing_written_outside(graded):
    assert graded["after"] == graded["before"]
    assert graded["outside_after"] == sorted([*graded["outside_before"], "report"])
    assert not (graded["base"] / "escaped.txt").exists()
    assert not Path("/tmp/reportkit-absolute-escape.txt").exists()
    leftovers = [p.name for p in graded["report"].iterdir() if p.name.startswith(".scratch")]
    assert leftovers == []
    assert sorted(os.listdir(graded["report"] / "feedback")) == sorted(f"{file_stem(k)}.md" for k in graded["rows"])


def test_good_and_wrong_learners_graded_normally(graded):
    assert row(graded, "good")["status"] == "ok"
    assert row(graded, "good")["total"] == "9"
    assert row(graded, "wrong")["status"] == "ok"
    assert row(graded, "wrong")["total"] == "1"
    assert row(graded, "zipped-ok")["total"] == "9"


@pytest.mark.parametrize("learner", ["not-json", "json-not-notebook"])
def test_not_a_notebook(graded, learner):
    r = row(graded, learner)
    assert r["status"] == "invalid"
    assert "01-tiny.ipynb is not a valid notebook" in r["details"]
    assert r["total"] == "0"


def test_empty_folder_and_missing_notebook(graded):
    for learner in ("empty", "missing-notebook"):
        r = row(graded, learner)
        assert r["status"] == "missing"
        assert "none of the exercise notebooks (01-tiny.ipynb) was handed in" in r["details"]


def test_unknown_extra_notebook(graded):
    r = row(graded, "extra-notebook")
    assert r["status"] == "ok" and r["total"] == "9"
    assert "extra-notebook" in r["flags"] and "scratch.ipynb is not an exercise" in r["details"]


def test_check_cell_deleted(graded):
    r = row(graded, "check-deleted")
    assert r["status"] == "flagged" and "check-deleted" in r["flags"]
    assert r["q01_2"] == "1" and r["total"] == "9"  # put back, so the answer is still graded


def test_check_cell_edited_to_pass(graded):
    r = row(graded, "check-pass")
    assert r["status"] == "flagged" and "check-edited" in r["flags"]
    assert "q01_2-check" in r["details"] and r["total"] == "9"


def test_check_redefined_in_answer(graded):
    r = row(graded, "check-redefined")
    assert r["status"] == "flagged" and "machinery-redefined" in r["flags"]
    assert "assigns `check`" in r["details"]
    assert r["q01_2"] == "0"  # the wrong answer is still scored as wrong


def test_reportkit_monkeypatched(graded):
    r = row(graded, "monkeypatch")
    assert r["status"] == "flagged" and "machinery-redefined" in r["flags"]
    assert "reportkit.checks.score" in r["details"]
    assert r["q01_1"] == "0"


def test_infinite_loop(graded):
    r = row(graded, "infinite-loop")
    assert r["status"] == "timeout"
    assert "ran longer than 10 s" in r["details"]
    # the cells before and after the loop still count
    assert r["q01_1"] == "2" and r["q01_3"] == "1" and r["q01_4"] == "5"


def test_kernel_exit(graded):
    r = row(graded, "exit")
    assert r["status"] == "kernel-died"
    assert "kernel died" in r["details"]
    assert r["q01_1"] == "2"  # recorded before the kernel died
    assert r["q01_4"] == "5"  # tagging answers come from the hand-in, not the kernel


def test_fifty_megabyte_output(graded):
    r = row(graded, "big-output")
    assert r["status"] == "output-limit"
    assert "more than 5 MB" in r["details"]
    assert r["total"] == "9"


def test_memory_hog(graded):
    r = row(graded, "memory-hog")
    assert r["status"] == "memory-limit"
    assert "ran out of memory" in r["details"]
    assert r["q01_1"] == "2"


def test_answers_file_corrupt(graded):
    r = row(graded, "answers-corrupt")
    assert r["status"] == "flagged" and "answers-file-corrupt" in r["flags"]
    assert r["q01_4"] == "0" and r["q01_1"] == "2"


def test_answers_file_of_another_exercise(graded):
    r = row(graded, "answers-foreign")
    assert r["status"] == "flagged" and "answers-file-foreign" in r["flags"]
    assert "another-exercise" in r["details"] and r["q01_4"] == "0"


def test_answers_disagree_notebook_preferred(graded):
    r = row(graded, "answers-disagree")
    assert r["status"] == "ok" and "answers-older-copy" in r["flags"]  # a note, not a cheat
    assert r["q01_4"] == "5"


def test_symlink_in_folder_ignored(graded):
    r = row(graded, "symlink-in-folder")
    assert "symlink-ignored" in r["flags"]
    assert r["q01_4"] == "5"  # the notebook's own answers output


@pytest.mark.parametrize("learner, why", [
    ("zip-dotdot", "points outside the archive's folder"),
    ("zip-absolute", "absolute path"),
    ("zip-symlink", "symbolic link"),
    ("zip-bomb", "zip bomb"),
    ("not-a-zip", "not a readable zip file"),
])
def test_unsafe_archives(graded, learner, why):
    r = row(graded, learner)
    assert r["status"] == "bad-archive"
    assert why in r["details"] and r["total"] == "0"


def test_non_handin_skipped_and_reported(graded):
    assert "README" not in graded["rows"]
    assert "README.txt: neither a folder nor a .zip; skipped" in (graded["report"] / "report.md").read_text()


def test_zip_bomb_is_small_on_disk(graded):
    assert (graded["subs"] / "zip-bomb.zip").stat().st_size < 8 * 2**20
    with zipfile.ZipFile(graded["subs"] / "zip-bomb.zip") as archive:
        assert archive.infolist()[0].file_size == 4 * 2**30


def test_report_mentions_every_problem_learner(graded):
    text = (graded["report"] / "report.md").read_text("utf-8")
    for learner, r in graded["rows"].items():
        if r["status"] != "ok":
            assert f"| {learner} | {r['status']} |" in text


def test_gradebook_is_plain_csv(graded):
    text = (graded["report"] / "gradebook.csv").read_text("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["learner", "q01_1", "q01_2", "q01_3", "q01_4", "auto", "adjusted", "total", "max_total",
                      "status", "flags", "message"]
