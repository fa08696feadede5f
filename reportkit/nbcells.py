"""Small readers of notebook cells shared by the release, the grader and the hand-in cell."""

from __future__ import annotations

from typing import Any


def cell_meta(cell: Any) -> dict[str, Any]:
    """The kit's own metadata of a cell (``metadata.reportkit``), or an empty dict."""
    data = (cell.get("metadata") or {}).get("reportkit") or {}
    return data if isinstance(data, dict) else {}


def cell_source(cell: Any) -> str:
    """A cell's source as one string (notebook JSON may store it as a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)
