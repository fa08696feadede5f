"""The grader: zip safety, cell restoration, answer inspection, tagging answers, the report,
and whole-class runs (the tiny exercise through the command line; the real exercises)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import grading_kit as gk  # noqa: E402

from reportkit import grading  # noqa: E402
from reportkit.grading import LearnerResult, Status, inspect_answer, load_release, rebuild  # noqa: E402
from reportkit.grading.model import file_stem  # noqa: E402
from reportkit.grading.releases import article_and_questions  # noqa: E402
from reportkit.grading.scoring import REVEAL_ATTEMPT, score_rule  # noqa: E402
from reportkit.grading.tagging import tagging_answers  # noqa: E402
from reportkit.ziputil import Limits, UnsafeArchive, safe_extract  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gk.build_kit(tmp_path_factory.mktemp("grading") / "kit")


# ------------------------------------------------------------------ zips


def test_safe_extract_plain_zip(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("sub/01-tiny.ipynb", "{}")
        z.writestr("sub/", "")
        z.writestr("notes.txt", "hello")
    files = safe_extract(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in files) == ["notes.txt", "sub/01-tiny.ipynb"]


@pytest.mark.parametrize("name", ["../x", "a/../../x", "/etc/x", "C:/x", "..\\x"])
def test_safe_extract_rejects_escaping_paths(tmp_path, name):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(name, "x")
    with pytest.raises(UnsafeArchive):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # checked before anything was written


def test_safe_extract_limits_count_and_size(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(5):
            z.writestr(f"f{i}", bytes(1000))
    with pytest.raises(UnsafeArchive, match="5 entries"):
        safe_extract(archive, tmp_path / "o1", Limits(max_entries=4))
    with pytest.raises(UnsafeArchive, match="zip bomb"):
        safe_extract(archive, tmp_path / "o2", Limits(max_total_bytes=3000))


def test_zip_bomb_builder_makes_a_valid_stream(tmp_path):
    import zlib

    bomb = gk.zip_bomb(tmp_path / "b.zip", gib=1)
    with zipfile.ZipFile(bomb) as z:
        info = z.infolist()[0]
        assert info.file_size == 2**30 and info.compress_size < 2 * 2**20
        with z.open(info) as source:  # the first megabytes decompress to zeros
            assert source.read(3 * 2**20) == bytes(3 * 2**20)
    assert zlib.crc32(b"") == 0


# ------------------------------------------------------------------ inspection


@pytest.mark.parametrize("source, expected", [
    ("check = lambda *a: None", "assigns `check`"),
    ("def check(q, a):\n    return None", "defines `check`"),
    ("import reportkit.checks\nreportkit.checks.score = print", "changes `reportkit.checks.score`"),
    ("Checker.__call__ = lambda *a: None", "changes `Checker.__call__`"),
    ("import builtins\nbuiltins.print = None", "imports `builtins`"),
    ("globals()['check'] = None", "calls `globals()`"),
    ("setattr(check, 'questions', {})", "calls `setattr` on `check`"),
    ("from os import path as check", "imports something as `check`"),
    ("get_ipython().events.register('pre_run_cell', f)", "uses `get_ipython().events`"),
    ("import sys\nsys.modules['reportkit.checks'].score = None", "uses `sys.modules`"),
    ("__builtins__.print = None", "uses `__builtins__`"),
    ("check.__call__.__globals__['score'] = None", "uses `.__globals__`"),
])
def test_inspection_flags_machinery(source, expected):
    found = inspect_answer(source, {"Checker", "load_article", "lesson"})
    assert any(expected in f for f in found), found


@pytest.mark.parametrize("source", [
    'q02_1 = ["s03", "s04"]',
    "q05_1 = 12_000",
    "%matplotlib inline\nq02_2 = 'quote'",
    "!ls\nq02_2 = 'quote'",
    "ids = [s.id for s in article.sentences if 'said' in s.text]\nq02_1 = ids",
    "from reportkit import lesson\nlesson.show(article, 's03')",
    "print(check)\nq = len(check.questions)",
    "this is not python (",
])
def test_inspection_leaves_ordinary_answers_alone(source):
    assert inspect_answer(source, {"Checker", "lesson"}) == []


# ------------------------------------------------------------------ rebuild


def _learner_nb(kit: Path, edit=None):
    nb = nbformat.read(kit / "exercises" / gk.NOTEBOOK, as_version=4)
    if edit:
        edit(nb)
    return nb


def _rebuilt(kit: Path, edit=None):
    result = LearnerResult("x")
    released = load_release(kit / "exercises")[0]
    nb = rebuild(released, _learner_nb(kit, edit), result)
    return nb, result


def test_rebuild_puts_check_cells_back_and_records_answers(kit):
    def swap(nb):  # the check moved above its answer, and its text edited
        i = next(i for i, c in enumerate(nb.cells) if c.get("id") == "q01_1-check")
        nb.cells[i].source = "check('q01_1', ['s02', 's03'])"
        nb.cells.insert(i - 1, nb.cells.pop(i))

    nb, result = _rebuilt(kit, swap)
    codes = {f.code.code for f in result.flags}
    assert "check-edited" in codes
    ids = [c.get("id") for c in nb.cells]
    assert ids.index("q01_1-answer") < ids.index("q01_1-check")
    check = next(c for c in nb.cells if c.get("id") == "q01_1-check")
    assert check.source == "_rk_record('q01_1', lambda: (q01_1))"
    assert nb.cells[0].get("id") == "reportkit-grader-recorder"


def test_rebuild_flags_a_moved_check(kit):
    def move(nb):
        i = next(i for i, c in enumerate(nb.cells) if c.get("id") == "q01_1-check")
        nb.cells.append(nb.cells.pop(i))

    _, result = _rebuilt(kit, move)
    assert [f.code.code for f in result.flags] == ["check-moved"]


def test_rebuild_matches_cells_by_metadata_when_ids_changed(kit):
    def new_ids(nb):  # copy-pasted into a new notebook: new ids, same metadata
        for n, cell in enumerate(nb.cells):
            cell["id"] = f"new-{n}"
        next(c for c in nb.cells if c.metadata["reportkit"].get("question") == "q01_2"
             and c.metadata["reportkit"]["role"] == "answer").source = 'q01_2 = "quote"'

    nb, result = _rebuilt(kit, new_ids)
    assert result.flags == []
    assert 'q01_2 = "quote"' in [c.source for c in nb.cells]


def test_rebuild_keeps_learner_helper_cells_after_their_neighbour(kit):
    def helper(nb):
        i = next(i for i, c in enumerate(nb.cells) if c.get("id") == "q01_1-answer")
        cell = nbformat.v4.new_code_cell("quotes = ['s02', 's03']")
        nb.cells.insert(i, cell)
        nb.cells[i + 1].source = "q01_1 = quotes"

    nb, result = _rebuilt(kit, helper)
    sources = [c.source for c in nb.cells]
    assert sources.index("quotes = ['s02', 's03']") < sources.index("q01_1 = quotes")
    assert result.flags == []


# ------------------------------------------------------------------ tagging answers


@pytest.mark.parametrize("newer_in", ["notebook", "file"])
def test_tagging_answers_grade_the_newer_copy(kit, tmp_path, newer_in):
    """Of the notebook's copy and the answers file, the one saved later (recorded inside, never the
    file's time) is graded; the other is a note, not a cheat."""
    article, _ = article_and_questions(str(kit), gk.ARTICLE_ID)
    early, late = "2026-12-01T09:00:00+00:00", "2026-12-01T09:05:00+00:00"
    in_file = gk.answers_doc(kit, gk.WRONG_LABELS, updated=late if newer_in == "file" else early)
    folder = gk.handin(kit, tmp_path / "a", labels=gk.RIGHT_LABELS, answers_file=in_file,
                       edit=lambda nb: _stamp_notebook_copy(nb, early if newer_in == "file" else late))
    nb = nbformat.read(folder / gk.NOTEBOOK, as_version=4)
    result = LearnerResult("a")
    labels, chosen = tagging_answers(nb, folder, gk.EXERCISE, article, gk.NOTEBOOK, result)
    assert labels == (gk.WRONG_LABELS if newer_in == "file" else gk.RIGHT_LABELS) and chosen is not None
    assert [f.code.code for f in result.flags] == ["answers-older-copy"]
    assert result.settle() is None and result.status is Status.OK


def _stamp_notebook_copy(nb, when: str) -> None:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if gk.ANSWERS_MIME in output.get("data", {}):
                output["data"][gk.ANSWERS_MIME]["updated"] = when


def test_tagging_answers_fall_back_to_the_file_and_check_the_seed(kit, tmp_path):
    article, _ = article_and_questions(str(kit), gk.ARTICLE_ID)
    folder = gk.handin(kit, tmp_path / "b", labels=gk.WRONG_LABELS, in_notebook=False)
    nb = nbformat.read(folder / gk.NOTEBOOK, as_version=4)
    labels, _ = tagging_answers(nb, folder, gk.EXERCISE, article, gk.NOTEBOOK, LearnerResult("b"))
    assert labels == gk.WRONG_LABELS
    stale = gk.answers_doc(kit, gk.RIGHT_LABELS, seed_sha256="0" * 64)
    folder = gk.handin(kit, tmp_path / "c", labels=gk.RIGHT_LABELS, in_notebook=False, answers_file=stale)
    result = LearnerResult("c")
    labels, _ = tagging_answers(nbformat.read(folder / gk.NOTEBOOK, as_version=4), folder,
                                        gk.EXERCISE, article, gk.NOTEBOOK, result)
    assert labels is None and [f.code.code for f in result.flags] == ["answers-file-foreign"]


# ------------------------------------------------------------------ report pieces


def test_confusion_and_mislabeled(kit):
    from reportkit.grading.report import UNTAGGED, confusion, mislabeled

    article, _ = article_and_questions(str(kit), gk.ARTICLE_ID)
    answers = [gk.RIGHT_LABELS, gk.WRONG_LABELS, {**gk.WRONG_LABELS, "s04": "reported"}]
    rows, cols, matrix = confusion(answers, article)
    assert matrix[rows.index("reported")][cols.index("quote")] == 2  # s01 taken for a quote twice
    assert matrix[rows.index("narration")][cols.index(UNTAGGED)] == 2  # s05 left untagged
    worst = mislabeled(answers, article)
    assert worst[0]["sentence"] == "s01" and worst[0]["taken_for"] == {"quote": 2}
    # s04 "reported" is an accepted alternative: not a mislabel
    s04 = next(w for w in worst if w["sentence"] == "s04")
    assert s04["taken_for"] == {"narration": 1}


def test_release_of_the_real_exercises_parses():
    assert any((REPO / "exercises").glob("*.ipynb")), "exercises/ is empty: run python -m reportkit exercises"
    released = load_release(REPO / "exercises")
    names = [r.name for r in released]
    assert "06-tag-the-article.ipynb" in names
    from reportkit.article import load_article
    from reportkit.checks import load_questions

    questions = load_questions(load_article(released[0].article, REPO))
    for rel in released:
        assert rel.questions and set(rel.questions) <= set(questions), rel.name
        for q in rel.questions:
            assert rel.answer_exprs[q] in (q, "tagger")
    tagging = next(r for r in released if r.name.startswith("06"))
    assert tagging.tagger_exercise == "tag-all"


# ------------------------------------------------------------------ whole classes


@pytest.mark.slow
def test_command_line_grades_a_class(kit, tmp_path):
    subs = tmp_path / "submissions"
    gk.handin(kit, subs / "ada", gk.RIGHT_SOURCES, labels=gk.RIGHT_LABELS)
    gk.handin(kit, subs / "bo", gk.WRONG_SOURCES, labels=gk.WRONG_LABELS)
    partial = gk.handin(kit, tmp_path / "cy", {"q01_1": 'q01_1 = {"s02"}', "q01_3": "q01_3 = 2022.0"},
                        labels={"s01": "reported", "s02": "quote"})
    gk.zip_folder(partial, subs / "cy.zip")
    out = tmp_path / "report"
    proc = subprocess.run([sys.executable, "-m", "reportkit", "grade", str(subs), "--out", str(out),
                           "--jobs", "2", "--timeout", "20", "--kit", str(kit)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "graded 3 learner(s)" in proc.stdout
    assert "grading" in proc.stderr  # the tqdm progress bar
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {r["learner"]: r for r in csv.DictReader(handle)}
    assert rows["ada"]["total"] == "9" and rows["ada"]["status"] == "ok"
    assert rows["bo"]["total"] == "1"
    # partial credit from the check's count: 1 of 2 ids, 2 of 5 tags
    assert rows["cy"]["q01_1"] == "1" and rows["cy"]["q01_3"] == "1" and rows["cy"]["q01_4"] == "2"
    feedback = (out / "feedback" / f"{file_stem('bo')}.md").read_text()
    assert "q01_2: 0 / 1 points" in feedback and "Rule A1" in feedback
    report = (out / "report.md").read_text()
    for figure in ("success.png", "confusion.png", "mislabeled.png"):
        assert f"figures/{figure}" in report and (out / "figures" / figure).stat().st_size > 1000
    assert "| s01 | reported | 1 of 3 | quote ×1 |" in report
    results = json.loads((out / "results.json").read_text())
    assert {r["learner"] for r in results["learners"]} == {"ada", "bo", "cy"}


@pytest.mark.slow
def test_real_exercises_graded_from_the_solutions(tmp_path):
    """The real 02 and 06 exercises: a learner who hands in the solutions gets full points on 02,
    and the tagging answers saved beside 06 are scored."""
    needed = [REPO / "exercises" / "02-direct-quotes.ipynb", REPO / "exercises" / "06-tag-the-article.ipynb"]
    # The kit ships these; a missing one is a failure, never a skip.
    assert all(p.exists() for p in needed) and (REPO / "solutions" / "02-direct-quotes.ipynb").exists()
    release = tmp_path / "release"
    release.mkdir()
    for path in needed:
        shutil.copy(path, release)
    learner = tmp_path / "submissions" / "sol"
    learner.mkdir(parents=True)
    shutil.copy(REPO / "solutions" / "02-direct-quotes.ipynb", learner)
    shutil.copy(REPO / "exercises" / "06-tag-the-article.ipynb", learner)
    answers = REPO / "solutions" / "tag-all.answers.json"
    if answers.exists():
        shutil.copy(answers, learner)
    from reportkit.grading.runner import RunLimits

    results = grading.grade_class(tmp_path / "submissions", tmp_path / "report", jobs=1, limits=RunLimits(60),
                                  releases=[release], kit=REPO, progress=False)
    [result] = results
    assert result.status is Status.OK, (result.notes, result.flags)
    q02 = [q for q in result.questions if q.notebook.startswith("02")]
    assert q02 and all(q.points == q.max_points for q in q02), [(q.question, q.message) for q in q02]
    [tagging] = [q for q in result.questions if q.notebook.startswith("06")]
    assert (tagging.answer is not None) == answers.exists()


# ------------------------------------------------------------------ lesson 08: a rule is recorded, then scored here

EXERCISE_08 = "08-machine-baseline.ipynb"
CAUSES_08 = ('q08_1 = {"s15": "teaser", "s23": "earlier-sentence", "s24": "earlier-sentence", '
             '"s25": "earlier-sentence"}')
RULES_08 = {
    # the solution's idea, written by a learner: a pronoun or surname speaking again after analysis
    "right": '''import re

AGAIN = re.compile(r"(?:^|, )(?:he|she|[A-Z][a-z]+) (?:also )?[a-z]+ed\\b")


def q08_2(text, previous):
    """After an observer's view carried by a cue, the observer speaking again is analysis."""
    if previous is not None and previous.label == "analysis" and previous.cue:
        if baseline.find_cue(text) and AGAIN.search(text):
            return "analysis"
    return None''',
    "blank": "q08_2 = ...",
    # the lesson's greedy first try: fixes s23-s25, breaks s10, s16, s17, s26 …
    "greedy": '''def q08_2(text, previous):
    if previous is not None and previous.label == "analysis":
        return "analysis"
    return None''',
    # fixes s23-s25 and breaks nothing, but by naming the units: it must generalise
    "lookup": '''WHERE = ["s23", "s24", "s25"]


def q08_2(text, previous):
    return "analysis" if previous is not None and previous.id in ("s22", "s23", "s24") else None''',
    "raises": '''def q08_2(text, previous):
    return "analysis" if previous.label == "analysis" else None''',
}


def _handin_08(folder: Path, q08_2: str, q08_1: str = CAUSES_08) -> Path:
    nb = nbformat.read(REPO / "exercises" / EXERCISE_08, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("reportkit", {})
        if meta.get("role") == "answer":
            cell.source = {"q08_1": q08_1, "q08_2": q08_2}[meta["question"]]
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / EXERCISE_08)
    return folder


@pytest.mark.slow
def test_rule_answers_of_exercise_08_are_recorded_in_the_kernel_and_scored_with_the_key(tmp_path):
    """q08_2's answer is a function: the recorder runs the baseline with it in the learner's
    (keyless) kernel and keeps the labels and the rule's source; the grader scores them here."""
    release = tmp_path / "release"
    release.mkdir()
    shutil.copy(REPO / "exercises" / EXERCISE_08, release)
    subs = tmp_path / "submissions"
    for learner, source in RULES_08.items():
        _handin_08(subs / learner, source, CAUSES_08 if learner != "blank" else "q08_1 = ...")
    out = tmp_path / "report"
    proc = subprocess.run([sys.executable, "-m", "reportkit", "grade", str(subs), "--out", str(out), "--jobs", "2",
                           "--timeout", "60", "--kit", str(REPO), "--release", str(release), "--quiet"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "gradebook.csv", newline="") as handle:
        rows = {r["learner"]: r for r in csv.DictReader(handle)}
    points = {learner: (float(row["q08_1"]), float(row["q08_2"])) for learner, row in rows.items()}
    assert points == {"right": (2, 3), "blank": (0, 0), "greedy": (2, 0), "lookup": (2, 0), "raises": (2, 0)}
    assert all(float(row["max_total"]) == 5 for row in rows.values())
    results = {r["learner"]: r for r in json.loads((out / "results.json").read_text())["learners"]}
    q08_2 = {learner: next(q for q in r["questions"] if q["question"] == "q08_2") for learner, r in results.items()}
    for learner, r in results.items():
        # the locked cells (the misses table, the menu) ran in the keyless kernel without an error
        assert not [f for f in r["flags"] if f["code"] == "cell-error"], (learner, r["flags"])
    assert results["right"]["status"] == "ok" and results["right"]["flags"] == []
    assert "fixes 3 of the baseline's 4 misses and breaks 0" in q08_2["right"]["message"]
    assert "AGAIN = re.compile" not in q08_2["right"]["answer"]["source"]  # the function's own source
    assert q08_2["right"]["answer"]["source"].startswith("def q08_2(text, previous):")
    assert "not answered yet" in q08_2["blank"]["message"]
    assert "Broken s10: the baseline had it right" in q08_2["greedy"]["message"]
    assert "One rule that works" in q08_2["greedy"]["message"]  # feedback as specific as the check gets
    assert "must generalise" in q08_2["lookup"]["message"]
    assert "it reads a unit's `.id`" in q08_2["lookup"]["message"]
    assert "it names sentence s22" in q08_2["lookup"]["message"]
    assert "raised AttributeError" in q08_2["raises"]["message"] and "on s01" in q08_2["raises"]["message"]
    assert "A rule must run on every unit" in q08_2["raises"]["message"]
    assert results["raises"]["status"] == "ok"
    assert [f["code"] for f in results["raises"]["flags"]] == ["rule-error"]
    feedback = (out / "feedback" / f"{file_stem('raises')}.md").read_text()
    assert "q08_2: 0 / 3 points" in feedback and "raised AttributeError" in feedback


# A record as the kernel writes it (reportkit.checks.record_rule), for the tampering tests below.

def _record(article, rule):
    from reportkit.checks import record_rule

    return json.loads(json.dumps(record_rule(rule, article)))


_AGAIN = re.compile(r"(?:^|, )(?:he|she|[A-Z][a-z]+) (?:also )?[a-z]+ed\b")


def _observer_rule(text, previous):
    from reportkit.baseline import find_cue

    if previous is not None and previous.label == "analysis" and previous.cue:
        return "analysis" if find_cue(text) and _AGAIN.search(text) else None
    return None


@pytest.fixture(scope="module")
def real():
    return article_and_questions(str(REPO), "kyivpost-2024-12-zelensky-kyodo")


def _score_record(real, record):
    article, questions = real
    result = LearnerResult("x")
    graded = score_rule(questions["q08_2"], record, article, EXERCISE_08, result)
    return graded, result


def test_a_recorded_rule_scores_as_the_live_rule_does(real):
    from reportkit.checks import score

    article, questions = real
    graded, result = _score_record(real, _record(article, _observer_rule))
    live = score(questions["q08_2"], _observer_rule, article, REVEAL_ATTEMPT)
    assert (graded.points, graded.message) == (live.points, live.message) and live.points > 0
    assert result.flags == []


def test_a_tampered_rule_record_cannot_raise_the_score(real):
    article, _ = real
    record = _record(article, lambda text, previous: None)  # changes nothing: 0 points
    fixed = {"s15": "furniture", "s23": "analysis", "s24": "analysis", "s25": "analysis"}
    # labels for ids the article does not have are ignored
    graded, _ = _score_record(real, {**record, "labels": {**record["labels"], "s99": "analysis", "x": "quote"}})
    assert graded.points == 0 and "changed no label" in graded.message
    # a record that leaves out the units the rule broke is not scored
    broken = _record(article, lambda text, previous: "analysis" if previous and previous.label == "analysis" else None)
    partial = {sid: label for sid, label in broken["labels"].items() if sid in fixed or label == "reported"}
    graded, _ = _score_record(real, {**broken, "labels": partial})
    assert graded.points == 0 and "cannot be scored" in graded.message
    # labels that are not labels, and records that are not records
    graded, _ = _score_record(real, {**record, "labels": {**record["labels"], **dict.fromkeys(fixed, "Analysis")}})
    assert graded.points == 0 and "cannot be scored" in graded.message
    graded, _ = _score_record(real, None)  # the grader's own run of the rule did not finish
    assert graded.points == 0 and "could not run your rule again" in graded.message
    for bad in ({**record, "labels": [1, 2]}, {**record, "signature_ok": "yes"}, "q08_2",
                {**record, "strings": [1]}, {k: v for k, v in record.items() if k != "labels"}):
        graded, _ = _score_record(real, bad)
        assert graded.points == 0 and "could not be read" in graded.message, bad
    # evidence cannot be erased by the record alone: the source is parsed again here
    lookup = _record(article, lambda text, previous: "analysis" if text.startswith("Stoltenberg") else None)
    graded, _ = _score_record(real, {**lookup, "strings": [], "reads": []})
    assert graded.points == 0 and "it names Stoltenberg" in graded.message


def test_a_rule_that_raised_is_scored_zero_with_its_error_and_flagged(real):
    article, _ = real
    graded, result = _score_record(real, _record(article, lambda text, previous: previous.label))
    assert graded.points == 0 and "raised AttributeError" in graded.message and "on s01" in graded.message
    assert [f.code.code for f in result.flags] == ["rule-error"]
