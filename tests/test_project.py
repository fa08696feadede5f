"""The kit as a project: generated files up to date, lint clean, CI runs the README's command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kitpy import load_kit

from reportkit.article import load_article
from reportkit.handout import render

KIT = Path(__file__).resolve().parent.parent


def test_codebook_handout_is_up_to_date():
    article = load_article("kyivpost-2024-12-zelensky-kyodo", KIT)
    assert (KIT / "data" / "codebook.md").read_text("utf-8") == render(article), (
        "data/codebook.md is stale: run python -m reportkit codebook kyivpost-2024-12-zelensky-kyodo "
        "--out data/codebook.md"
    )


def test_ci_runs_exactly_the_readme_test_command():
    readme = (KIT / "README.md").read_text("utf-8")
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands[:2] == ["./kit lab", "./kit test"]
    ci = [line.strip() for line in (KIT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert ci == ["./kit test"]


def test_requirements_name_the_users_packages_and_install_the_kit():
    names = {re.split(r"[<>=\[ ]", line)[0].lower()
             for line in (KIT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")}
    assert {"jupyterlab", "ipywidgets", "matplotlib", "nbval", "-e"} <= names


def test_every_requirement_has_a_lower_bound_that_kit_lower_bounds_pins():
    """`./kit lower-bounds` turns each `name>=version` line into `name==version`; a line in another
    form would silently escape that run."""
    lines = [line.split("#")[0].strip() for line in (KIT / "requirements.txt").read_text("utf-8").splitlines()]
    packages = [line for line in lines if line and not line.startswith("-e")]
    odd = [line for line in packages if not re.fullmatch(r"[A-Za-z0-9_.-]+>=[0-9][^ ,;]*", line)]
    assert packages and not odd, f"requirements.txt lines without a plain lower bound: {odd}"
    assert "lower-bounds" in load_kit().COMMANDS


def test_package_passes_ruff():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "reportkit", "tests", "benchmarks"],
                            cwd=KIT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_checkpoints_caches_or_machine_paths_are_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=KIT, capture_output=True, text=True).stdout.split()
    if not tracked:  # not a git checkout (e.g. an unpacked release)
        return
    assert not [p for p in tracked if ".ipynb_checkpoints" in p or "__pycache__" in p]
    for path in (p for p in tracked if p.endswith(".ipynb")):
        text = (KIT / path).read_text("utf-8")
        assert not re.search(r'"/(root|tmp|home|work)/', text), f"{path} stores an absolute path"
