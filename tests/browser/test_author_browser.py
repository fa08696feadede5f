"""Author mode in a real JupyterLab: fix a label by keyboard, fill the panel, Confirm, Enter, reload.

The kit is a temporary one holding only the test article made by `new` (baseline proposals,
unreviewed); every check of saving reads its key.json from disk.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kits import FIXTURE_ID as ARTICLE
from kits import fixture_kit
from labdriver import CHROMIUM, RUN_ALL, Lab, axe_audit, running_lab, set_theme, write_notebook

pytestmark = pytest.mark.browser

NOTEBOOK = "author.ipynb"
RATIONALE = "Analyst Nowak forecasts the closure's effects from outside the events (A1)."
NOTE = "The grammar is indirect speech with 'said' (A3)."


@pytest.fixture(scope="module")
def author_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, Path]]:
    if not os.access(CHROMIUM, os.X_OK):
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no Chromium at {CHROMIUM}")
    base = tmp_path_factory.mktemp("author-lab")
    kit = fixture_kit(base / "kit")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / NOTEBOOK, [f"from reportkit import Tagger\n\nTagger({ARTICLE!r}, author=True)"])
    with running_lab(base / "state", notebooks, env={"REPORTKIT_HOME": str(kit)}) as lab:
        yield lab, kit


def entries(kit: Path) -> dict[str, dict]:
    return {e["id"]: e for e in json.loads((kit / "data" / ARTICLE / "key.json").read_text("utf-8"))["entries"]}


def wait_for_key(kit: Path, want, timeout: float = 30) -> dict[str, dict]:  # noqa: ANN001
    """Poll key.json until ``want(entries)`` holds (the kernel saves as messages arrive)."""
    deadline, got = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            got = entries(kit)
            if want(got):
                return got
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"key.json never reached the expected state; last read: {json.dumps(got)[:2000]}")


def assert_accessible(page, theme: str) -> None:  # noqa: ANN001
    """axe-core on the widget (rows, the open key panel): no WCAG 2.1 A/AA violation; contrast measured."""
    violations, passed = axe_audit(page)
    assert not violations, f"axe, author mode, {theme}:\n" + "\n".join(violations)
    assert "color-contrast" in passed


def row(page, sid: str):  # noqa: ANN001, ANN201
    return page.locator(f".rk-row[data-id='{sid}']")


def test_review_by_keyboard_and_button_then_reload(author_lab, page, shots_dir: Path):
    lab, kit = author_lab
    page.goto(lab.notebook_url(NOTEBOOK))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.evaluate(RUN_ALL)
    row(page, "s11").wait_for()
    page.locator(".rk-progress", has_text="0 of 11 reviewed").wait_for()
    assert page.locator(".rk-badge[data-state='proposed']").count() == 11
    assert "reporting cue" in row(page, "s01").locator(".rk-reason").inner_text()
    assert page.locator(".rk-check").is_hidden()

    # --- fix s07's label by keyboard: 2 (reported) is saved at once, 3 puts back analysis
    row(page, "s07").locator(".rk-text").click()
    panel = row(page, "s07").locator(".rk-author-panel")
    panel.wait_for()
    page.keyboard.press("2")
    row(page, "s07").locator("button[data-label='reported'][aria-checked='true']").wait_for()
    wait_for_key(kit, lambda e: e["s07"]["label"] == "reported" and not e["s07"]["reviewed"])
    page.keyboard.press("3")
    row(page, "s07").locator("button[data-label='analysis'][aria-checked='true']").wait_for()
    wait_for_key(kit, lambda e: e["s07"]["label"] == "analysis")

    # --- the rationale: r focuses it (prefilled with a suggestion); replace it
    assert "(A1)" in panel.locator(".rk-rationale").input_value()
    page.keyboard.press("r")
    page.keyboard.press("Control+a")
    page.keyboard.type(RATIONALE)
    page.keyboard.press("Escape")  # back to the sentences; leaving the field saves it
    wait_for_key(kit, lambda e: e["s07"]["rationale"] == RATIONALE)
    # A cue that is not in the sentence is refused, visibly, and nothing is saved.
    panel.locator(".rk-cue-input").fill("declared")
    panel.locator(".rk-cue-input").press("Tab")
    panel.locator(".rk-a-error", has_text="does not occur in the sentence").wait_for()
    assert entries(kit)["s07"]["attribution"]["cue"] == "said"
    # --- tick a rule and accept an alternative with its note, then the Confirm button
    panel.locator(".rk-rule input[value='A3']").check()
    panel.locator(".rk-alt[data-label='reported'] input[type='checkbox']").check()
    panel.locator(".rk-alt[data-label='reported'] .rk-note").fill(NOTE)
    panel.locator(".rk-cue-input").fill("said")
    panel.locator(".rk-confirm").click()
    key = wait_for_key(kit, lambda e: e["s07"]["reviewed"])
    assert key["s07"]["label"] == "analysis" and key["s07"]["rules"] == ["A1", "A3"]
    assert key["s07"]["rationale"] == RATIONALE
    assert key["s07"]["accepted"] == [{"label": "reported", "note": NOTE}]
    assert key["s07"]["attribution"]["cue"] == "said"

    # --- Confirm moved on to s08; Enter confirms it with the suggested fields and moves to s09
    row(page, "s08").locator(".rk-author-panel").wait_for()
    row(page, "s07").locator(".rk-badge[data-state='reviewed']").wait_for()
    page.keyboard.press("Enter")
    key = wait_for_key(kit, lambda e: e["s08"]["reviewed"])
    assert key["s08"]["rules"] == ["N1"] and "(N1)" in key["s08"]["rationale"]
    row(page, "s09").locator(".rk-author-panel").wait_for()
    page.locator(".rk-progress", has_text="2 of 11 reviewed").wait_for()
    assert not any(e["reviewed"] for sid, e in key.items() if sid not in ("s07", "s08"))
    # Tall enough for the whole widget, so the screenshot shows every row and the panel.
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.locator(".rk-tagger").screenshot(path=str(shots_dir / "author-mode.png"))
    assert_accessible(page, "light")
    set_theme(page, "JupyterLab Dark")
    page.locator(".rk-tagger").screenshot(path=str(shots_dir / "author-mode-dark.png"))
    assert_accessible(page, "dark")
    set_theme(page, "JupyterLab Light")
    page.set_viewport_size({"width": 1280, "height": 1000})
    # Keys typed faster than the kernel answers (both in one tick): Enter waits for the new
    # label's own entry, so s09 is confirmed with analysis's suggestion, not reported's.
    page.evaluate("""() => { const root = document.querySelector('.rk-tagger');
        for (const key of ['3', 'Enter'])
            root.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true})); }""")
    key = wait_for_key(kit, lambda e: e["s09"]["reviewed"])
    assert key["s09"]["label"] == "analysis" and key["s09"]["rules"] == ["A1"], key["s09"]

    # --- reload the page and run the cell again: the new widget reads key.json
    page.reload()
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.evaluate(RUN_ALL)
    page.locator(".rk-progress", has_text="3 of 11 reviewed").wait_for()
    assert page.locator(".rk-tagger").count() == 1
    for sid in ("s07", "s08", "s09"):
        row(page, sid).locator(".rk-badge[data-state='reviewed']").wait_for()
    row(page, "s07").locator(".rk-text").click()
    panel = row(page, "s07").locator(".rk-author-panel")
    panel.wait_for()
    page.wait_for_function(
        "(want) => document.querySelector(\".rk-row[data-id='s07'] .rk-rationale\")?.value === want", arg=RATIONALE)
    assert panel.locator(".rk-rule input[value='A3']").is_checked()
    assert panel.locator(".rk-alt[data-label='reported'] .rk-note").input_value() == NOTE
    assert not list(lab.root_dir.glob("*.answers.json"))  # author mode writes the key only
    # Show → unreviewed hides the confirmed rows; n goes to the next unreviewed sentence.
    page.locator(".rk-filter").select_option("unreviewed")
    row(page, "s07").wait_for(state="hidden")
    assert row(page, "s08").is_hidden() and row(page, "s10").is_visible()
    page.locator(".rk-tagger").focus()
    page.keyboard.press("n")
    page.locator(".rk-row.rk-selected[data-id='s10']").wait_for()
