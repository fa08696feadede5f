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
    lock_path,
    merge,
    newer,
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
    written = save_answers(path, _doc(article))
    on_disk = json.loads(path.read_text("utf-8"))
    assert on_disk["format"] == 2 and on_disk["article"] == TINY_ID and on_disk["revision"] == 1
    assert on_disk["seed_sha256"] == article.seed_sha256 and on_disk["exercise"] == "tag-all"
    # A unit given without a time gets the save's time: no unit on disk is timeless.
    assert on_disk["labels"] == {"s01": {"label": "reported", "t": on_disk["saved_at"]}}
    assert on_disk["attribution"]["s01"]["channel"] == ["Jane Roe", "Tiny Times"]
    assert on_disk["saved_at"].endswith("Z") and on_disk["saved_at"] == written.saved_at
    loaded, problem = load_answers(path, article, "tag-all")
    assert problem is None and loaded.current_labels() == {"s01": "reported"}
    # Only the answers file and its hidden lock file: no temporary file left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == [lock_path(path).name, path.name]


def test_missing_file_is_empty_without_problem(article, tmp_path: Path):
    loaded, problem = load_answers(tmp_path / "x.answers.json", article, "x")
    assert problem is None and loaded.labels == {} and loaded.article == TINY_ID


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema": 99}', "not an answers file"),
        ('{"format": 2, "article": "tiny-article", "exercise": "tag-all", "labels": {"s01": "quote"}}',
         "not an answers file"),
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
    assert loaded.current_labels() == {} and reason in problem and path.exists()

    loaded, problem = load_answers(path, article, "tag-all", move_bad=True)
    assert loaded.current_labels() == {} and reason in problem
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
    assert found is not None and found.current_labels() == {"s01": "reported"}
    assert found.attribution["s01"]["source"] == "Jane Roe"
    # An nbformat node works as well as a path, and a named exercise that is absent gives None.
    assert read_answers_from_notebook(nbformat.read(path, as_version=4)).exercise == "tag-all"
    assert read_answers_from_notebook(path, exercise="other") is None


def test_notebook_with_several_exercises(article):
    nb = _notebook_with(_doc(article).to_dict(), _doc(article, "quotes", {"s02": "quote"}).to_dict(),
                        {"schema": 1, "broken": True})
    assert sorted(read_all_answers_from_notebook(nb)) == ["quotes", "tag-all"]
    assert read_answers_from_notebook(nb, "quotes").current_labels() == {"s02": "quote"}
    with pytest.raises(ValueError, match="several exercises"):
        read_answers_from_notebook(nb)


def test_notebook_without_answers():
    assert read_answers_from_notebook(nbformat.v4.new_notebook()) is None


# ---------------------------------------------------------------------------- format 2 (DECISIONS.md §3)

def _v2(labels: dict, revision: int = 1, saved_at: str = "2026-12-01T09:13:18Z", **extra) -> dict:
    return {"format": 2, "article": TINY_ID, "exercise": "tag-all", "release": None, "revision": revision,
            "saved_at": saved_at, "writer": "w1", "labels": labels, **extra}


def test_format_1_is_read_with_its_time_on_every_unit(article):
    doc = {"schema": 1, "article": TINY_ID, "seed_sha256": article.seed_sha256, "exercise": "tag-all",
           "labels": {"s01": "quote"}, "attribution": {}, "updated": "2024-12-02T10:00:00+00:00"}
    found = AnswersFile.from_dict(doc)
    assert found.revision == 0 and found.saved_at == "2024-12-02T10:00:00+00:00" and found.release is None
    assert found.labels == {"s01": {"label": "quote", "t": "2024-12-02T10:00:00+00:00"}}
    assert found.current_labels() == {"s01": "quote"}


def test_format_2_round_trip_keeps_clears_and_extras():
    doc = _v2({"s01": {"label": "quote", "t": "2026-12-01T09:13:18.120Z"},
               "s02": {"label": None, "t": "2026-12-01T09:13:19.000Z"}}, revision=17, release="2026.1")
    found = AnswersFile.from_dict(doc)
    assert (found.article, found.exercise, found.revision, found.release) == (TINY_ID, "tag-all", 17, "2026.1")
    assert found.seed_sha256 is None and found.writer == "w1"
    assert found.current_labels() == {"s01": "quote"}  # the clear is kept, but carries no label
    again = found.to_dict()
    assert again["labels"] == doc["labels"] and again["format"] == 2 and again["revision"] == 17


@pytest.mark.parametrize("bad", [
    {"labels": {"s01": {"label": "quote"}}},  # no time
    {"labels": {"s01": {"label": 3, "t": "x"}}},
    {"revision": -1}, {"revision": "3"}, {"article": None}, {"format": 3},
])
def test_format_2_problems_are_named(bad):
    with pytest.raises(ValueError):
        AnswersFile.from_dict({**_v2({}), **bad})


def test_newer_by_revision_then_saved_at_never_file_time():
    a = AnswersFile.from_dict(_v2({}, revision=3, saved_at="2026-12-01T09:00:00Z"))
    b = AnswersFile.from_dict(_v2({}, revision=4, saved_at="2026-12-01T08:00:00Z"))
    c = AnswersFile.from_dict(_v2({}, revision=4, saved_at="2026-12-01T08:00:05Z"))
    assert newer(a, b) is b and newer(b, a) is b  # revision first, even with an earlier time
    assert newer(b, c) is c and newer(c, b) is c  # a tie: the later saved_at
    assert newer(None, a) is a and newer(a, None) is a and newer(None, None) is None


def test_merge_takes_the_later_time_per_unit_and_a_clear_wins_by_time():
    disk = AnswersFile.from_dict(_v2({"s01": {"label": "quote", "t": "2026-12-01T09:00:02.000Z"},
                                      "s02": {"label": "analysis", "t": "2026-12-01T09:00:01.000Z"}}, revision=5))
    mine = AnswersFile.from_dict(_v2({"s01": {"label": "reported", "t": "2026-12-01T09:00:01.000Z"},
                                      "s02": {"label": None, "t": "2026-12-01T09:00:03.000Z"},
                                      "s03": {"label": "narration", "t": "2026-12-01T09:00:00.000Z"}}, revision=2))
    merged = merge(disk, mine)
    assert merged.current_labels() == {"s01": "quote", "s03": "narration"}  # s01: disk newer; s02 cleared later
    assert merged.labels["s02"]["label"] is None and merged.revision == 6


def test_two_writers_on_one_file_lose_nothing(article, tmp_path: Path):
    """Two kernels each hold their own state and write in turn: every unit survives, revisions rise."""
    from reportkit.answer_store import AnswerStore

    path = answers_path("tag-all", tmp_path)
    one, two = AnswerStore(path, article, "tag-all"), AnswerStore(path, article, "tag-all")
    one.change({"s01": "quote"}, writer="one")
    two.change({"s02": "reported"}, writer="two")  # `two` never read s01, yet keeps it
    one.change({"s03": "analysis"}, writer="one")
    two.change({"s01": None}, writer="two")  # a clear made later wins over the older tag
    on_disk, _ = load_answers(path, article, "tag-all")
    assert on_disk.current_labels() == {"s02": "reported", "s03": "analysis"}
    assert on_disk.revision == 4 and on_disk.writer == "two"
    assert two.document.current_labels() == on_disk.current_labels()
    assert one.refresh() and one.document.current_labels() == on_disk.current_labels()


def test_writes_in_parallel_processes_lose_nothing(article, tmp_path: Path):
    """The file lock: four processes write 10 units each at the same time; all 40 units arrive."""
    import subprocess
    import sys

    path = answers_path("tag-all", tmp_path)
    script = (
        "import sys\n"
        "from reportkit.answers import AnswersFile, stamp, write_answers\n"
        "n, path, sha = int(sys.argv[1]), sys.argv[2], sys.argv[3]\n"
        "for i in range(10):\n"
        "    unit = {f'u{n}-{i}': {'label': 'quote', 't': stamp()}}\n"
        "    write_answers(path, AnswersFile('tiny-article', sha, 'tag-all', unit))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(n), str(path), article.seed_sha256])
             for n in range(4)]
    assert [p.wait(120) for p in procs] == [0, 0, 0, 0]
    on_disk, problem = load_answers(path, article, "tag-all")
    assert problem is None and len(on_disk.current_labels()) == 40 and on_disk.revision == 40
