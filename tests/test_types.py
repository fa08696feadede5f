"""The package type-checks: mypy on reportkit (the config names the modules not yet clean)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

KIT = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_errors_in_the_package(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(KIT / "tests" / "mypy.ini"),
         "--cache-dir", str(tmp_path / "mypy-cache"), "reportkit"],
        cwd=KIT, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_help_is_fast_because_subcommands_load_lazily() -> None:
    import time

    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "reportkit", "--help"], cwd=KIT, capture_output=True, text=True)
    took = time.perf_counter() - start
    assert out.returncode == 0 and "grade" in out.stdout and "codebook" in out.stdout
    baseline = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], cwd=KIT)
    interpreter = time.perf_counter() - baseline
    print(f"--help {took:.2f} s; a bare interpreter {interpreter:.2f} s ({took / interpreter:.1f}x)")
    assert took < 0.5 + interpreter  # the machine's own start-up time is not the kit's


def test_the_lazy_command_table_matches_what_the_modules_register() -> None:
    import argparse
    from importlib import import_module

    from reportkit.cli import PLUGIN_COMMANDS, PLUGIN_MODULES

    registered = {}
    for module in PLUGIN_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        import_module(module).register(sub)
        registered.update({action.dest: (module, action.help) for action in sub._choices_actions})
    assert registered == PLUGIN_COMMANDS


def test_a_plugin_command_still_parses_its_own_arguments() -> None:
    from reportkit.cli import build_parser

    args = build_parser("codebook").parse_args(["codebook", "some-article", "--out", "x.md"])
    assert args.article == "some-article" and str(args.out) == "x.md"
