"""reportkit: a Jupyter kit that teaches how to read war reporting.

The package knows no article: articles live in the kit's ``data/`` and ``seeds/`` folders.
Importing the package is cheap; heavy modules (widgets, plotting, grading) load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Public name -> module that defines it; resolved lazily so `import reportkit` stays fast.
_LAZY = {
    "load_article": "reportkit.article",
    "list_articles": "reportkit.article",
    "Article": "reportkit.article",
    "Sentence": "reportkit.article",
    "DataError": "reportkit.errors",
    "load_codebook": "reportkit.key",
    "Tagger": "reportkit.tagger",
    "Checker": "reportkit.checks",
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'reportkit' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
