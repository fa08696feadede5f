"""A tiny exercise for the grader's tests and benchmark, on conftest's five-sentence article.

``build_kit`` takes the shared tiny kit (tests/conftest.py ``make_tiny_kit``), adds a
questions.json, a solutions notebook and the exercise generated from it by
``reportkit.release``. ``handin`` writes a learner's folder. Not collected by pytest (no
``test_`` prefix); imported by tests/test_grading*.py and benchmarks/bench_grading.py.
"""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat

ARTICLE_ID = "tiny-article"  # conftest's article: s01 reported, s02 and s03 quote, s04 analysis, s05 narration
NOTEBOOK = "01-tiny.ipynb"
EXERCISE = "tag-all"
ANSWERS_MIME = "application/vnd.reportkit.answers+json"
KEY = {"s01": "reported", "s02": "quote", "s03": "quote", "s04": "analysis", "s05": "narration"}
RIGHT_LABELS = dict(KEY)
WRONG_LABELS = {"s01": "quote", "s02": "quote", "s03": "reported", "s04": "narration"}  # 1 of 5 right
RIGHT_SOURCES = {"q01_1": 'q01_1 = ["s02", "s03"]', "q01_2": 'q01_2 = "analysis"', "q01_3": "q01_3 = 2022"}
WRONG_SOURCES = {"q01_1": 'q01_1 = ["s01", "s02"]', "q01_2": 'q01_2 = "narration"', "q01_3": "q01_3 = 2024"}
QUESTIONS = {"questions": [
    {"id": "q01_1", "kind": "ids", "key_label": "quote", "points": 2,
     "prompt": "Which sentences are direct quotes?"},
    {"id": "q01_2", "kind": "label", "sentence": "s04", "points": 1, "prompt": "Which label fits s04?"},
    {"id": "q01_3", "kind": "number", "figure": "f01", "points": 1, "prompt": "When did the talks begin?"},
    {"id": "q01_4", "kind": "tagging", "points": 5, "exercise": EXERCISE, "prompt": "Tag every sentence."},
]}
TAGGER_SOURCE = """\
# NBVAL_IGNORE_OUTPUT
from reportkit.tagger import Tagger

tagger = Tagger(ARTICLE, exercise="tag-all")
display(tagger)"""


def build_kit(root: Path) -> Path:
    """Write the kit into ``root`` (created); returns root."""
    import importlib.util

    from reportkit.release import exercise_from_solution

    # Load tests/conftest.py by path: `import conftest` may find tests/browser/conftest.py instead.
    spec = importlib.util.spec_from_file_location("_tests_conftest", Path(__file__).with_name("conftest.py"))
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    conftest.make_tiny_kit(root)
    (root / "data" / ARTICLE_ID / "questions.json").write_text(json.dumps(QUESTIONS, indent=1), "utf-8")
    (root / "solutions").mkdir()
    (root / "exercises").mkdir()
    solution = solutions_notebook()
    nbformat.write(solution, root / "solutions" / NOTEBOOK)
    nbformat.write(exercise_from_solution(solution), root / "exercises" / NOTEBOOK)
    return root


def _cell(kind: str, source: str, cell_id: str, role: str, question: str | None = None,
          tags: list[str] | None = None) -> Any:
    cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    cell["id"] = cell_id
    cell.metadata["reportkit"] = {"role": role, **({"question": question} if question else {})}
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _answer(question: str, solution: str) -> Any:
    return _cell("code", f"{question} = ...\n\n### BEGIN SOLUTION\n{solution}\n### END SOLUTION",
                 f"{question}-answer", "answer", question)


def _check(question: str, expr: str | None = None) -> Any:
    return _cell("code", f'check("{question}", {expr or question})', f"{question}-check", "check", question)


def solutions_notebook() -> Any:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        _cell("markdown", "# Tiny exercise", "md-01", "text"),
        _cell("code", f'ARTICLE = "{ARTICLE_ID}"', "parameters", "setup", tags=["parameters"]),
        _cell("code", "from reportkit.checks import Checker\n\ncheck = Checker(ARTICLE)\narticle = check.article",
              "code-02", "setup"),
        _cell("markdown", "Which sentences are direct quotes?", "q01_1-prompt", "text", "q01_1"),
        _answer("q01_1", RIGHT_SOURCES["q01_1"]), _check("q01_1"),
        _answer("q01_2", RIGHT_SOURCES["q01_2"]), _check("q01_2"),
        _answer("q01_3", RIGHT_SOURCES["q01_3"]), _check("q01_3"),
        _cell("code", TAGGER_SOURCE, "q01_4-answer", "tagger", "q01_4"),
        _check("q01_4", "tagger"),
    ]
    return nb


def seed_sha(kit: Path) -> str:
    return json.loads((kit / "data" / ARTICLE_ID / "article.json").read_text())["sha256"]


def answers_doc(kit: Path, labels: dict[str, str], **changes: Any) -> dict[str, Any]:
    doc = {"schema": 1, "article": ARTICLE_ID, "seed_sha256": seed_sha(kit), "exercise": EXERCISE,
           "labels": dict(labels), "attribution": {}, "updated": None}
    doc.update(changes)
    return doc


def handin(kit: Path, folder: Path, answers: dict[str, str] | None = None, *,
           labels: dict[str, str] | None = None, in_notebook: bool = True, answers_file: Any = "same",
           edit: Callable[[Any], None] | None = None) -> Path:
    """A learner's hand-in folder: the exercise with ``answers`` (source per question) filled in.

    ``labels``: tagging answers, saved as the tagger saves them (an output in the notebook
    and/or the answers file); ``answers_file``: "same" (the labels), None (no file), or a
    str/bytes/dict written as the file; ``edit``: called with the notebook to break it.
    """
    nb = nbformat.read(kit / "exercises" / NOTEBOOK, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("reportkit", {})
        if meta.get("role") == "answer" and answers and meta.get("question") in answers:
            cell.source = answers[meta["question"]]
    payload = answers_doc(kit, labels) if labels is not None else None
    if payload is not None and in_notebook:
        tagger = next(c for c in nb.cells if c.get("id") == "q01_4-answer")
        tagger.execution_count = 5
        tagger.outputs = [nbformat.v4.new_output("display_data", data={
            ANSWERS_MIME: payload, "text/plain": f"{len(labels)} tagged"})]
    if edit is not None:
        edit(nb)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / NOTEBOOK)
    target = folder / f"{EXERCISE}.answers.json"
    if answers_file == "same":
        if payload is not None:
            target.write_text(json.dumps(payload), "utf-8")
    elif isinstance(answers_file, dict):
        target.write_text(json.dumps(answers_file), "utf-8")
    elif isinstance(answers_file, str):
        target.write_text(answers_file, "utf-8")
    elif isinstance(answers_file, bytes):
        target.write_bytes(answers_file)
    return folder


def zip_folder(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, path.relative_to(folder).as_posix())
    return dest


def zip_bomb(dest: Path, gib: int = 4) -> Path:
    """A valid zip whose one entry expands to ``gib`` GiB of zeros, about 4 MB on disk.

    Built without compressing gigabytes: one MiB of zeros is deflated once, ending in a full
    flush (so the block does not refer back), and the block is repeated.
    """
    chunk = bytes(2**20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    repeats = gib * 1024
    data = block * repeats + packer.flush()
    crc = 0
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    size = repeats * len(chunk)
    name = b"01-tiny.ipynb"
    # zip64 extra fields: the uncompressed size does not fit 32 bits.
    local_extra = struct.pack("<HHQQ", 1, 16, size, len(data))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                        len(name), len(local_extra)) + name + local_extra
    central_extra = struct.pack("<HHQQ", 1, 16, size, len(data))
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0, crc, 0xFFFFFFFF,
                          0xFFFFFFFF, len(name), len(central_extra), 0, 0, 0, 0, 0) + name + central_extra
    offset = len(local) + len(data)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), offset, 0)
    dest.write_bytes(local + data + central + end)
    return dest


def file_digest(path: Path) -> str:
    """sha256 of a file or (recursively, names included) a folder: to prove hand-ins unchanged."""
    import hashlib
    import os

    digest = hashlib.sha256()
    items = [path] if path.is_file() else sorted(p for p in path.rglob("*"))
    for item in items:
        digest.update(item.relative_to(path.parent).as_posix().encode())
        if item.is_symlink():
            digest.update(os.readlink(item).encode())
        elif item.is_file():
            digest.update(item.read_bytes())
    return digest.hexdigest()
