"""Step 5c — outcomes: the guard plugin's structured events (one JSON line per cell) turned into a
learner's status, notes and flags, and, per notebook, why it stopped early."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reportkit.grading.model import FlagCode, LearnerResult, Status

GRADER_CELL_PREFIX = "reportkit-grader"


def _where(nodeid: str) -> tuple[str, int] | None:
    match = re.match(r"(.+?)::Cell (\d+)$", nodeid or "")
    return (Path(match.group(1)).name, int(match.group(2))) if match else None


def _cell_id(code_cells: dict[str, list[Any]], where: tuple[str, int] | None) -> str | None:
    if where and where[0] in code_cells and where[1] < len(code_cells[where[0]]):
        return str(code_cells[where[0]][where[1]].get("id", ""))
    return None


def _describe(event: dict[str, Any]) -> str:
    ename, evalue = event.get("ename"), event.get("evalue")
    if not ename:
        return "an error"
    return f"{ename}: {evalue}"[:200] if evalue else str(ename)


class Outcomes:
    """Reads the events of one learner's run into ``result``; ``halted`` says why a notebook stopped."""

    def __init__(self, result: LearnerResult, code_cells: dict[str, list[Any]], limits: Any) -> None:
        self.result, self.code_cells, self.limits = result, code_cells, limits
        self.halted: dict[str, str] = {}

    def read(self, events: list[dict[str, Any]], finished: bool) -> dict[str, str]:
        died_in = {e.get("nodeid") for e in events if e.get("event") == "kernel-died"}
        for event in events:
            where = _where(str(event.get("nodeid", "")))
            notebook = where[0] if where else "?"
            cell = _cell_id(self.code_cells, where)
            name = f"cell {cell}" if cell else "a cell"
            if event["event"] == "output-limit":
                self.output_limit(notebook, name)
            elif event["event"] == "kernel-died":
                self.kernel_died(notebook, name)
            elif event["event"] == "cell" and event.get("outcome") == "failed" and not event.get("xfail"):
                if event.get("nodeid") not in died_in and not (cell or "").startswith(GRADER_CELL_PREFIX):
                    self.cell_failed(event, notebook, name)
        if not finished:
            self.result.worsen(Status.TIMEOUT)
            self.result.notes.append("the notebooks did not finish within the grader's time limit and were stopped.")
            for notebook in self.code_cells:
                self.halted.setdefault(notebook, "the run was stopped (time limit)")
        return self.halted

    def output_limit(self, notebook: str, name: str) -> None:
        self.result.worsen(Status.OUTPUT_LIMIT)
        self.result.notes.append(f"{notebook}: {name} printed more than {self.limits.max_output_mb:g} MB; the rest of "
                                 "the output was dropped (grading went on).")

    def kernel_died(self, notebook: str, name: str) -> None:
        if notebook in self.halted:
            return
        self.result.worsen(Status.KERNEL_DIED)
        self.halted[notebook] = f"the kernel died in {name}"
        self.result.notes.append(f"{notebook}: the kernel died while running {name} (os._exit, a crash, too much "
                                 "memory or too large a file); later cells did not run.")

    def cell_failed(self, event: dict[str, Any], notebook: str, name: str) -> None:
        if event.get("exception") in ("KernelDied", "RuntimeError"):
            return  # the kernel-died event says it ("Kernel dead on test start" is a RuntimeError)
        interrupted = event.get("ename") == "KeyboardInterrupt"  # nbval interrupts a cell past its timeout
        if interrupted or (event.get("timed_out") and not event.get("ename")):
            self.result.worsen(Status.TIMEOUT)
            self.halted.setdefault(notebook, f"{name} ran past the time limit")
            self.result.notes.append(f"{notebook}: {name} ran longer than {self.limits.timeout:g} s and was "
                                     "interrupted.")
        elif event.get("ename") == "MemoryError":
            self.result.worsen(Status.MEMORY_LIMIT)
            self.result.notes.append(f"{notebook}: {name} ran out of memory (limit {self.limits.memory_mb} MB).")
        else:
            self.result.flag(FlagCode.CELL_ERROR, f"{name} raised {_describe(event)}", notebook)
