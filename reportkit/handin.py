"""The hand-in cell at the end of every exercise: one file to upload, that the grader needs no
guessing for.

``hand_in("02-direct-quotes.ipynb")`` zips the *saved* notebook, the tagging answers files it
uses and a manifest (the notebook's released name, release version, answers revisions) into
``02-direct-quotes.handin.zip`` beside it, and says which answers are still blank and whether
the notebook on disk is older than what the kernel ran (then: save with Ctrl+S, run again).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reportkit.nbcells import cell_meta, cell_source

BUNDLE_SUFFIX = ".handin.zip"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
ANSWERS_MIME = "application/vnd.reportkit.answers+json"


@dataclass
class HandinReport:
    """What the hand-in cell tells the learner."""

    bundle: Path
    blank: list[str] = field(default_factory=list)  # questions still `...` in the saved notebook
    unsaved: list[str] = field(default_factory=list)  # questions whose saved answer differs from the kernel's
    saved_at: str = ""

    def _repr_html_(self) -> str:
        name = f"<code>{html.escape(self.bundle.name)}</code>"
        if self.unsaved:
            lines = [f"<b>Not ready:</b> you changed {', '.join(self.unsaved)} after the last save, so {name} holds "
                     f"older answers. Press Ctrl+S (File → Save), then run this cell again."]
        else:
            lines = [f"<b>Ready to hand in:</b> {name} (saved notebook of {html.escape(self.saved_at)}). "
                     "Upload this one file."]
        if self.blank:
            lines.append("Still blank: " + ", ".join(self.blank) + ".")
        colour = "var(--jp-warn-color0, #b35900)" if self.unsaved else "var(--jp-success-color0, #2e7d32)"
        return (f'<div role="status" style="border-left:4px solid {colour};padding:4px 10px">'
                + "<br>".join(lines) + "</div>")

    def __repr__(self) -> str:
        if self.unsaved:
            text = (f"Not ready: you changed {', '.join(self.unsaved)} after the last save, so {self.bundle.name} "
                    "holds older answers. Press Ctrl+S, then run this cell again.")
        else:
            text = f"Ready to hand in: {self.bundle.name} (saved notebook of {self.saved_at}). Upload this one file."
        if self.blank:
            text += f"\nStill blank: {', '.join(self.blank)}."
        return text


def _answers_files(nb: Any, folder: Path) -> dict[str, Path]:
    """Tagging exercises this notebook keeps answers for -> their answers files beside it."""
    found: dict[str, Path] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            doc = (output.get("data") or {}).get(ANSWERS_MIME)
            if isinstance(doc, dict) and isinstance(doc.get("exercise"), str):
                path = folder / f"{doc['exercise']}.answers.json"
                if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", doc["exercise"]) and path.is_file():
                    found[doc["exercise"]] = path
    return found


def _revision(path: Path) -> int:
    try:
        value = json.loads(path.read_text("utf-8")).get("revision", 0)
    except (OSError, ValueError, AttributeError):
        return 0
    return value if isinstance(value, int) else 0


def answer_sources(nb: Any) -> dict[str, str]:
    """Question id -> the saved source of its answer cell."""
    return {cell_meta(c)["question"]: cell_source(c) for c in nb.get("cells", [])
            if cell_meta(c).get("role") == "answer" and cell_meta(c).get("question")}


def _is_blank(source: str, question: str) -> bool:
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
    return re.fullmatch(rf"\s*{re.escape(question)}\s*=\s*\.\.\.\s*", code) is not None


def _last_run(history: list[str], question: str) -> str | None:
    """The last source the kernel ran that assigns ``question``."""
    pattern = re.compile(rf"^\s*{re.escape(question)}\s*=", re.MULTILINE)
    return next((src for src in reversed(history) if pattern.search(src)), None)


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def check_saved(nb: Any, history: list[str]) -> tuple[list[str], list[str]]:
    """(blank questions, questions whose last run answer is not the saved one)."""
    sources = answer_sources(nb)
    blank = [q for q, src in sources.items() if _is_blank(src, q)]
    unsaved = [q for q, src in sources.items()
               if (ran := _last_run(history, q)) is not None and _normal(ran) != _normal(src)]
    return blank, unsaved


def write_bundle(notebook: Path, released_name: str | None = None) -> Path:
    """``NN-slug.handin.zip`` beside ``notebook``: the notebook (under its released name), its answers
    files, a manifest."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    answers = _answers_files(nb, notebook.parent)
    saved = datetime.fromtimestamp(notebook.stat().st_mtime, timezone.utc)
    data = notebook.read_bytes()
    name = released_name or notebook.name
    manifest = {
        "format": MANIFEST_FORMAT, "notebook": name, "file": notebook.name,
        "release": str((nb.metadata.get("reportkit") or {}).get("release") or ""),
        "saved_at": saved.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "sha256": hashlib.sha256(data).hexdigest(),
        "answers": {exercise: {"file": path.name, "revision": _revision(path)} for exercise, path in answers.items()},
    }
    bundle = notebook.with_name(Path(name).stem + BUNDLE_SUFFIX)
    partial = bundle.with_name(bundle.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
        for path in answers.values():
            archive.write(path, path.name)
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
    partial.replace(bundle)
    return bundle


def _history() -> list[str]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return list(shell.user_ns.get("In", [])) if shell is not None else []
    except ImportError:
        return []


def _open_notebook(released_name: str) -> Path:
    """The notebook this kernel runs (Jupyter names it, even when the file was renamed, e.g.
    ``02-direct-quotes (1).ipynb``), else the released name in the working folder."""
    import os

    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb") and Path(Path(session).name).is_file():
        return Path(Path(session).name)
    return Path(released_name)


def hand_in(notebook: str) -> HandinReport:
    """Make the hand-in bundle of ``notebook`` (its released name, in the working folder)."""
    import nbformat

    path = _open_notebook(notebook)
    if not path.is_file():
        raise FileNotFoundError(f"{notebook} is not in this folder ({Path.cwd().name}): run this cell in the "
                                "exercise notebook itself, after saving it (Ctrl+S)")
    bundle = write_bundle(path, notebook)
    blank, unsaved = check_saved(nbformat.read(path, as_version=4), _history())
    saved = datetime.fromtimestamp(path.stat().st_mtime).strftime("%H:%M:%S")
    return HandinReport(bundle, blank, unsaved, saved)
