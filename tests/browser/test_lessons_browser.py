"""Every lesson and exercise in a real JupyterLab: it renders, lessons run clean, a screenshot each.

Lessons are run top to bottom in the browser's kernel and must show no error or warning
output. Exercises ship blank, so they are only opened and rendered (their check cells fail
on blank answers by design; tests/test_notebooks.py runs them with nbval).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from labdriver import CHROMIUM, RUN_ALL, Lab, running_lab

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
EXERCISES = sorted(p.name for p in (REPO / "exercises").glob("[0-9][0-9]-*.ipynb"))
ERROR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
ALL_RUN = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.widgets.filter(c => c.model.type === 'code');
  return cells.length > 0 && cells.every(c => c.model.executionCount !== null);
}"""


@pytest.fixture(scope="module")
def kit_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab over a copy of the kit, so runs leave nothing in the repo."""
    if not os.access(CHROMIUM, os.X_OK):
        # ./kit test installs Chromium, so in CI a missing browser is a failure, not a skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no Chromium at {CHROMIUM}")
    base = tmp_path_factory.mktemp("kit-lab")
    kit = base / "kit"
    for folder in ("notebooks", "exercises", "data", "seeds"):
        shutil.copytree(REPO / folder, kit / folder)
    # Render every cell, not only those in view, so error outputs anywhere are in the DOM.
    tracker = base / "state" / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}')
    with running_lab(base / "state", kit, env={"REPORTKIT_HOME": str(kit)}) as server:
        yield server


def open_notebook(page, lab: Lab, path: str) -> None:  # noqa: ANN001
    page.goto(lab.notebook_url(path))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.locator(".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown").first.wait_for()


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_clean_in_the_browser(kit_lab, page, shots_dir: Path, name: str):
    open_notebook(page, kit_lab, f"notebooks/{name}")
    # The objectives open every lesson; key points close it.
    page.locator(".jp-RenderedMarkdown", has_text="Objectives").first.wait_for()
    page.locator(".jp-RenderedMarkdown", has_text="Key points").last.wait_for(state="attached")
    page.evaluate(RUN_ALL)
    page.wait_for_function(ALL_RUN, timeout=180_000)
    errors = page.locator(ERROR_OUTPUT)
    assert errors.count() == 0, f"{name}: " + " | ".join(t[:300] for t in errors.all_inner_texts())
    page.screenshot(path=str(shots_dir / f"lesson-{Path(name).stem}.png"), full_page=True)


@pytest.mark.parametrize("name", EXERCISES)
def test_exercise_renders_in_the_browser(kit_lab, page, shots_dir: Path, name: str):
    open_notebook(page, kit_lab, f"exercises/{name}")
    assert page.locator(".jp-Notebook .jp-CodeCell").count() > 0
    assert page.locator(ERROR_OUTPUT).count() == 0  # exercises ship without outputs
    page.screenshot(path=str(shots_dir / f"exercise-{Path(name).stem}.png"), full_page=True)


def test_blank_exercise_shows_its_check_failures_in_the_browser(kit_lab, page):
    # Proves the error selector above sees real error outputs: blank answers fail their checks. The
    # failed check's one-line error is in the DOM (so the cell failed) but hidden behind its box.
    open_notebook(page, kit_lab, f"exercises/{EXERCISES[0]}")
    page.evaluate(RUN_ALL)
    page.locator(ERROR_OUTPUT, has_text="is not right yet").first.wait_for(state="attached", timeout=180_000)
    page.locator(".reportkit-check-wrong").first.wait_for()
    assert "not answered yet" in page.locator(".jp-Notebook").inner_text()
    assert not page.locator(ERROR_OUTPUT).first.is_visible()
