"""The class rehearsal: a class of hand-ins of the *shipped* exercises (built from ``exercises/`` and
``solutions/``), graded with the README's exact command, from the kit folder, with a relative
``--out``, in the sandbox. One graded class (a session fixture) serves every assertion.

The class: perfect, blank, half right, renamed files, a zip with an extra top folder, answers
copied into fresh notebooks, hand-in bundles, an old blank copy beside the final one, Unicode and
formula ids, a dot-name, a key hunter, a double-forked survivor that writes outside and into a
classmate's folder, and a baseline patcher. Every expected total is computed from questions.json.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import classroom_kit as ck  # noqa: E402
from kits import OWN, copy_kit  # noqa: E402

pytestmark = pytest.mark.slow
MARK = "rk-survivor-" + hashlib.sha256(str(os.getpid()).encode()).hexdigest()[:8]
ZOE_NFC = unicodedata.normalize("NFC", "Zoë")
ZOE_NFD = unicodedata.normalize("NFD", "Zoé")

HUNTER = r'''
import glob, json, os, re, time
found, deadline = set(), time.monotonic() + 8
def look(root, depth=6):
    for folder, dirs, files in os.walk(root):
        if time.monotonic() > deadline or folder.count(os.sep) - root.count(os.sep) >= depth:
            dirs[:] = []
            continue
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "site-packages")]
        for f in files:
            if f in ("key.json", "figures.json"):  # a key names units; the package's JSON schemas do not
                try:
                    if '"s05"' in open(os.path.join(folder, f), encoding="utf-8").read():
                        found.add(os.path.join(folder, f))
                except OSError:
                    pass
import reportkit
starts = [os.getcwd(), os.path.dirname(os.path.dirname(reportkit.__file__)), os.environ.get("REPORTKIT_HOME", ""),
          "/", "/proc/1/cwd", f"/proc/{os.getppid()}/cwd", "/proc/self/root/tmp", "/tmp"]
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            starts += re.findall(r"/[^\x00 ]+", open(f"/proc/{pid}/cmdline").read())
            starts.append(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            pass
for start in starts:
    for up in range(4):
        path = os.path.abspath(os.path.join(start, *[".."] * up)) if start else ""
        if path and os.path.isdir(path):
            look(path)
q02_5 = ";".join(sorted(found))
if found:
    key = json.load(open(sorted(found)[0]))
    q02_2 = next(e["label"] for e in key["entries"] if e["id"] == "s05")
'''

SURVIVOR = r'''
import os, subprocess, sys
CODE = """
import glob, os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
mark = sys.argv[1]
end = time.time() + 25
while time.time() < end:
    ups = [os.path.abspath(os.path.join(os.getcwd(), *[".."] * n)) for n in range(1, 6)]
    for target in ["/tmp", os.getcwd(), *ups]:
        for folder in [target, *glob.glob(os.path.join(target, "*"))]:
            try:
                open(os.path.join(folder, mark + ".txt"), "w").write("I was here")
            except OSError:
                pass
    for record in glob.glob("/**/.reportkit-records.jsonl", recursive=True):
        if not record.startswith(os.getcwd()):
            try:
                os.remove(record)
            except OSError:
                pass
    time.sleep(0.5)
"""
subprocess.Popen([sys.executable, "-c", CODE, "__MARK__"], start_new_session=True)
'''.replace("__MARK__", MARK)

PATCHER = '''
from dataclasses import replace
import reportkit.baseline as _b

_real = _b.propose_article
KNOWN = {"s15": "furniture", "s23": "analysis", "s24": "analysis", "s25": "analysis"}  # lesson 08's table


def _fake(article, extra_rules=()):
    return [replace(p, label=KNOWN.get(p.id, p.label)) for p in _real(article, extra_rules)]


_b.propose_article = _fake


def q08_2(text, previous):
    return None
'''


def _digest(folder: Path, skip: str | None = None) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if skip and (rel == skip or rel.startswith(skip + "/")):
            continue
        digest.update(rel.encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _zip_folder(folder: Path, archive: Path, top: str) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            z.write(path, f"{top}/{path.relative_to(folder).as_posix()}")
    shutil.rmtree(folder)


def _build_class(kit: Path) -> dict:
    """Write SUBMISSIONS/ into the kit copy; returns what each learner is expected to score."""
    from reportkit.handin import write_bundle

    release = kit / "exercises"
    learner = ck.Learner(release, kit / "solutions", OWN)
    questions = {q["id"]: q["points"] for q in ck.questions_json(kit, OWN)}
    asked = learner.questions()
    half = set(asked[::2])
    every = sum(questions[q] for q in asked)
    subs = kit / "SUBMISSIONS"
    expect: dict[str, float] = {}

    learner.write(subs / "perfect")
    expect["perfect"] = every
    learner.write(subs / "blank", pick=lambda q: False, tags=False)
    expect["blank"] = 0
    learner.write(subs / "half", pick=lambda q: q in half, tags=False)
    expect["half"] = sum(questions[q] for q in half)
    renames = {"02-direct-quotes.ipynb": "02-Direct-Quotes.ipynb",
               "03-reported-claims.ipynb": "03-reported-claims (1).ipynb"}
    learner.write(subs / "renamed", rename=lambda n: renames.get(n, n))
    expect["renamed"] = every
    learner.write(subs / "zipped")
    _zip_folder(subs / "zipped", subs / "zipped.zip", "My work/exercises")
    expect["zipped"] = every
    copied = learner.write(subs / "copied")
    for path in copied.glob("*.ipynb"):
        nbformat.write(ck.fresh_copy(nbformat.read(path, as_version=4)), path)
    expect["copied"] = every
    bundled = learner.write(subs / "bundled" / "work")
    for path in bundled.glob("*.ipynb"):
        write_bundle(path)
    for path in bundled.glob("*.handin.zip"):
        path.rename(subs / "bundled" / path.name)
    shutil.rmtree(bundled)
    expect["bundled"] = every
    learner.write(subs / "twice", names=["02-direct-quotes.ipynb"], pick=lambda q: False)
    learner.write(subs / "twice" / "final", names=["02-direct-quotes.ipynb"])
    expect["twice"] = sum(questions[q] for q in learner.notebook_questions("02-direct-quotes.ipynb"))
    learner.write(subs / ZOE_NFC)
    expect[ZOE_NFC] = every
    learner.write(subs / ZOE_NFD, names=["02-direct-quotes.ipynb"], pick=lambda q: False)
    expect[unicodedata.normalize("NFC", ZOE_NFD)] = 0
    learner.write(subs / "=2+3", names=["02-direct-quotes.ipynb"])
    expect["=2+3"] = sum(questions[q] for q in learner.notebook_questions("02-direct-quotes.ipynb"))
    learner.write(subs / ".dotted", names=["05-numbers-and-hedges.ipynb"])
    expect[".dotted"] = sum(questions[q] for q in learner.notebook_questions("05-numbers-and-hedges.ipynb"))
    learner.write(subs / "hunter", names=["02-direct-quotes.ipynb"], pick=lambda q: False, override={"q02_5": HUNTER})
    expect["hunter"] = 0
    learner.write(subs / "survivor", names=["02-direct-quotes.ipynb", "06-tag-the-article.ipynb"],
                  extra={"02-direct-quotes.ipynb": SURVIVOR})
    expect["survivor"] = sum(questions[q] for n in ("02-direct-quotes.ipynb", "06-tag-the-article.ipynb")
                             for q in learner.notebook_questions(n))
    learner.write(subs / "patcher", names=["08-machine-baseline.ipynb"], override={"q08_2": PATCHER})
    in_08 = learner.notebook_questions("08-machine-baseline.ipynb")
    expect["patcher"] = sum(questions[q] for q in in_08) - questions["q08_2"]  # the rule changes nothing
    return {"expect": expect, "every": every, "questions": questions, "asked": asked}


@pytest.fixture(scope="session")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("rehearsal")
    kit = copy_kit(root / "kit")
    built = _build_class(kit)
    before = {"kit": _digest(kit, skip="REPORT"), "subs": _digest(kit / "SUBMISSIONS")}
    tmp_before = {p.name for p in Path("/tmp").iterdir()}
    # The README's command, as typed, from the kit folder (relative SUBMISSIONS and --out); one job
    # inside a test worker (DECISIONS §7).
    done = subprocess.run([sys.executable, "-m", "reportkit", "grade", "SUBMISSIONS", "--out", "REPORT",
                           "--jobs", "1", "--quiet"], cwd=kit, capture_output=True, text=True, timeout=1500)
    import time

    time.sleep(3)  # a survivor outside the sandbox would write within 0.5 s
    rows = {r["learner"]: r for r in csv.DictReader((kit / "REPORT" / "gradebook.csv").open(encoding="utf-8"))}
    results = {r["learner"]: r for r in json.loads((kit / "REPORT" / "results.json").read_text())["learners"]}
    return {**built, "kit": kit, "done": done, "rows": rows, "results": results, "before": before,
            "tmp_before": tmp_before}


def test_the_command_succeeds(rehearsal):
    assert rehearsal["done"].returncode == 0, rehearsal["done"].stderr[-3000:]
    assert "graded 15 learner(s)" in rehearsal["done"].stdout


def test_every_learner_gets_the_exact_total(rehearsal):
    got = {rehearsal["results"][k]["learner"]: rehearsal["results"][k]["total"] for k in rehearsal["results"]}
    assert got == pytest.approx(rehearsal["expect"])


def test_max_total_comes_from_questions_json(rehearsal):
    for row in rehearsal["results"].values():
        assert row["max_total"] == rehearsal["every"]
    assert rehearsal["every"] == sum(rehearsal["questions"].values())


def test_the_perfect_hand_in_gets_every_point_unflagged(rehearsal):
    perfect = rehearsal["results"]["perfect"]
    assert perfect["status"] == "ok" and perfect["flags"] == [] and perfect["notes"] == []
    assert all(q["passed"] for q in perfect["questions"])


@pytest.mark.parametrize("learner", ["renamed", "zipped", "copied", "bundled", "twice"])
def test_honest_accidents_are_not_penalised(rehearsal, learner):
    result = rehearsal["results"][learner]
    assert result["status"] in ("ok", "incomplete"), result
    assert not [f for f in result["flags"] if f["code"] in ("machinery-redefined", "check-edited", "locked-edited",
                                                            "answer-cell-missing", "record-missing")], result["flags"]


def test_renamed_files_are_noted(rehearsal):
    codes = [f["code"] for f in rehearsal["results"]["renamed"]["flags"]]
    assert codes.count("renamed") == 2


def test_the_final_copy_wins_over_an_old_blank_one(rehearsal):
    [flag] = [f for f in rehearsal["results"]["twice"]["flags"] if f["code"] == "duplicate-notebook"]
    assert "graded final/02-direct-quotes.ipynb" in flag["detail"]


def test_unicode_ids_stay_distinct(rehearsal):
    kit = rehearsal["kit"]
    other = unicodedata.normalize("NFC", ZOE_NFD)
    assert rehearsal["results"][ZOE_NFC]["total"] != rehearsal["results"][other]["total"]
    feedback = sorted(p.name for p in (kit / "REPORT" / "feedback").iterdir())
    assert len(feedback) == len(rehearsal["expect"])


def test_formula_ids_are_escaped_in_the_csv(rehearsal):
    text = (rehearsal["kit"] / "REPORT" / "gradebook.csv").read_text("utf-8")
    assert "\n'=2+3," in text and "\n=2+3," not in text


def test_the_key_hunter_finds_nothing_and_gains_nothing(rehearsal):
    hunter = rehearsal["results"]["hunter"]
    [q02_5] = [q for q in hunter["questions"] if q["question"] == "q02_5"]
    assert q02_5["answer"] in ("", None), f"learner code found the key: {q02_5['answer']}"
    assert hunter["total"] == rehearsal["expect"]["hunter"]


def test_the_baseline_patcher_gains_nothing_and_is_flagged(rehearsal):
    patcher = rehearsal["results"]["patcher"]
    [q08_2] = [q for q in patcher["questions"] if q["question"] == "q08_2"]
    assert q08_2["points"] == 0
    assert patcher["status"] == "flagged"
    assert any(f["code"] == "machinery-redefined" and "propose_article" in f["detail"] for f in patcher["flags"])


def test_no_hostile_learner_scores_above_its_honest_answers(rehearsal):
    for learner in ("hunter", "survivor", "patcher"):
        assert rehearsal["results"][learner]["total"] <= rehearsal["expect"][learner]


def test_nothing_outside_report_changed(rehearsal):
    kit = rehearsal["kit"]
    assert _digest(kit, skip="REPORT") == rehearsal["before"]["kit"]
    assert _digest(kit / "SUBMISSIONS") == rehearsal["before"]["subs"]
    written = [p for p in kit.rglob(f"{MARK}*")] + [p for p in Path("/tmp").glob(f"{MARK}*")]
    assert written == []
    assert not [p for p in (kit / "REPORT").iterdir() if p.name.startswith(".scratch-")]


def test_no_learner_process_is_left(rehearsal):
    left = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if MARK.encode() in (entry / "cmdline").read_bytes():
                    left.append(entry.name)
            except OSError:
                continue
    assert left == []


def test_the_report_is_short_and_plain(rehearsal):
    rows = rehearsal["rows"]
    assert all(len(r["message"]) <= 300 and "\x1b" not in r["message"] for r in rows.values())
    report = (rehearsal["kit"] / "REPORT" / "report.md").read_text("utf-8")
    assert "| patcher | flagged |" in report
    from PIL import Image

    for figure in (rehearsal["kit"] / "REPORT" / "figures").glob("*.png"):
        assert Image.open(figure).size[0] <= 1600, figure.name


def test_learner_feedback_leaves_out_instructor_only_flags(rehearsal):
    from reportkit.grading.model import file_stem

    learner = (rehearsal["kit"] / "REPORT" / "feedback" / f"{file_stem('patcher')}.md").read_text("utf-8")
    instructor = (rehearsal["kit"] / "REPORT" / "feedback-instructor" / f"{file_stem('patcher')}.md").read_text()
    assert "machinery-redefined" in instructor and "machinery-redefined" not in learner
