"""The sequence runs on any article: a second, fictional article goes new → review → validate →
release → lessons 00, 06 and 08 → the tagging exercise → the grader, with nothing changed but data.

The fast tests build the kit in-process; the slow one types the instructor's commands (as the
README's "Bring your own article" section gives them) and runs the notebooks under nbval.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest
from kits import FIXTURE_REVIEW, OWN, codebook_kit, copy_kit, figure_commands, review_fixture_figures

from reportkit.answers import AnswersFile
from reportkit.article import load_article
from reportkit.authoring import new_article, review_entry
from reportkit.release import notebook_article, plan_release, release
from reportkit.tagger import Tagger

KIT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "harbour-bridge.txt"
ARTICLE = "gazette-harbour-bridge"
OUTLET = "Harbour Gazette"
# Warnings are errors (relaxed only by `./kit lower-bounds`, see tests/test_notebooks.py).
WARNINGS_AS_ERRORS = f"import warnings\nwarnings.simplefilter({os.environ.get('REPORTKIT_TEST_WARNINGS', 'error')!r})"
# The key a careful instructor settles on (as in tests/test_authoring.py), with a rationale each.
REVIEWED = FIXTURE_REVIEW  # label, rules, rationale per unit (tests/kits.py)
RIGHT = {sid: label for sid, (label, _, _) in REVIEWED.items()}
# Six of eleven right: partial credit 10 × 6/11.
PARTIAL = {**RIGHT, "s02": "reported", "s05": "quote", "s06": "narration", "s07": "reported", "s09": "analysis"}
SOLUTION_LINE = f"tagger.answers = {RIGHT!r}"


def _review_all(kit: Path) -> None:
    for sid, (label, rules, rationale) in REVIEWED.items():
        review_entry(ARTICLE, sid, label=label, rules=rules, rationale=rationale, root=kit)
    review_fixture_figures(kit, ARTICLE)


def _review_in_author_mode(kit: Path, notebook_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The instructor's review in the widget: the first two sentences as the browser sends them
    (select, relabel, change back, Enter with the suggested fields), the rest through ``confirm``."""
    notebook_folder.mkdir()
    monkeypatch.setenv("REPORTKIT_HOME", str(kit))
    monkeypatch.chdir(notebook_folder)
    tagger = Tagger(ARTICLE, author=True)
    assert tagger.progress == f"0 of {len(REVIEWED)} reviewed"
    for sid in ("s01", "s02"):
        tagger.set_state({"selected": sid})
        tagger._on_msg(tagger, {"type": "set", "id": sid, "label": "narration"}, [])
        tagger._on_msg(tagger, {"type": "set", "id": sid, "label": REVIEWED[sid][0]}, [])
        label, rules, rationale = REVIEWED[sid]
        tagger._on_msg(tagger, {"type": "confirm", "id": sid, "advance": True,
                                "fields": {"label": label, "rules": rules, "rationale": rationale}}, [])
        assert tagger.selected == f"s0{int(sid[1:]) + 1}"  # Enter moves on to the next unreviewed
    for sid, (label, rules, rationale) in list(REVIEWED.items())[2:]:
        tagger.confirm(sid, label=label, rules=rules, rationale=rationale)
    assert tagger.progress == f"{len(REVIEWED)} of {len(REVIEWED)} reviewed", tagger.status
    assert not list(notebook_folder.glob("*.answers.json")), "author mode must not write learner answers"
    monkeypatch.undo()


@pytest.fixture(scope="module")
def reviewed_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kit = copy_kit(tmp_path_factory.mktemp("byo") / "kit")
    new_article(ARTICLE, FIXTURE, outlet=OUTLET, url="https://example.org/bridge", date="2025-03-14",
                title="Harbour Bridge closed to lorries", newsmaker="Anna Kovalenko", root=kit)
    _review_all(kit)
    return kit


# ------------------------------------------------------------------ fast: the release, in-process


def test_plan_keeps_what_works_for_the_article_and_says_why_the_rest_is_left_out(reviewed_kit):
    plan = plan_release(reviewed_kit, ARTICLE)
    assert [p.name[:2] for p in plan.lessons] == ["00", "01", "02", "03", "04", "05", "06", "07", "08"]
    assert [p.name for p in plan.exercises] == ["06-tag-the-article.ipynb"]  # no question generated yet
    assert plan.generated == []
    left = dict(plan.left_out)
    assert "upstream.json has no upstream sources" in left["notebooks/09-one-interview-many-reports.ipynb"]
    assert f"`python -m reportkit questions {ARTICLE}` makes them" in left["exercises/02-direct-quotes.ipynb"]
    assert "q08_1" in left["exercises/08-machine-baseline.ipynb"]  # written by hand, about the baseline's misses
    assert plan.retarget == ARTICLE
    # Without --article, or for the notebooks' own article, everything is released.
    assert len(plan_release(reviewed_kit).exercises) == len(list((reviewed_kit / "solutions").glob("*.ipynb")))
    assert plan_release(reviewed_kit, OWN).retarget is None


def test_the_plan_generates_the_exercises_once_the_questions_are_written(reviewed_kit, tmp_path):
    from reportkit.questiongen import write_questions

    kit = tmp_path / "kit"
    shutil.copytree(reviewed_kit, kit)
    write_questions(ARTICLE, root=kit)
    plan = plan_release(kit, ARTICLE)
    assert plan.generated == [f"{n}.ipynb" for n in ("00-start-here", "01-page-and-article", "02-direct-quotes",
                                                     "03-reported-claims", "04-analysis-and-voice",
                                                     "05-numbers-and-hedges", "07-the-article-as-a-whole")]
    assert plan.exercise_names == sorted([*plan.generated, "06-tag-the-article.ipynb"])
    transfer = plan_release(kit, ARTICLE, transfer=True)
    assert transfer.lessons == [] and transfer.exercise_names == plan.exercise_names


def test_released_notebooks_name_the_article_and_its_outlet(reviewed_kit, tmp_path):
    out = release(tmp_path / "bundle", root=reviewed_kit, article=ARTICLE)
    assert sorted(p.name for p in (out / "data").iterdir()) == ["codebook.json", ARTICLE]
    assert (out / "seeds" / f"{ARTICLE}.txt").read_bytes() == FIXTURE.read_bytes()
    for path in [*(out / "notebooks").glob("*.ipynb"), *(out / "exercises").glob("*.ipynb")]:
        nb = nbformat.read(path, as_version=4)
        assert notebook_article(nb) == ARTICLE and nb.metadata["reportkit"]["article"] == ARTICLE, path
        text = path.read_text("utf-8")
        assert "belongs to the Kyiv Post" not in text and f"belongs to its publisher, {OUTLET}" in text, path
        if path.parent.name == "notebooks":
            assert all(not c.get("outputs") for c in nb.cells), f"{path.name}: Kyiv Post outputs left in"
            assert nb.cells[1].id == "about-this-copy" and "Harbour Bridge closed to lorries" in nb.cells[1].source
    readme = (out / "README.md").read_text("utf-8")
    assert "Harbour Bridge closed to lorries* (Harbour Gazette, 2025-03-14)" in readme
    assert "Do the exercise notebook `exercises/06-tag-the-article.ipynb`." in readme
    assert OUTLET in readme and "Kyiv Post" not in readme
    index = (out / "notebooks" / "README.md").read_text("utf-8")
    assert "01-page" in index and "09-one" not in index and OUTLET in index


def test_graded_release_for_the_article_has_no_key(reviewed_kit, tmp_path):
    out = release(tmp_path / "graded", root=reviewed_kit, article=ARTICLE, graded=True)
    assert not (out / "notebooks").exists()
    assert not (out / "data" / ARTICLE / "key.json").exists()
    assert [p.name for p in (out / "exercises").glob("*.ipynb")] == ["06-tag-the-article.ipynb"]
    assert load_article(ARTICLE, out, require_key=False).key is None


def test_lesson_choices_come_from_the_key_when_the_article_names_none(reviewed_kit):
    from reportkit import lesson
    from reportkit.checks import Checker

    article = load_article(ARTICLE, reviewed_kit)
    assert lesson.examples(article) == ["s02", "s01", "s07", "s08", "s04"]  # one per label, codebook order
    traps = lesson.sample_mistakes(article)
    assert traps["s05"]["label"] == "quote" and "R2" in traps["s05"]["note"]  # quotation marks in a paraphrase
    reader = lesson.sample_reader(article)
    assert set(reader) == set(article.ids) and sum(reader[s] != RIGHT[s] for s in RIGHT) == len(traps)
    question, answer = lesson.sample_try(Checker(article))
    assert question == "q06_1" and answer["s02"] != "quote"  # the only question any article has: tagging


def test_lesson_08_on_an_article_the_baseline_gets_right(reviewed_kit):
    from reportkit import lesson, plots

    article = load_article(ARTICLE, reviewed_kit)
    machine = lesson.run_baseline(article)
    scores = lesson.score_baseline(article, machine)
    assert scores.accuracy == 1.0
    assert "11 of 11 units" in repr(lesson.scores_table(article, scores))
    assert "Every unit gets the key's label" in repr(lesson.misses_table(article, machine))
    assert "no miss to read" in repr(lesson.show_misses(article, machine))
    greedy = lesson.rule_effect(article, lambda text, previous: "analysis" if previous and previous.label == "analysis"
                                else None)
    # s08 to s11: after the analyst (s07) each relabelled unit is the next one's `previous`
    assert "Fixes 0 of the baseline's 0 misses; breaks 4 units" in repr(greedy)
    for chart in (plots.baseline_scores(article, scores), plots.confusion(article, {p.id: p.label for p in machine})):
        assert chart.alt


def test_handout_and_hints_name_the_articles_own_outlet(reviewed_kit):
    from reportkit.checks import Question, score
    from reportkit.handout import render

    article = load_article(ARTICLE, reviewed_kit)
    handout = render(article)
    assert "Kyiv Post" not in handout and f"→ {OUTLET}*" in handout
    chain = Question("qx", "chain", "Through whom?", 1, {"sentence": "s06"})
    assert f'like ["A", "B", "{OUTLET}"]' in score(chain, "Harbour Gazette", article).message


def test_show_and_validate_an_article_being_reviewed(tmp_path, monkeypatch, capsys):
    from reportkit.cli import main

    kit = codebook_kit(tmp_path / "kit")
    new_article(ARTICLE, FIXTURE, outlet=OUTLET, url="https://example.org/bridge", date="2025-03-14", root=kit)
    key_path = kit / "data" / ARTICLE / "key.json"
    key = json.loads(key_path.read_text("utf-8"))
    key["entries"][3].update(reviewed=True, rationale="An advertisement marker (F1).", rules=["F1"])
    key_path.write_text(json.dumps(key), "utf-8")
    monkeypatch.setenv("REPORTKIT_HOME", str(kit))

    assert main(["show", ARTICLE]) == 0
    shown = capsys.readouterr().out
    assert "[s04] Advertisement" in shown
    assert "10 key entries are not reviewed yet: s01, s02, s03, s05, s06, s07, s08, s09, s10, s11" in shown

    key["entries"][3].update(rules=[])  # s04 confirmed without a rule: a problem of its own
    key_path.write_text(json.dumps(key), "utf-8")
    assert main(["validate", ARTICLE]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"{ARTICLE}: INVALID"
    assert lines[1].startswith("  - 10 key entries are not reviewed yet: s01, s02, s03, s05, s06, s07, s08")
    assert f"  - data/{ARTICLE}/key.json: record 's04' (#4), field 'rules': no codebook rule cited" in lines
    assert not [line for line in lines if "field 'reviewed'" in line]


def test_the_kyiv_post_keeps_its_own_examples():
    from reportkit import lesson
    from reportkit.checks import Checker

    article = load_article(OWN, KIT)
    assert lesson.examples(article) == ["s03", "s05", "s22", "s18", "s08"]
    assert lesson.sample_try(Checker(article)) == ("q00_2", ["s02", "s03"])
    traps = {sid: label for sid, label in lesson.sample_reader(article).items() if label != article.key[sid].label}
    assert traps == {"s05": "quote", "s15": "analysis", "s16": "analysis", "s17": "analysis",
                     "s26": "narration", "s10": "analysis"}


def test_an_example_that_contradicts_the_key_is_refused(reviewed_kit, tmp_path):
    from reportkit.errors import DataError

    kit = tmp_path / "kit"
    shutil.copytree(reviewed_kit / "data", kit / "data")
    shutil.copytree(reviewed_kit / "seeds", kit / "seeds")
    meta_path = kit / "data" / ARTICLE / "article.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta_path.write_text(json.dumps({**meta, "examples": {"quote": "s01"}}), "utf-8")
    with pytest.raises(DataError, match="the key labels s01 'reported', not 'quote'"):
        load_article(ARTICLE, kit)


# ------------------------------------------------------------------ slow: as the instructor types it


def _env(kit: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["REPORTKIT_HOME"] = str(kit)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _answers(article_sha: str, labels: dict[str, str]) -> str:
    return json.dumps(AnswersFile(ARTICLE, article_sha, "tag-all", labels).to_dict())


def _nbval(args: list[str], cwd: Path, env: dict[str, str], junit: Path) -> tuple[int, str, dict]:
    """pytest --nbval(-lax) in a subprocess; returns (exit code, output, {(notebook, cell): passed})."""
    done = _run(["-m", "pytest", *args, "-p", "no:cacheprovider", "-q", f"--junitxml={junit}"], cwd, env)
    outcomes: dict[tuple[str, int], bool] = {}
    for case in ET.parse(junit).iter("testcase") if junit.exists() else ():
        notebook = re.search(r"([0-9][0-9]-[a-z0-9-]+)\.ipynb", case.get("classname", ""))
        number = re.match(r"Cell (\d+)", case.get("name", ""))
        if notebook and number:
            failed = case.find("failure") is not None or case.find("error") is not None
            outcomes[(f"{case.get('classname').split('.')[0]}/{notebook.group(1)}.ipynb", int(number.group(1)))] = \
                not failed
    return done.returncode, done.stdout[-6000:] + done.stderr[-2000:], outcomes


def _check_cells(path: Path) -> set[int]:
    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    return {i for i, c in enumerate(code) if c.metadata.get("reportkit", {}).get("role") == "check"}


def _with_warnings_as_errors(folder: Path) -> None:
    for path in folder.glob("[0-9][0-9]-*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_code_cell(WARNINGS_AS_ERRORS))
        nbformat.write(nb, path)


def _hand_ins(release_dir: Path, solutions: Path, subs: Path, sha: str) -> dict[str, float]:
    """Three learners' hand-ins of every exercise of ``release_dir``: ana answers all from the
    solutions, ben gets every other question wrong (a blank-proof wrong answer of the right form),
    cleo hands the exercises in untouched. Returns each learner's expected total."""
    from classroom_kit import learner_notebook, solution_answers

    from reportkit.checks import load_questions, score

    article = load_article(ARTICLE, solutions.parent)
    questions = load_questions(article)
    expected = {"ana": 0.0, "ben": 0.0, "cleo": 0.0}
    for learner in expected:
        (subs / learner).mkdir(parents=True)
    for path in sorted((release_dir / "exercises").glob("*.ipynb")):
        answers = solution_answers(solutions, path.name)
        wrong = {q: WRONG[questions[q].kind] for i, q in enumerate(sorted(answers)) if i % 2}
        typed = {**answers, **{q: f"{q} = {value!r}" for q, value in wrong.items()}}
        nbformat.write(learner_notebook(release_dir / "exercises", path.name, answers), subs / "ana" / path.name)
        nbformat.write(learner_notebook(release_dir / "exercises", path.name, typed), subs / "ben" / path.name)
        shutil.copy2(path, subs / "cleo" / path.name)
        expected["ana"] += sum(questions[q].points for q in answers)
        expected["ben"] += sum(questions[q].points if q not in wrong else
                               score(questions[q], wrong[q], article).points for q in answers)
    for learner, labels in (("ana", RIGHT), ("ben", PARTIAL)):
        (subs / learner / "tag-all.answers.json").write_text(_answers(sha, labels), "utf-8")
    expected["ana"] += 10
    expected["ben"] += 10 * 6 / 11
    return expected


# A wrong answer of the right form, by question kind (the grader must score it as the check does).
WRONG: dict[str, object] = {"ids": ["s01"], "label": "narration", "text": "Zzyzx", "chain": ["Nobody", "Nowhere"],
                            "number": 99}


@pytest.mark.slow
def test_new_article_from_text_to_gradebook(tmp_path, monkeypatch):
    """The instructor's whole path for this week's article, as the README writes it: new → review →
    validate → questions → release; every lesson and exercise passes nbval both ways (solutions strict,
    untouched exercises fail only at their check cells, lessons with warnings as errors); then a
    transfer final is graded for three learners."""
    kit = copy_kit(tmp_path / "kit")
    env = _env(kit)
    cli = ["-m", "reportkit"]

    made = _run([*cli, "new", ARTICLE, "--from", str(FIXTURE), "--outlet", OUTLET,
                 "--url", "https://example.org/bridge", "--date", "2025-03-14",
                 "--title", "Harbour Bridge closed to lorries", "--newsmaker", "Anna Kovalenko"], kit, env)
    assert made.returncode == 0, made.stderr
    assert _run([*cli, "validate", ARTICLE], kit, env).returncode == 1
    refused = _run([*cli, "release", "--article", ARTICLE, "--out", "../too-early"], kit, env)
    assert refused.returncode == 1 and "not ready to release" in refused.stderr
    assert not (tmp_path / "too-early").exists()

    _review_in_author_mode(kit, tmp_path / "instructor", monkeypatch)
    for command in figure_commands(ARTICLE):  # the figures ledger, as the README reviews it
        assert _run([*cli, *command], kit, env).returncode == 0
    valid = _run([*cli, "validate", ARTICLE], kit, env)
    assert valid.returncode == 0, valid.stderr
    asked = _run([*cli, "questions", ARTICLE], kit, env)
    assert asked.returncode == 0, asked.stderr
    assert "Wrote" in asked.stdout and "key answer:" in asked.stdout

    released = _run([*cli, "release", "--article", ARTICLE, "--out", "../learners", "--with-solutions"], kit, env)
    assert released.returncode == 0, released.stderr
    bundle = tmp_path / "learners"
    lessons = sorted(p.name[:2] for p in (bundle / "notebooks").glob("*.ipynb"))
    assert lessons == ["00", "01", "02", "03", "04", "05", "06", "07", "08"], released.stdout
    exercises = sorted(p.name[:2] for p in (bundle / "exercises").glob("*.ipynb"))
    assert exercises == ["00", "01", "02", "03", "04", "05", "06", "07"], released.stdout
    assert "09" in released.stdout.split("left out:")[1]  # upstream comparisons: none entered yet
    env_bundle = _env(bundle)

    # Solutions, strict: run once to store outputs, then nbval compares a fresh run with them.
    for path in (bundle / "solutions").glob("*.ipynb"):
        if path.name.startswith("06"):
            nb = nbformat.read(path, as_version=4)
            cell = next(c for c in nb.cells if c.metadata["reportkit"]["role"] == "tagger")
            cell.source += "\n" + SOLUTION_LINE
            nbformat.write(nb, path)
    executed = _run([*cli, "execute", "solutions/"], bundle, env_bundle)
    assert executed.returncode == 0, executed.stdout + executed.stderr
    shutil.copy2(KIT / "tests" / "nbval_sanitize.cfg", bundle / "sanitize.cfg")
    code, output, _ = _nbval(["--nbval", "--nbval-sanitize-with", "sanitize.cfg", "solutions/"], bundle,
                             env_bundle, tmp_path / "solutions.xml")
    assert code == 0, output

    # Lessons with warnings as errors, and the untouched exercises, which fail exactly at their checks.
    _with_warnings_as_errors(bundle / "notebooks")
    untouched = {(f"exercises/{p.name}", i) for p in (bundle / "exercises").glob("*.ipynb") for i in _check_cells(p)}
    code, output, outcomes = _nbval(["--nbval-lax", "notebooks/", "exercises/"], bundle, env_bundle,
                                    tmp_path / "lax.xml")
    failed = {key for key, passed in outcomes.items() if not passed}
    assert len(outcomes) > 60 and failed == untouched, output

    # A transfer final on this article, graded for three learners with the README's command.
    final = _run([*cli, "release", "--article", ARTICLE, "--out", "../final", "--transfer"], kit, env)
    assert final.returncode == 0, final.stderr
    assert not (tmp_path / "final" / "notebooks").exists()
    assert not (tmp_path / "final" / "data" / ARTICLE / "key.json").exists()
    sha = load_article(ARTICLE, kit).seed_sha256
    expected = _hand_ins(tmp_path / "final", bundle / "solutions", tmp_path / "submissions", sha)
    graded = _run([*cli, "grade", "../submissions", "--out", "../report", "--release", "../final", "--quiet",
                   "--jobs", "2"], kit, env)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    with (tmp_path / "report" / "gradebook.csv").open(encoding="utf-8") as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    for learner, total in expected.items():
        assert float(rows[learner]["total"]) == pytest.approx(total, abs=0.02), (learner, rows[learner])
    assert rows["ana"]["status"] == "ok"
    assert len({row["max_total"] for row in rows.values()}) == 1
    assert float(rows["ana"]["max_total"]) == pytest.approx(expected["ana"])


def test_lesson_09_is_released_once_the_article_has_upstream_comparisons(reviewed_kit, tmp_path):
    from test_sections_l09 import FICTION_UPSTREAM, write_upstream

    kit = tmp_path / "kit"
    shutil.copytree(reviewed_kit, kit)
    assert "09-one-interview-many-reports.ipynb" not in [p.name for p in plan_release(kit, ARTICLE).lessons]
    write_upstream(kit, FICTION_UPSTREAM)
    assert "09-one-interview-many-reports.ipynb" in [p.name for p in plan_release(kit, ARTICLE).lessons]
