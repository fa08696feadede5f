"""Exercises are generated from solutions; the index is generated; learner bundles leak no key."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from reportkit.article import load_article
from reportkit.checks import Checker, load_questions
from reportkit.release import (
    ANSWER_FIELDS,
    BEGIN,
    END,
    build_index,
    generate_exercises,
    needs_key,
    release,
    stale_exercises,
    strip_solution,
)

KIT = Path(__file__).resolve().parent.parent
ARTICLE = "kyivpost-2024-12-zelensky-kyodo"
ROLES = {"setup", "answer", "check", "locked", "tagger", "text"}
LESSONS = sorted((KIT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SOLUTIONS = sorted((KIT / "solutions").glob("[0-9][0-9]-*.ipynb"))
EXERCISES = sorted((KIT / "exercises").glob("[0-9][0-9]-*.ipynb"))


@pytest.fixture(scope="module")
def article():
    return load_article(ARTICLE, KIT)


# ------------------------------------------------------------------ stripping


def test_strip_solution_keeps_the_placeholder_and_drops_the_block():
    source = f"# a list of ids\nq02_1 = ...\n\n{BEGIN}\nq02_1 = [\"s03\"]\n{END}"
    assert strip_solution(source) == "# a list of ids\nq02_1 = ..."
    assert strip_solution("x = 1\n") == "x = 1"
    middle = f"a = ...\n\n{BEGIN}\na = 1\n{END}\nprint(a)"
    assert strip_solution(middle) == "a = ...\nprint(a)"


@pytest.mark.parametrize("bad", [f"{BEGIN}\nx", f"x\n{END}", f"{BEGIN}\n{BEGIN}\n{END}"])
def test_strip_solution_rejects_unbalanced_markers(bad):
    with pytest.raises(ValueError):
        strip_solution(bad)


def test_committed_exercises_are_exactly_what_the_solutions_generate():
    assert SOLUTIONS and [p.name for p in SOLUTIONS] == [p.name for p in EXERCISES]
    assert stale_exercises(KIT / "solutions", KIT / "exercises") == [], (
        "exercises/ is out of date: run `python -m reportkit exercises`")


def test_exercises_ship_clean():
    for path in EXERCISES:
        text = path.read_text("utf-8")
        assert "SOLUTION" not in text, path.name
        nb = nbformat.read(path, as_version=4)
        assert "widgets" not in nb.metadata
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (path.name, cell.id)
            if cell.metadata["reportkit"]["role"] == "answer":
                assert cell.source.rstrip().endswith("= ..."), (path.name, cell.id)


# ------------------------------------------------------------------ the sources' structure


@pytest.mark.parametrize("path", SOLUTIONS + LESSONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_cell_has_a_stable_id_and_a_role(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    ids = [cell.id for cell in nb.cells]
    assert len(ids) == len(set(ids))
    for cell in nb.cells:
        meta = cell.metadata.get("reportkit", {})
        assert meta.get("role") in ROLES, (path.name, cell.id)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0].source == f'ARTICLE = "{ARTICLE}"'
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    for part in ("**Time:**", "**Prerequisites:**", "**Questions**", "**Objectives**"):
        assert part in first.source, (path.name, part)
    assert nb.cells[-1].source.startswith("## Key points")


def test_solutions_cover_every_question_once_with_answer_and_check_cells(article):
    questions = load_questions(article)
    seen: dict[str, str] = {}
    for path in SOLUTIONS:
        nb = nbformat.read(path, as_version=4)
        number = path.name[:2]
        for cell in nb.cells:
            meta = cell.metadata["reportkit"]
            qid = meta.get("question")
            if meta["role"] in ("answer", "tagger"):
                assert qid in questions and qid.startswith(f"q{number}_"), (path.name, qid)
                assert qid not in seen, f"{qid} answered twice"
                seen[qid] = path.name
                assert cell.id == f"{qid}-answer"
                body = cell.source.split(BEGIN)
                assert len(body) == 2 and END in body[1] and body[0].endswith("\n\n")
                assert "points" not in cell.source  # points are declared once, in questions.json
            if meta["role"] == "check":
                var = "tagger" if questions[qid].kind == "tagging" else qid
                assert cell.source == f'check("{qid}", {var})'
                assert cell.id == f"{qid}-check"
    assert sorted(seen) == sorted(questions)


def test_typical_traps_are_asked(article):
    questions = load_questions(article)
    asked = {(q.spec.get("sentence"), q.kind) for q in questions.values()}
    for sentence in ("s16", "s05", "s34", "s26", "s32", "s10"):
        assert any(s == sentence for s, _ in asked), sentence
    assert any(q.kind == "number" and q.spec.get("figure") for q in questions.values())
    assert any(q.spec.get("field") == "hedges" for q in questions.values())


# ------------------------------------------------------------------ index


def test_lesson_index_is_up_to_date():
    current = (KIT / "notebooks" / "README.md").read_text("utf-8")
    assert current == build_index(KIT / "notebooks"), "run `python -m reportkit index`"
    for path in LESSONS:
        assert f"]({path.name})" in current


def test_cli_checks_exercises_and_index():
    for command in (["exercises", "--check"], ["index", "--check"]):
        done = subprocess.run([sys.executable, "-m", "reportkit", *command], cwd=KIT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr


# ------------------------------------------------------------------ bundles


def _texts(folder: Path):
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".ipynb", ".md", ".py", ".txt", ".toml", ".js", ".css"}:
            yield path, path.read_text("utf-8")


def test_learner_bundle(tmp_path):
    out = release(tmp_path / "bundle", root=KIT)
    first, last = EXERCISES[0].name[:2], EXERCISES[-1].name[:2]
    assert f"in order, `{first}` to `{last}`." in (out / "README.md").read_text("utf-8")
    assert sorted(p.name for p in (out / "notebooks").glob("*.ipynb")) == [p.name for p in LESSONS]
    assert sorted(p.name for p in (out / "exercises").glob("*.ipynb")) == [p.name for p in EXERCISES]
    assert not (out / "solutions").exists()
    for name in ("README.md", "requirements.txt", "pyproject.toml", "reportkit/checks.py",
                 f"data/{ARTICLE}/key.json", "data/codebook.json"):
        assert (out / name).is_file(), name
    for path in out.rglob("*.ipynb"):
        assert BEGIN not in path.read_text("utf-8"), path
    assert Checker(load_article(ARTICLE, out)).article.key is not None


def test_graded_bundle_carries_no_key_data(tmp_path, article):
    out = release(tmp_path / "graded", graded=True, root=KIT)
    data = out / "data" / ARTICLE
    assert not (data / "key.json").exists() and not (data / "figures.json").exists()
    assert not (out / "notebooks").exists() and not (out / "solutions").exists()
    secrets = [entry.rationale for entry in article.key]
    secrets += [alt.note for entry in article.key for alt in entry.accepted]
    secrets += [f.how_to_check for f in article.figures] + [f.counts for f in article.figures]
    raw = json.loads((KIT / "data" / ARTICLE / "questions.json").read_text("utf-8"))["questions"]
    secrets += [text for q in raw for k in ("explain", "hint") if k in q  # a choice question explains each pick
                for text in (q[k].values() if isinstance(q[k], dict) else [q[k]])]
    pairs = [re.compile(rf'"{e.id}"\s*:\s*"{e.label}"') for e in article.key]  # a tag dict
    record = re.compile(r'"id"\s*:\s*"s\d\d"[^}]*"label"')  # a key.json entry
    for path, text in _texts(out):
        for secret in secrets:
            assert secret not in text, (path, secret[:60])
        for pattern in [*pairs, record]:
            assert not pattern.search(text), (path, pattern.search(text).group(0))
    graded = json.loads((data / "questions.json").read_text("utf-8"))["questions"]
    assert [q["id"] for q in graded] == [q["id"] for q in raw]
    assert not any(k in q for q in graded for k in ANSWER_FIELDS)
    for path in (out / "exercises").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells)
    # what the bundle holds is all declared: nothing but the article's text, the codebook, the
    # stripped questions, the package and the exercises that do not need the key
    assert sorted(p.name for p in data.iterdir()) == ["article.json", "questions.json", "sentences.json"]
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "data", "exercises", "pyproject.toml",
                                                     "reportkit", "requirements.txt", "seeds"]
    keyed = [p.name for p in EXERCISES if needs_key(nbformat.read(p, as_version=4))]
    # 08 shows the key's labels of the baseline's misses; 09's answers are the upstream comparisons
    assert keyed == ["08-machine-baseline.ipynb", "09-one-interview-many-reports.ipynb"]
    assert sorted(p.name for p in (out / "exercises").glob("*.ipynb")) == [
        p.name for p in EXERCISES if p.name not in keyed]
    assert "`00` to `07`" in (out / "README.md").read_text("utf-8")  # counted from what is there
    # the bundle runs: checks test form only
    check = Checker(load_article(ARTICLE, out, require_key=False))
    assert check.article.key is None
    assert check("q01_3", "anyone").form_only


def test_graded_release_says_what_it_left_out_and_why(tmp_path):
    done = subprocess.run([sys.executable, "-m", "reportkit", "release", "--graded", "--out", str(tmp_path / "g")],
                          cwd=KIT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "left out:" in done.stdout
    assert ("exercises/ 08: it shows the key's label and reason for each unit the baseline misses, and a graded "
            "copy holds no key") in done.stdout
    assert "08-machine-baseline" not in done.stdout.split("exercises:")[1].splitlines()[0]


def test_exercise_08_renders_without_the_key(tmp_path, monkeypatch):
    """Where exercise 08 does meet a keyless kit (the grader's kernel, or a graded copy an instructor
    adds it to by hand), its setup and locked cells run and say the key is not there."""
    out = release(tmp_path / "graded", graded=True, root=KIT)
    monkeypatch.setenv("REPORTKIT_HOME", str(out))
    nb = nbformat.read(KIT / "exercises" / "08-machine-baseline.ipynb", as_version=4)
    namespace: dict = {}
    shown = []
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata["reportkit"]["role"] in ("setup", "locked"):
            tree = ast.parse(cell.source)  # the kit's own cells, run as a kernel would: the last expression shown
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, cell.id, "exec"), namespace)
            if last is not None:
                shown.append(eval(compile(ast.Expression(last.value), cell.id, "eval"), namespace))
    assert namespace["article"].key is None
    texts = [repr(block) for block in shown]
    assert any("The key is not in this bundle" in text for text in texts)  # the misses table
    assert any("earlier-sentence" in text for text in texts)  # the menu of causes


def test_release_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        release(tmp_path / "x", root=KIT)


def test_generate_exercises_into_a_new_folder(tmp_path):
    written = generate_exercises(KIT / "solutions", tmp_path / "ex")
    assert [p.name for p in written] == [p.name for p in SOLUTIONS]


# ------------------------------------------------------------------ any article


def test_credit_lines_name_the_articles_outlet(tmp_path):
    outlet = json.loads((KIT / "data" / ARTICLE / "article.json").read_text("utf-8"))["outlet"]
    assert f"it belongs to its publisher, {outlet}." in build_index(KIT / "notebooks")
    out = release(tmp_path / "bundle", root=KIT, article=ARTICLE)
    readme = (out / "README.md").read_text("utf-8")
    assert f"it belongs to its publisher, {outlet}." in readme and f"({outlet}, " in readme
    # Released for the notebooks' own article, nothing is retargeted or left out.
    assert sorted(p.name for p in (out / "exercises").glob("*.ipynb")) == [p.name for p in EXERCISES]
    assert sorted(p.name for p in (out / "notebooks").glob("*.ipynb")) == [p.name for p in LESSONS]
    assert (out / "notebooks" / LESSONS[0].name).read_bytes() == LESSONS[0].read_bytes()


@pytest.mark.parametrize("module", sorted(p.relative_to(KIT / "reportkit").as_posix()
                                           for p in (KIT / "reportkit").rglob("*.py")))
def test_machinery_names_no_article(module):
    source = (KIT / "reportkit" / module).read_text("utf-8").lower()
    for name in ("kyivpost", "kyiv post", "zelensky-kyodo"):
        assert name not in source, f"reportkit/{module} names {name!r}: take it from the article's data"


def test_portable_lessons_are_marked_and_the_rest_name_their_article():
    portable = [p.name for p in LESSONS if nbformat.read(p, as_version=4).metadata["reportkit"].get("portable")]
    assert {"00-start-here.ipynb", "06-tag-the-article.ipynb", "08-machine-baseline.ipynb"} <= set(portable)
    for path in LESSONS:
        if path.name in portable:  # a portable lesson names no unit in its code
            nb = nbformat.read(path, as_version=4)
            code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
            assert not re.search(r"[\"']s\d\d[\"']", code), path.name
