"""Temporary kits for tests and benchmarks: the kit as an instructor has it, and one holding
only the fictional test article just made by ``python -m reportkit new``."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OWN = "kyivpost-2024-12-zelensky-kyodo"  # the article the notebooks were written for
FIXTURE = REPO / "tests" / "fixtures" / "harbour-bridge.txt"
FIXTURE_ID = "gazette-harbour-bridge"
FIXTURE_META = {"outlet": "Harbour Gazette", "url": "https://example.org/bridge", "date": "2025-03-14",
                "newsmaker": "Anna Kovalenko"}


def copy_kit(dest: Path) -> Path:
    """The kit as an instructor has it: data (only the committed article), seeds, notebooks, the package."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.answers.json*")
    for name in ("data", "seeds", "notebooks", "solutions", "exercises", "reportkit"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)
    for name in ("pyproject.toml", "requirements.txt"):
        shutil.copy2(REPO / name, dest / name)
    for extra in (dest / "data").iterdir():  # no one else's work in progress
        if extra.is_dir() and extra.name != OWN:
            shutil.rmtree(extra)
    return dest


def codebook_kit(dest: Path) -> Path:
    """A kit with the codebook and no article yet (empty seeds/)."""
    shutil.copytree(REPO / "data", dest / "data", ignore=shutil.ignore_patterns("kyivpost-*"))
    (dest / "seeds").mkdir()
    return dest


def fixture_kit(dest: Path) -> Path:
    """A kit holding only the fictional test article, just made by `new` (every entry unreviewed)."""
    from reportkit.authoring import new_article

    new_article(FIXTURE_ID, FIXTURE, root=codebook_kit(dest), **FIXTURE_META)
    return dest
