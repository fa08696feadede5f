"""Questions generated from the key (``python -m reportkit questions``), the exercises built from them,
and the transfer release: on the Kyiv Post (every template has material) and on the fictional article."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from kits import FIXTURE_ID, OWN, reviewed_fixture_kit

from reportkit.article import load_article
from reportkit.checks import Question, key_answer, load_questions, score
from reportkit.questiongen import GENERATED_LESSONS, TEMPLATES, generate, write_questions

KIT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return reviewed_fixture_kit(tmp_path_factory.mktemp("qgen") / "kit")


def _question(record: dict, article) -> Question:
    return Question(record["id"], record["kind"], record["prompt"], record["points"], record, article)


def test_every_template_asks_the_kyiv_post_and_every_key_answer_scores_in_full():
    article = load_article(OWN, KIT)
    made = generate(article)
    assert not made.dropped, made.dropped
    assert {r["id"][1:3] for r in made.questions} == set(GENERATED_LESSONS)
    for record in made.questions:
        question = _question(record, article)
        answer = key_answer(question, article)
        assert score(question, answer, article, 1).passed, record
        for blank in (..., None, ""):  # a check cell left as released never passes
            assert not score(question, blank, article, 1).passed, record
    stance = next(r for r in made.questions if r.get("field") == "cue_stance")
    assert stance["sentence"] == "s16" and "“alleging”" in stance["prompt"]  # a distancing cue, preferred


def test_prompts_name_the_unit_but_not_the_answer():
    article = load_article(OWN, KIT)
    for record in generate(article).questions:
        answer = key_answer(_question(record, article), article)
        if "within" in record:  # the candidates are listed: the answer is some of them, not all
            assert set(answer) < set(record["within"]), record
        elif record["kind"] in ("ids", "chain"):
            assert not all(str(a) in record["prompt"] for a in answer), record
        elif record["kind"] == "text" and record["field"] not in ("cue_stance", "source_type"):  # these list options
            assert str(answer).lower() not in record["prompt"].lower(), record


def test_the_fictional_article_gets_what_its_key_supports_and_says_what_it_lacks(kit):
    article = load_article(FIXTURE_ID, kit)
    made = generate(article)
    answers = {r["id"]: key_answer(_question(r, article), article) for r in made.questions}
    assert answers["q01_1"] == ["s04", "s10", "s11"]  # the furniture
    assert answers["q02_1"] == ["s02", "s03"]  # the direct quotes
    assert answers["q02_2"] == "reported"  # s05: a partial quote (R2)
    assert answers["q02_4"] == "Anna Kovalenko"
    assert answers["q03_3"] == "unnamed person"  # the engineer who asked not to be named
    assert answers["q04_1"] == ["s07"] and answers["q04_2"] == "Piotr Nowak"
    # the reviewed ledger: counts and amounts are asked (hedged first), the year and the period are not
    assert [answers[q] for q in ("q05_1", "q05_2", "q05_3")] == [4_200_000, 30_000, 2]
    assert answers["q05_4"] == "about" and answers["q05_5"] == ["s05", "s08"]
    dropped = dict(made.dropped)
    assert dropped["00.paragraph-quotes"] == "the article has nothing it asks about"  # s02-s03: quotes only
    assert dropped["07.cited-outlet"] == "the article has nothing it asks about"  # no outlet between source and page


def test_answers_stay_in_the_key_so_a_corrected_key_corrects_the_questions(kit, tmp_path):
    import shutil

    from reportkit.authoring import review_entry

    copy = tmp_path / "kit"
    for name in ("data", "seeds"):
        shutil.copytree(kit / name, copy / name)
    write_questions(FIXTURE_ID, root=copy, force=True)
    stored = json.loads((copy / "data" / FIXTURE_ID / "questions.json").read_text("utf-8"))["questions"]
    quotes = next(q for q in stored if q["id"] == "q02_1")
    assert "expected" not in quotes  # read from the key at check time
    review_entry(FIXTURE_ID, "s03", label="reported", rules=["R1"], rationale="Say it is a paraphrase (R1).",
                 root=copy)
    article = load_article(FIXTURE_ID, copy)
    assert key_answer(load_questions(article)["q02_1"], article) == ["s02"]


def test_the_command_keeps_the_authors_edits_unless_forced(kit, tmp_path):
    import shutil

    copy = tmp_path / "kit"
    shutil.copytree(kit, copy)
    env = {"REPORTKIT_HOME": str(copy), "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "reportkit", "questions", FIXTURE_ID]
    first = subprocess.run(run, cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "key answer: ['s02', 's03']" in first.stdout and "not asked: 07.cited-outlet" in first.stdout
    path = copy / "data" / FIXTURE_ID / "questions.json"
    document = json.loads(path.read_text("utf-8"))
    document["questions"][0]["prompt"] = "My own wording."
    path.write_text(json.dumps(document), "utf-8")
    again = subprocess.run(run, cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "--force" in again.stderr
    assert "My own wording." in path.read_text("utf-8")
    forced = subprocess.run([*run, "--force"], cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert forced.returncode == 0 and "My own wording." not in path.read_text("utf-8")
    ids = [q["id"] for q in json.loads(path.read_text("utf-8"))["questions"]]
    assert "q06_1" in ids and ids == sorted(ids, key=lambda q: (q[1:3], int(q.split("_")[1])))


def test_generated_exercises_have_the_cells_the_grader_knows(kit, tmp_path):
    from reportkit.exercisegen import literal
    from reportkit.release import release

    write_questions(FIXTURE_ID, root=kit, force=True)
    out = release(tmp_path / "bundle", root=kit, article=FIXTURE_ID, with_solutions=True)
    article = load_article(FIXTURE_ID, kit)
    questions = load_questions(article)
    for path in sorted((out / "solutions").glob("0[0-57]-*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["reportkit"]["generated"] is True and nb.metadata["reportkit"]["article"] == FIXTURE_ID
        roles = [(c.metadata["reportkit"]["role"], c.metadata["reportkit"].get("question")) for c in nb.cells]
        asked = [q for role, q in roles if role == "check"]
        assert asked and all(q.startswith(f"q{path.name[:2]}_") for q in asked)
        for qid in asked:
            assert ("answer", qid) in roles and ("text", qid) in roles
            cell = next(c for c in nb.cells if c.get("id") == f"{qid}-answer")
            assert f"{qid} = ...\n" in cell.source
            assert f"{qid} = {literal(key_answer(questions[qid], article))}\n### END SOLUTION" in cell.source
        exercise = nbformat.read(out / "exercises" / path.name, as_version=4)
        assert "BEGIN SOLUTION" not in json.dumps(exercise) and exercise.cells[-1].id == "handin"
        assert exercise.metadata["reportkit"]["release"]


def test_a_transfer_release_ships_no_lesson_no_key_and_no_answer(kit, tmp_path):
    from reportkit.release import ANSWER_FIELDS, release

    write_questions(FIXTURE_ID, root=kit, force=True)
    out = release(tmp_path / "final", root=kit, article=FIXTURE_ID, transfer=True)
    assert not (out / "notebooks").exists() and not (out / "solutions").exists()
    names = sorted(p.name[:2] for p in (out / "exercises").glob("*.ipynb"))
    assert names == ["00", "01", "02", "03", "04", "05", "06", "07"]
    data = out / "data" / FIXTURE_ID
    assert not (data / "key.json").exists() and not (data / "figures.json").exists()
    assert "lessons" not in json.loads((data / "article.json").read_text("utf-8"))
    for question in json.loads((data / "questions.json").read_text("utf-8"))["questions"]:
        assert not set(question) & set(ANSWER_FIELDS), question
    assert "not studied" in (out / "README.md").read_text("utf-8")
    with pytest.raises(ValueError, match="--article"):
        release(tmp_path / "x", root=kit, transfer=True)
    with pytest.raises(ValueError, match="never holds solutions"):
        release(tmp_path / "y", root=kit, article=FIXTURE_ID, transfer=True, with_solutions=True)


def test_templates_are_declared_once_per_lesson_and_name():
    names = [(t.lesson, t.name) for t in TEMPLATES]
    assert len(names) == len(set(names)) and {t.lesson for t in TEMPLATES} == set(GENERATED_LESSONS)


def test_the_docs_list_every_template():
    table = (KIT / "docs" / "lessons.md").read_text("utf-8")
    rows = {(line.split("|")[1].strip(), line.split("|")[2].strip(" `")) for line in table.splitlines()
            if line.startswith("| 0")}
    assert rows == {(t.lesson, t.name) for t in TEMPLATES}


def test_validate_names_a_stale_question_and_an_unknown_section(kit, tmp_path):
    """After `questions`, the author changes the key so a question no longer has an answer, and
    mistypes a section id: `validate` lists both, with file and record."""
    import shutil

    from reportkit.authoring import review_entry

    copy = tmp_path / "kit"
    shutil.copytree(kit, copy)
    write_questions(FIXTURE_ID, root=copy, force=True)
    stored = {q["id"]: q for q in json.loads((copy / "data" / FIXTURE_ID / "questions.json").read_text("utf-8"))
              ["questions"]}
    assert stored["q04_1"]["key_label"] == "analysis"
    review_entry(FIXTURE_ID, "s07", label="reported", rules=["R1"], rationale="Say it is his claim (R1).", root=copy)
    meta_path = copy / "data" / FIXTURE_ID / "article.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    meta_path.write_text(json.dumps({**meta, "lessons": {"02.partial-qoute": {"units": ["s05"]}}}), "utf-8")
    env = {"REPORTKIT_HOME": str(copy), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "reportkit", "validate", FIXTURE_ID], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == f"{FIXTURE_ID}: INVALID"
    assert any("article.json: record lessons.02.partial-qoute" in line and "no lesson has this section" in line
               for line in lines), lines
    assert any("questions.json: record q04_1" in line and "--force" in line for line in lines), lines
