"""The tagger with a keyboard only and a screen reader's view of it, audited with axe-core (issue 17).

No screen reader runs headless: what one would announce is asserted through the accessibility
tree Playwright computes (roles, names, the live region's text). axe-core runs on the widget only,
in the light and the dark theme, before tagging, after tagging and after Check.
"""

from __future__ import annotations

import re

import pytest
from labdriver import RUN_ALL, axe_audit, set_theme, write_notebook

pytestmark = pytest.mark.browser

ACTIVE = "() => { const a = document.activeElement; return [a.className, a.closest('.rk-row')?.dataset.id || '']; }"


def audit(page, state: str, theme: str) -> None:  # noqa: ANN001
    violations, passed = axe_audit(page)
    assert not violations, f"axe, {theme}, {state}:\n" + "\n".join(violations)
    assert "color-contrast" in passed, f"axe did not measure contrast ({theme}, {state})"


def active(page) -> tuple[str, str]:  # noqa: ANN001
    cls, sid = page.evaluate(ACTIVE)
    return cls, sid


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_keyboard_only_tagging_with_axe(lab, page, theme: str, shots_dir):
    exercise = "a11y-dark" if "Dark" in theme else "a11y-light"
    write_notebook(lab.root_dir / f"{exercise}.ipynb",
                   [f"from reportkit import Tagger\n\nTagger('tiny-article', exercise={exercise!r})"])
    page.goto(lab.notebook_url(f"{exercise}.ipynb"))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    set_theme(page, theme)
    page.evaluate(RUN_ALL)
    page.locator(".rk-row").nth(4).wait_for()
    page.locator(".rk-tagger[data-saving='idle']").wait_for()

    # Semantics: a labelled group described by its help; a grid of rows named by id and text.
    widget = page.get_by_role("group", name=re.compile("^Sentence tagger: Talks to resume"))
    assert widget.get_attribute("aria-describedby")
    assert page.locator(".rk-legend[aria-label]").count() == 0
    grid = page.get_by_role("grid")
    assert grid.get_by_role("row").count() == 5
    row1 = page.get_by_role("row", name=re.compile(r"^s01 Minister Jane Roe said"))
    assert row1.count() == 1
    assert page.get_by_role("radiogroup", name=re.compile(r"^Label for s02: .We are ready to talk")).count() == 1
    # Roving tabindex: exactly one Tab stop among the rows (the first row's text until one is chosen).
    assert page.locator(".rk-main[tabindex='0']").count() == 1
    audit(page, "initial", theme)

    # Keyboard only: Tab arrives at the rows' one Tab stop; j, arrows, digits, Enter, c, Esc.
    page.locator(".rk-main[tabindex='0']").focus()
    page.keyboard.press("j")
    assert active(page) == ("rk-main", "s01")
    page.keyboard.press("2")
    status = page.get_by_role("status").filter(has_text="s01")
    status.wait_for(state="attached")
    assert status.inner_text() == "s01: Reported claim — 1 of 5 tagged"
    page.keyboard.press("ArrowDown")
    assert active(page) == ("rk-main", "s02")
    page.keyboard.press("ArrowRight")  # onto the labels: moving never tags
    assert active(page) == ("rk-label", "s02")
    assert page.locator(".rk-row[data-id='s02'] [aria-checked='true']").count() == 0
    page.keyboard.press("Enter")  # the focused label: quote
    page.locator(".rk-row[data-id='s02'] button[data-label='quote'][aria-checked='true']").wait_for()
    assert active(page) == ("rk-label", "s02")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowDown")
    assert active(page) == ("rk-main", "s03")
    assert page.locator(".rk-main[tabindex='0']").count() == 1
    page.keyboard.press("1")
    page.get_by_role("status").filter(has_text="s03: Direct quote — 3 of 5 tagged").wait_for(state="attached")
    page.locator(".rk-tagger[data-saving='idle']").wait_for()
    audit(page, "tagged", theme)

    page.keyboard.press("c")
    page.locator(".rk-summary", has_text="By key label").wait_for()
    page.get_by_role("status").filter(has_text="Checked.").wait_for(state="attached")
    # Each row's verdict is linked to its labels.
    fb_id = page.locator(".rk-row[data-id='s01'] .rk-fb").get_attribute("id")
    assert page.locator(".rk-row[data-id='s01'] .rk-choices").get_attribute("aria-describedby") == fb_id
    page.locator(".rk-tagger[data-saving='idle']").wait_for()
    audit(page, "checked", theme)
    snapshot = page.locator(".rk-body").aria_snapshot()
    assert re.search(r'row "s01 Minister Jane Roe said', snapshot), snapshot[:2000]
    assert "[checked]" in snapshot, snapshot[:2000]
    page.locator(".rk-tagger").screenshot(path=str(shots_dir / f"tagger-a11y-{exercise}.png"))

    page.keyboard.press("Escape")  # focus back to the notebook: its shortcuts work again
    left = page.evaluate("() => [!!document.activeElement.closest('.rk-tagger'), "
                         "!!document.activeElement.closest('.jp-Notebook')]")
    assert left == [False, True]
    set_theme(page, "JupyterLab Light")
