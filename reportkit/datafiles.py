"""Reading the kit's JSON data files: parse, validate against a schema, report problems.

Problems are collected (not raised one at a time) so that `validate` lists them all.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from reportkit.errors import Problem

KIT_MARKER = Path("data") / "codebook.json"


def find_kit_root(start: Path | None = None) -> Path:
    """The folder holding ``data/`` and ``seeds/``.

    Looked for in ``$REPORTKIT_HOME``, then upwards from ``start`` (default: the working
    directory, so notebooks in ``notebooks/`` find the kit), then beside the package.
    """
    import os

    env = os.environ.get("REPORTKIT_HOME")
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / KIT_MARKER).is_file():
            return folder
    beside_package = Path(__file__).resolve().parent.parent
    if (beside_package / KIT_MARKER).is_file():
        return beside_package
    raise FileNotFoundError(
        f"no kit found: looked for {KIT_MARKER.as_posix()} in {here} and its parents; "
        "set REPORTKIT_HOME to the kit's folder"
    )


@cache
def _validator(schema_name: str) -> Any:
    import jsonschema

    text = resources.files("reportkit.schemas").joinpath(f"{schema_name}.json").read_text("utf-8")
    schema = json.loads(text)
    return jsonschema.Draft202012Validator(schema)


def _record_name(document: Any, path: list[Any]) -> tuple[str | None, str | None]:
    """Turn a jsonschema error path into (record, field): records are named by their id."""
    record = field = None
    node = document
    for i, step in enumerate(path):
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            item = node[step]
            ident = item.get("id") if isinstance(item, dict) else None
            record = f"'{ident}' (#{step + 1})" if ident else f"#{step + 1}"
            rest = [str(s) for s in path[i + 1 :]]
            field = ".".join(rest) or None
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    if record is None and path:
        field = ".".join(str(s) for s in path)
    return record, field


def _no_duplicate_keys(pairs: list[tuple[str, Any]], duplicates: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            duplicates.append(key)
        seen[key] = value
    return seen


def read_json(path: Path, schema_name: str, problems: list[Problem], shown: str) -> Any | None:
    """Parse ``path`` and check it against a schema; add a Problem per error. None if unusable."""
    duplicates: list[str] = []
    try:
        document = json.loads(path.read_text(encoding="utf-8"),
                              object_pairs_hook=lambda pairs: _no_duplicate_keys(pairs, duplicates))
    except FileNotFoundError:
        problems.append(Problem(shown, None, None, "file is missing"))
        return None
    except UnicodeDecodeError as exc:
        problems.append(Problem(shown, None, None, f"not UTF-8 text ({exc.reason})"))
        return None
    except json.JSONDecodeError as exc:
        problems.append(
            Problem(shown, None, None, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        )
        return None
    for name in duplicates:  # JSON keeps the last of two equal keys: the first one's content would be lost unseen
        problems.append(Problem(shown, None, name, "this key appears twice in one object; merge the two"))
    errors = sorted(_validator(schema_name).iter_errors(document), key=lambda e: list(e.path))
    for error in errors:
        record, field = _record_name(document, list(error.path))
        problems.append(Problem(shown, record, field, error.message))
    return None if errors or duplicates else document


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` so a reader, or a crash, sees the old file or the new one, never half of one.

    A temporary file in the same folder is written, fsynced and renamed over ``path``
    (os.replace is atomic within one file system); it keeps the mode the file had. Learners'
    answers and the instructor's key are both saved this way.
    """
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); keep the mode the file had, or the usual one.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # never leave temporary files behind
        raise
    return path
