"""A pytest plugin loaded next to nbval when the grader runs a learner's notebook.

nbval alone waits a whole cell timeout when the kernel dies (``os._exit(1)``) and keeps
every byte a cell prints in memory. This plugin, loaded with ``-p reportkit.grading.nbval_guard``
in the grader's pytest subprocess (never in a learner's kernel), makes both cheap and clear:

* kernel death is noticed within a fraction of a second (the wait for a message polls
  ``is_alive``) and fails the cell with ``KernelDied``;
* output beyond ``REPORTKIT_GUARD_MAX_OUTPUT`` bytes per notebook is dropped, not stored;
* each cell's outcome is appended, one JSON line per event, to ``REPORTKIT_GUARD_LOG``, so
  the grader learns what happened even if it has to kill pytest — structured, from the kernel's
  own ``error`` message (``ename``, ``evalue``) and nbval's state (timed out), never parsed
  from pytest's prose.
"""

from __future__ import annotations

import json
import os
import time
from queue import Empty
from typing import Any

import pytest
from nbval import kernel as nbval_kernel

POLL_SECONDS = 0.2
_LOG = os.environ.get("REPORTKIT_GUARD_LOG", "")
_MAX_OUTPUT = int(os.environ.get("REPORTKIT_GUARD_MAX_OUTPUT", str(5 * 2**20)))
_current: dict[str, Any] = {"nodeid": None}
_errors: dict[str, dict[str, str]] = {}  # nodeid -> the kernel's error message (ename, evalue)
_output_bytes: dict[str, int] = {}  # notebook path -> bytes of output kept so far
_capped: set[str] = set()


class KernelDied(RuntimeError):
    """The kernel process ended while a cell was running."""


def _log(event: dict[str, Any]) -> None:
    if not _LOG:
        return
    with open(_LOG, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(event) + "\n")


def _size(content: dict[str, Any]) -> int:
    if "text" in content:
        return len(content["text"])
    data = content.get("data") or {}
    total = 0
    for value in data.values():
        total += len(value) if isinstance(value, str) else len(json.dumps(value))
    return total + sum(len(line) for line in content.get("traceback") or [])


def _cap(msg: dict[str, Any]) -> None:
    """Count a cell's output; past the cap, drop it so pytest's memory stays bounded."""
    if msg.get("msg_type") not in ("stream", "display_data", "execute_result", "update_display_data"):
        return
    nodeid = _current["nodeid"] or "?"
    notebook = nodeid.split("::")[0]
    content = msg["content"]
    kept = _output_bytes.get(notebook, 0) + _size(content)
    _output_bytes[notebook] = kept
    if kept <= _MAX_OUTPUT:
        return
    if notebook not in _capped:
        _capped.add(notebook)
        _log({"event": "output-limit", "nodeid": nodeid, "limit": _MAX_OUTPUT})
    if "text" in content:
        content["text"] = ""
    if "data" in content:
        content["data"] = {"text/plain": ""}


def _note_error(msg: dict[str, Any]) -> None:
    if msg.get("msg_type") == "error" and _current["nodeid"]:
        content = msg.get("content") or {}
        _errors[_current["nodeid"]] = {"ename": str(content.get("ename", ""))[:200],
                                       "evalue": str(content.get("evalue", ""))[:500]}


def _install() -> None:
    original = nbval_kernel.RunningKernel.get_message
    if getattr(original, "_reportkit_guard", False):
        return

    def get_message(self: Any, stream: str, timeout: float | None = None) -> dict[str, Any]:
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        while True:
            left = POLL_SECONDS if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                msg = original(self, stream, timeout=min(POLL_SECONDS, left))
            except Empty:
                if not self.is_alive():
                    _log({"event": "kernel-died", "nodeid": _current["nodeid"]})
                    raise KernelDied(
                        "the kernel died while running this cell (the code ended the process, "
                        "e.g. os._exit(), or it ran out of memory)"
                    ) from None
                if deadline is not None and time.monotonic() >= deadline:
                    raise
                continue
            if stream == "iopub":
                _note_error(msg)
                _cap(msg)
            return msg

    get_message._reportkit_guard = True  # type: ignore[attr-defined]
    nbval_kernel.RunningKernel.get_message = get_message


_install()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _current["nodeid"] = item.nodeid


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" and report.outcome == "passed":
        return
    event: dict[str, Any] = {
        "event": "cell", "nodeid": report.nodeid, "when": report.when,
        "outcome": report.outcome, "duration": round(report.duration, 3),
        "timed_out": bool(getattr(item.parent, "timed_out", False)),
    }
    if getattr(report, "wasxfail", None) is not None:
        event["xfail"] = True
    if call.excinfo is not None:
        event["exception"] = call.excinfo.type.__name__  # NbCellError, KernelDied, RuntimeError …
    event.update(_errors.get(report.nodeid, {}))
    _log(event)
