"""The answers file and the answers a notebook carries (reportkit.answers)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from reportkit.answers import (
    ANSWERS_MIME,
    AnswersFile,
    answers_path,
    load_answers,
    read_all_answers_from_notebook,
    read_answers_from_notebook,
    save_answers,
)

TINY_ID = "tiny-article"


@pytest.fixture
def article(tiny_article):
    return tiny_article


def _doc(article, exercise="tag-all", labels=None) -> AnswersFile:
    return AnswersFile(article=article.id, seed_sha256=article.seed_sha256, exercise=exercise,
                       labels=labels or {"s01": "reported"},
                       attribution={"s01": {"source": "Jane Roe", "channel": ["Jane Roe", "Tiny Times"]}})


def test_save_then_load_round_trip(article, tmp_path: Path):
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    path = answers_path("tag-all", tmp_path)
    assert path.name == "tag-all.answers.json"
    save_answers(path, _doc(article))
    on_disk = json.loads(path.read_text("utf-8"))
    assert on_disk["schema"] == 1 and on_disk["article"] == TINY_ID
    assert on_disk["seed_sha256"] == article.seed_sha256 and on_disk["exercise"] == "tag-all"
    assert on_disk["labels"] == {"s01": "reported"}
    assert on_disk["attribution"]["s01"]["channel"] == ["Jane Roe", "Tiny Times"]
    assert on_disk["updated"].endswith("+00:00")
    loaded, problem = load_answers(path, article, "tag-all")
    assert problem is None and loaded.labels == {"s01": "reported"}
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def test_missing_file_is_empty_without_problem(article, tmp_path: Path):
    loaded, problem = load_answers(tmp_path / "x.answers.json", article, "x")
    assert problem is None and loaded.labels == {} and loaded.article == TINY_ID


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema": 99}', "not an answers file"),
        ("ARTICLE", "another article"),
        ("EXERCISE", "another exercise"),
        ("SEED", "different version of the article's text"),
    ],
)
def test_bad_file_is_reported_and_moved_only_on_request(article, tmp_path: Path, content, reason):
    path = answers_path("tag-all", tmp_path)
    doc = _doc(article).to_dict()
    if content == "ARTICLE":
        content = json.dumps({**doc, "article": "other-article"})
    elif content == "EXERCISE":
        content = json.dumps({**doc, "exercise": "other"})
    elif content == "SEED":
        content = json.dumps({**doc, "seed_sha256": "0" * 64})
    path.write_text(content, encoding="utf-8")

    loaded, problem = load_answers(path, article, "tag-all")  # the grader's way: nothing moves
    assert loaded.labels == {} and reason in problem and path.exists()

    loaded, problem = load_answers(path, article, "tag-all", move_bad=True)
    assert loaded.labels == {} and reason in problem
    assert not path.exists()
    backups = list(tmp_path.glob("tag-all.answers.json.bad-*"))
    assert len(backups) == 1 and backups[0].read_text("utf-8") == content
    assert backups[0].name in problem


def test_two_bad_files_in_one_second_keep_both(article, tmp_path: Path):
    path = answers_path("tag-all", tmp_path)
    for text in ("one", "two"):
        path.write_text(text, encoding="utf-8")
        load_answers(path, article, "tag-all", move_bad=True)
    assert sorted(p.read_text() for p in tmp_path.glob("*.bad-*")) == ["one", "two"]


def test_exercise_name_must_be_a_safe_file_name(tmp_path: Path):
    with pytest.raises(ValueError, match="file name"):
        answers_path("../escape", tmp_path)


def _notebook_with(*docs) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("from reportkit import Tagger\nTagger('tiny-article')")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": "Tagger(...)"}),
        *(nbformat.v4.new_output("display_data", data={ANSWERS_MIME: d, "text/plain": "answers"})
          for d in docs),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Tag"), cell]
    return nb


def test_read_answers_from_saved_notebook(article, tmp_path: Path):
    path = tmp_path / "lesson.ipynb"
    nbformat.write(_notebook_with(_doc(article).to_dict()), path)
    found = read_answers_from_notebook(path)
    assert found is not None and found.labels == {"s01": "reported"}
    assert found.attribution["s01"]["source"] == "Jane Roe"
    # An nbformat node works as well as a path, and a named exercise that is absent gives None.
    assert read_answers_from_notebook(nbformat.read(path, as_version=4)).exercise == "tag-all"
    assert read_answers_from_notebook(path, exercise="other") is None


def test_notebook_with_several_exercises(article):
    nb = _notebook_with(_doc(article).to_dict(), _doc(article, "quotes", {"s02": "quote"}).to_dict(),
                        {"schema": 1, "broken": True})
    assert sorted(read_all_answers_from_notebook(nb)) == ["quotes", "tag-all"]
    assert read_answers_from_notebook(nb, "quotes").labels == {"s02": "quote"}
    with pytest.raises(ValueError, match="several exercises"):
        read_answers_from_notebook(nb)


def test_notebook_without_answers():
    assert read_answers_from_notebook(nbformat.v4.new_notebook()) is None
