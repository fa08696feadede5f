"""Step 1 — hand-ins intake: who handed in what, copied into a scratch folder (never modified).

SUBMISSIONS holds one folder or ``.zip`` per learner; the learner id is its name (Unicode NFC).
Every entry is graded or rejected with a line in the report. Inside a hand-in, each released
notebook is found by name — case-insensitively and with a browser's `` (1)`` suffix — or
through a hand-in bundle (``NN-slug.handin.zip``, written by the notebook's hand-in cell),
which is preferred. When a notebook appears more than once, the copy whose answers are newest
(the revision and save time recorded inside it, never the file system's) is graded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportkit.grading.model import FlagCode, LearnerResult, normalise_id
from reportkit.handin import BUNDLE_SUFFIX, MANIFEST
from reportkit.ziputil import Limits, UnsafeArchive, safe_extract

SYSTEM_ENTRIES = {".ipynb_checkpoints", "__MACOSX", ".git", ".DS_Store", "Thumbs.db", "desktop.ini"}
MAX_COPY_BYTES = 50 * 2**20  # per file copied from a folder hand-in
KEPT_SUFFIXES = (".ipynb", ".answers.json", BUNDLE_SUFFIX)
_BROWSER_COPY = re.compile(r"\s*\(\d+\)$")  # "02-direct-quotes (1)" from a second download


@dataclass(frozen=True)
class Handin:
    learner: str  # the normalised id
    path: Path


def find_handins(submissions: Path, out: Path | None = None) -> tuple[list[Handin], list[str]]:
    """Every learner's hand-in, and a line for each entry that is not one (nothing is dropped silently)."""
    handins: dict[str, Handin] = {}
    lines = []
    skip = out.resolve() if out is not None else None
    for entry in sorted(submissions.iterdir()):
        if entry.name in SYSTEM_ENTRIES:
            lines.append(f"{entry.name}: a system file or folder, not a hand-in; skipped")
            continue
        if skip is not None and entry.resolve() == skip:
            lines.append(f"{entry.name}: the report folder itself; skipped")
            continue
        if entry.is_symlink():
            lines.append(f"{entry.name}: a symbolic link; skipped (copy the hand-in instead)")
            continue
        if entry.is_dir():
            learner = normalise_id(entry.name)
        elif entry.suffix.lower() == ".zip":
            learner = normalise_id(entry.name[:-4])
        else:
            lines.append(f"{entry.name}: neither a folder nor a .zip; skipped")
            continue
        if not learner:
            lines.append(f"{entry.name}: no learner id in its name; skipped")
        elif learner in handins:
            lines.append(f"{entry.name}: learner {learner!r} already has a hand-in ({handins[learner].path.name}); "
                         "this one was skipped")
        else:
            handins[learner] = Handin(learner, entry)
    return list(handins.values()), lines


def copy_folder(src: Path, dest: Path, result: LearnerResult) -> None:
    """Copy what grading reads of a folder hand-in; symlinks are not followed (they could point anywhere)."""
    for folder, dirs, files in os.walk(src, followlinks=False):
        here = Path(folder)
        rel = here.relative_to(src)
        for d in list(dirs):
            if d in SYSTEM_ENTRIES or (here / d).is_symlink():
                if (here / d).is_symlink():
                    result.flag(FlagCode.SYMLINK_IGNORED, f"{(rel / d).as_posix()} is a symbolic link; ignored")
                dirs.remove(d)
        for name in files:
            path = here / name
            if path.is_symlink():
                result.flag(FlagCode.SYMLINK_IGNORED, f"{(rel / name).as_posix()} is a symbolic link; ignored")
            elif not name.endswith(KEPT_SUFFIXES):
                continue  # only notebooks, answers and hand-in bundles are graded; nothing else is read
            elif path.stat().st_size > MAX_COPY_BYTES:
                result.flag(FlagCode.FILE_TOO_LARGE, f"{(rel / name).as_posix()} is over {MAX_COPY_BYTES // 2**20} "
                            "MB; ignored")
            else:
                (dest / rel).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest / rel / name)


def unpack(handin: Path, dest: Path, limits: Limits, result: LearnerResult) -> None:
    """The hand-in's files into ``dest``; UnsafeArchive for a zip that must not be opened."""
    if handin.is_file():
        safe_extract(handin, dest, limits)
    else:
        copy_folder(handin, dest, result)


def canonical_name(name: str) -> str:
    """``02-Direct-Quotes (1).ipynb`` -> ``02-direct-quotes.ipynb``: how a released name is recognised."""
    stem = name[:-len(".ipynb")] if name.lower().endswith(".ipynb") else name
    return _BROWSER_COPY.sub("", stem).strip().lower() + ".ipynb"


@dataclass
class Candidate:
    """One copy of a released notebook in a hand-in."""

    path: Path
    shown: str  # its path inside the hand-in, as the learner named it
    bundle: bool = False  # it came from a hand-in bundle
    nb: Any = None
    revision: int = 0
    saved_at: str = ""
    answered: int = 0

    def rank(self) -> tuple[Any, ...]:
        return (self.bundle, self.revision, self.saved_at, self.answered, -len(self.path.parts))


def _visible(path: Path, root: Path) -> bool:
    return not any(part in SYSTEM_ENTRIES or part.startswith(".") for part in path.relative_to(root).parts)


def open_bundles(files: Path, limits: Limits, result: LearnerResult) -> dict[str, Candidate]:
    """Hand-in bundles in the hand-in, extracted beside it: released name -> its notebook."""
    found: dict[str, Candidate] = {}
    for n, bundle in enumerate(sorted(files.rglob(f"*{BUNDLE_SUFFIX}"))):
        target = files.parent / "bundles" / str(n)
        try:
            safe_extract(bundle, target, limits)
            manifest = json.loads((target / MANIFEST).read_text("utf-8"))
            notebook = target / str(manifest["notebook"])
            if notebook.parent != target or not notebook.is_file():
                raise ValueError("its manifest names no notebook inside it")
        except (UnsafeArchive, ValueError, KeyError, OSError, TypeError) as error:
            result.flag(FlagCode.EXTRA_NOTEBOOK, f"{bundle.relative_to(files).as_posix()} is not a usable hand-in "
                        f"bundle ({error}); its loose notebooks are graded instead")
            continue
        found[canonical_name(notebook.name)] = Candidate(notebook, bundle.relative_to(files).as_posix(), bundle=True)
    return found


def find_candidates(files: Path, released_names: set[str]) -> tuple[dict[str, list[Candidate]], list[str]]:
    """Copies of each released notebook (by canonical name); names of notebooks that are no exercise."""
    wanted = {canonical_name(n): n for n in released_names}
    found: dict[str, list[Candidate]] = {}
    extra: list[str] = []
    for path in sorted(files.rglob("*.ipynb"), key=lambda p: (len(p.parts), str(p))):
        if not _visible(path, files):
            continue
        name = wanted.get(canonical_name(path.name))
        if name is None:
            extra.append(path.relative_to(files).as_posix())
        else:
            found.setdefault(name, []).append(Candidate(path, path.relative_to(files).as_posix()))
    return found, extra
