"""The tagger in a real JupyterLab: click and keyboard tagging, Check, save, reload, restart.

One long scenario on purpose: starting JupyterLab and a kernel is the slow part.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from labdriver import CELL_TYPES, RUN_ALL, set_theme

from reportkit.answers import AnswersFile, read_answers_from_notebook

pytestmark = pytest.mark.browser

# Three tags by click, two by keyboard; s05 is deliberately wrong (key: narration).
CLICKED = {"s01": "reported", "s02": "quote", "s03": "quote"}
TYPED = {"s04": ("3", "analysis"), "s05": ("2", "reported")}
EXPECTED = {**CLICKED, **{sid: label for sid, (_, label) in TYPED.items()}}


def button(page, sid: str, label: str):  # noqa: ANN001, ANN201
    return page.locator(f".rk-row[data-id='{sid}'] button[data-label='{label}']")


ROW_STATE = "() => [...document.querySelectorAll('.rk-row')].map(r => r.dataset.id + '=' + r.dataset.label)"


def wait_all_tagged(page) -> None:  # noqa: ANN001
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        for sid, label in EXPECTED.items():
            button(page, sid, label).and_(page.locator("[aria-checked='true']")).wait_for(timeout=60_000)
        page.locator(".rk-progress", has_text="5 of 5 tagged").wait_for(timeout=30_000)
    except PlaywrightTimeout:
        rows = page.evaluate(ROW_STATE)
        status = page.locator(".rk-status").all_inner_texts()
        raise AssertionError(f"tags not all shown: rows {rows}, status {status}") from None


def wait_for_file(path: Path, read, want, timeout: float = 60) -> None:  # noqa: ANN001
    """Poll a file on disk until ``read(path) == want`` (JupyterLab saves asynchronously)."""
    deadline, got = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            got = read(path)
            if got == want:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.25)
    raise AssertionError(f"{path.name} never held {want!r}; last read {got!r}")


def nb_labels(path: Path) -> dict | None:
    found = read_answers_from_notebook(path)
    return None if found is None else found.current_labels()


def file_labels(path: Path) -> dict:
    return AnswersFile.from_dict(json.loads(path.read_text("utf-8"))).current_labels()


def test_tag_check_save_reload_restart(lab, page, shots_dir: Path):
    notebook = lab.root_dir / "tagger.ipynb"
    answers_file = lab.root_dir / "tag-all.answers.json"
    page.goto(lab.notebook_url("tagger.ipynb"))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.evaluate(RUN_ALL)
    rows = page.locator(".rk-row")
    rows.nth(4).wait_for()
    assert rows.count() == 5
    root = page.locator(".rk-tagger")
    assert root.get_attribute("data-lm-suppress-shortcuts") is not None
    # Focusable for clicks, but the Tab stop is the selected row's text (roving tabindex).
    assert root.get_attribute("tabindex") == "-1" and page.locator(".rk-main[tabindex='0']").count() == 1
    # Before Check only quotation marks are highlighted, never the key's cue words.
    assert page.locator(".rk-row[data-id='s02'] .rk-qm").count() == 2
    assert page.locator(".rk-cue").count() == 0
    cells_before = page.evaluate(CELL_TYPES)

    # --- three by click
    for sid, label in CLICKED.items():
        button(page, sid, label).click()
        button(page, sid, label).and_(page.locator("[aria-checked='true']")).wait_for()
    # --- two by keyboard: the click left focus on the widget, s03 selected
    page.locator(".rk-row[data-id='s03'].rk-selected").wait_for()
    assert page.evaluate("() => !!document.activeElement.closest('.rk-tagger')")
    # Keys that are notebook commands in command mode must not reach the notebook.
    for key in ["a", "b", "m", "y", "k", "j"]:
        page.keyboard.press(key)
    page.locator(".rk-row[data-id='s03'].rk-selected").wait_for()
    for sid, (key, _label) in TYPED.items():
        page.keyboard.press("j")
        page.locator(f".rk-row[data-id='{sid}'].rk-selected").wait_for()
        page.keyboard.press(key)
    wait_all_tagged(page)
    wait_for_file(answers_file, file_labels, EXPECTED)
    assert page.evaluate(CELL_TYPES) == cells_before, "a key reached the notebook"

    # --- undo by keyboard, then put the tag back
    page.keyboard.press("u")
    button(page, "s05", "reported").and_(page.locator("[aria-checked='false']")).wait_for()
    page.keyboard.press("2")
    wait_all_tagged(page)

    # --- Check: feedback on each tagged sentence, cue words, per-label summary
    page.locator(".rk-check").click()
    page.locator(".rk-summary", has_text="By key label").wait_for()
    assert page.locator(".rk-fb:visible").count() == 5
    page.locator(".rk-row[data-id='s05'] .rk-fb[data-status='wrong']", has_text="Rule N1").wait_for()
    page.locator(".rk-row[data-id='s01'] .rk-fb[data-status='correct']").wait_for()
    page.locator(".rk-row[data-id='s01'] mark.rk-cue", has_text="said").wait_for()
    assert "quote 2/2" in page.locator(".rk-summary").inner_text()
    widget = page.locator(".rk-tagger")
    widget.screenshot(path=str(shots_dir / "tagger-light.png"))
    set_theme(page, "JupyterLab Dark")
    widget.screenshot(path=str(shots_dir / "tagger-dark.png"))
    set_theme(page, "JupyterLab Light")

    # --- save with Ctrl+S while the widget has focus: the answers output goes into the .ipynb
    page.locator(".rk-row[data-id='s01'] .rk-text").click()
    page.keyboard.press("Control+s")
    wait_for_file(notebook, nb_labels, EXPECTED)

    # --- reload the page: the live kernel's widget comes back with its tags
    page.reload()
    page.locator(".rk-row").nth(4).wait_for()
    wait_all_tagged(page)

    # --- restart the kernel and run again: the tags come back from the answers file
    # Not awaited: the command's promise waits for the confirmation dialog clicked below.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.locator(".rk-status", has_text="Restored 5 answer(s)").wait_for()
    wait_all_tagged(page)
    assert page.locator(".rk-fb:visible").count() == 0  # feedback is per session, tags are not
    page.locator(".rk-row[data-id='s02'] .rk-text").click()
    page.keyboard.press("Control+s")
    wait_for_file(notebook, nb_labels, EXPECTED)
    assert page.evaluate(CELL_TYPES) == cells_before
