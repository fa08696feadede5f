"""Step 5 — the sandboxed runner: real ``pytest --nbval-lax`` over a learner's rebuilt notebooks,
inside bubblewrap (:mod:`reportkit.grading.sandbox`), with a memory cap, a file-size cap, a
per-cell timeout and a wall-clock backstop. With ``--no-sandbox`` the same program runs as the
grader's user (the report says so at the top).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportkit.grading import sandbox

GUARD_LOG = ".reportkit-guard.jsonl"
PYTEST_LOG = ".reportkit-pytest.log"


@dataclass(frozen=True)
class RunLimits:
    timeout: float = 30.0  # seconds per cell
    memory_mb: int = 2048
    max_output_mb: float = 5.0
    max_file_mb: int = 200


DEFAULT_LIMITS = RunLimits()


@dataclass(frozen=True)
class RunPlace:
    """Where a learner's code runs: the key-free kit (read-only) and the learner's run folder."""

    kit: Path
    work: Path
    mpl: Path  # the learner's own matplotlib cache folder (writable)
    sandboxed: bool = True

    def inside(self, path: Path) -> str:
        """``path`` (in the run folder) as the program sees it."""
        return f"{sandbox.WORK}/{path.relative_to(self.work).as_posix()}" if self.sandboxed else str(path)


def _limit_resources(memory_bytes: int, file_bytes: int) -> Any:
    """A preexec_fn: caps apply to the sandbox and everything it starts."""
    import resource

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def command(place: RunPlace, program: list[str], env: dict[str, str]) -> tuple[list[str], dict[str, str] | None]:
    """The command line and environment (None: bwrap sets it inside) that run ``program``."""
    if place.sandboxed:
        return sandbox.bwrap_command(program, kit=place.kit, work=place.work, mpl=place.mpl, env=env), {}
    return program, sandbox.plain_environment(place.kit, place.work, env)


def run(place: RunPlace, program: list[str], env: dict[str, str], limits: RunLimits,
        backstop: float, log: Path) -> bool:
    """Run ``program`` in ``place``; False if it had to be stopped at the backstop."""
    cmd, environment = command(place, program, env)
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            cmd, cwd=place.work, env=environment or {"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=_limit_resources(limits.memory_mb * 2**20, limits.max_file_mb * 2**20),
        )
        try:
            process.wait(timeout=backstop)
            return True
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            process.wait()
            return False
        finally:
            _kill_group(process.pid)  # anything a learner left behind (outside the sandbox: --no-sandbox)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_notebooks(place: RunPlace, notebooks: list[str], limits: RunLimits, n_cells: int) -> tuple[bool, float]:
    """nbval over the rebuilt notebooks in ``place.work``; (finished in time, seconds)."""
    (place.work / "pytest.ini").write_text("[pytest]\n", "utf-8")
    program = [sys.executable, "-m", "pytest", "-p", "nbval.plugin", "-p", "reportkit.grading.nbval_guard",
               "-p", "no:cacheprovider", "--noconftest", "-c", "pytest.ini", "--rootdir", ".",
               "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout", str(limits.timeout),
               "-q", "--color=no", *notebooks]
    env = {"REPORTKIT_GUARD_LOG": place.inside(place.work / GUARD_LOG),
           "REPORTKIT_GUARD_MAX_OUTPUT": str(int(limits.max_output_mb * 2**20))}
    # Backstop: every cell may use its timeout, plus the kernels' start and stop.
    backstop = limits.timeout * (n_cells + 2) + 30 * len(notebooks) + 30
    started = time.monotonic()
    finished = run(place, program, env, limits, backstop, place.work.parent / PYTEST_LOG)
    return finished, time.monotonic() - started


def run_rule(place: RunPlace, job: dict[str, Any], limits: RunLimits, name: str) -> dict[str, Any] | None:
    """Run a rule answer again (``reportkit.grading.rulerun``) in ``place``; its record, or None."""
    job_file, out_file = place.work / f".rule-{name}.job.json", place.work / f".rule-{name}.out.json"
    job_file.write_text(json.dumps(job), "utf-8")
    out_file.unlink(missing_ok=True)
    program = [sys.executable, "-m", "reportkit.grading.rulerun", place.inside(job_file), place.inside(out_file)]
    finished = run(place, program, {}, limits, limits.timeout * 2 + 20, place.work.parent / f".rule-{name}.log")
    try:
        record = json.loads(out_file.read_text("utf-8")) if finished else None
    except (OSError, ValueError):
        record = None
    return record if isinstance(record, dict) else None


def read_guard_log(path: Path) -> list[dict[str, Any]]:
    events = []
    if path.is_file():
        for line in path.read_text("utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and "event" in event:
                events.append(event)
    return events
