"""A check cell in real JupyterLab: one coloured box, no traceback, no Result repr, in both themes.

The wrong check still fails the cell (nbval sees it: tests/test_notebooks.py runs the blank
exercises); here we look at what the learner sees, and save screenshots of a right and a wrong
check in the light and the dark theme.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from labdriver import CHROMIUM, RUN_ALL, Lab, axe_audit, running_lab, write_notebook

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTICLE = "kyivpost-2024-12-zelensky-kyodo"
OUTPUTS = ".jp-Notebook .jp-OutputArea-output"


@pytest.fixture(scope="module")
def check_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    if not os.access(CHROMIUM, os.X_OK):
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no Chromium at {CHROMIUM}")
    base = tmp_path_factory.mktemp("check-lab")
    kit = base / "kit"
    for folder in ("data", "seeds"):
        shutil.copytree(REPO / folder, kit / folder)
    (kit / "notebooks").mkdir()
    # The right check first: JupyterLab's run-all stops at the failing one.
    write_notebook(kit / "notebooks" / "checks.ipynb", [
        f'from reportkit.checks import Checker\ncheck = Checker("{ARTICLE}")',
        'check("q02_2", "reported")',
        'check("q01_4", "narration")  # wrong: s16 is a reported claim',
    ])
    with running_lab(base / "state", kit, env={"REPORTKIT_HOME": str(kit)}) as server:
        yield server


def test_a_check_shows_one_box_and_no_traceback_in_both_themes(check_lab, page, shots_dir: Path):
    from labdriver import set_theme

    page.goto(check_lab.notebook_url("notebooks/checks.ipynb"))
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
    page.evaluate(RUN_ALL)
    boxes = page.locator(".reportkit-check")
    boxes.nth(1).wait_for(timeout=180_000)
    assert boxes.count() == 2
    right, wrong = boxes.nth(0).inner_text(), boxes.nth(1).inner_text()
    assert right.startswith("✔ Right") and "s05: right" in right
    assert wrong.startswith("✘ Not yet") and "names no source" in wrong
    outputs = " ".join(o.inner_text() for o in page.locator(OUTPUTS).all() if o.is_visible())
    assert "Traceback" not in outputs and "Result(" not in outputs and "CheckFailed" not in outputs
    # The box wraps at word boundaries in the content font, not in a monospace pre.
    assert boxes.nth(1).evaluate("e => getComputedStyle(e).whiteSpace") == "normal"
    for theme, name in (("JupyterLab Light", "light"), ("JupyterLab Dark", "dark")):
        set_theme(page, theme)
        page.locator(".jp-Notebook").screenshot(path=str(shots_dir / f"check-box-{name}.png"))
        # axe-core on the check outputs (right and wrong): no WCAG 2.1 A/AA violation, contrast measured
        violations, passed = axe_audit(page, scope=".reportkit-check")
        assert not violations, f"axe, check output, {name}:\n" + "\n".join(violations)
        assert "color-contrast" in passed, f"axe did not measure the check output's contrast ({name})"
