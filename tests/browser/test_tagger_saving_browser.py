"""The tagger never loses or mis-grades a tag silently (issue 11), in a real JupyterLab + Chromium.

Each scenario has its own notebook and exercise (its own answers file), so the scenarios share
one JupyterLab without sharing state; each shuts its kernels down at the end. What is checked on
disk is read from the files, never from the widget.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest
from labdriver import RUN_ALL, set_theme, write_notebook

from reportkit.answers import AnswersFile, read_answers_from_notebook

pytestmark = pytest.mark.browser

ACK_TIMEOUT_S = 5


def tagger_notebook(lab, name: str, exercise: str) -> Path:  # noqa: ANN001
    path = lab.root_dir / name
    write_notebook(path, [f"from reportkit import Tagger\n\nTagger('tiny-article', exercise={exercise!r})"])
    return path


def open_and_run(page, lab, name: str) -> None:  # noqa: ANN001
    page.goto(lab.notebook_url(name))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.evaluate(RUN_ALL)
    page.locator(".rk-row").nth(4).wait_for()
    wait_saved(page)


def wait_saved(page) -> None:  # noqa: ANN001
    """Every message of this view acknowledged (the view's `data-saving` is idle)."""
    page.locator(".rk-tagger[data-saving='idle']").wait_for()


def tag(page, sid: str, label: str) -> None:  # noqa: ANN001
    """Click a label and wait until the kernel acknowledged it and the row shows it."""
    button = page.locator(f".rk-row[data-id='{sid}'] button[data-label='{label}']")
    button.click()
    button.and_(page.locator("[aria-checked='true']")).wait_for()
    wait_saved(page)


def shows(page, labels: dict[str, str]) -> None:  # noqa: ANN001
    for sid, label in labels.items():
        page.locator(f".rk-row[data-id='{sid}'][data-label='{label}']").wait_for(timeout=30_000)
    page.locator(".rk-progress", has_text=f"{len(labels)} of 5 tagged").wait_for(timeout=30_000)


def file_labels(path: Path) -> dict[str, str]:
    return AnswersFile.from_dict(json.loads(path.read_text("utf-8"))).current_labels()


def notebook_copy(path: Path, exercise: str) -> AnswersFile | None:
    return read_answers_from_notebook(path, exercise)


def wait_until(check, what: str, timeout: float = 60) -> None:  # noqa: ANN001
    deadline, error = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, ValueError) as exc:
            error = exc
        time.sleep(0.25)
    raise AssertionError(f"never true: {what} (last error: {error})")


def shut_down_kernels(lab) -> None:  # noqa: ANN001
    """One kernel per scenario is enough on a shared 2-core machine."""
    with urllib.request.urlopen(f"{lab.url}/api/sessions?token={lab.token}") as r:
        sessions = json.load(r)
    for session in sessions:
        request = urllib.request.Request(f"{lab.url}/api/sessions/{session['id']}?token={lab.token}", method="DELETE")
        urllib.request.urlopen(request).close()


@pytest.fixture
def second_page(browser):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


def test_two_tabs_tag_in_turn(lab, page, second_page):
    """Tab 2 re-runs the cell (a second Tagger in the same kernel): both share one state, live."""
    tagger_notebook(lab, "tabs.ipynb", "tabs")
    answers = lab.root_dir / "tabs.answers.json"
    open_and_run(page, lab, "tabs.ipynb")
    open_and_run(second_page, lab, "tabs.ipynb")
    turns = [(page, "s01", "reported"), (second_page, "s02", "quote"), (page, "s03", "quote"),
             (second_page, "s04", "analysis"), (page, "s02", "narration")]  # tab 1 changes tab 2's tag
    for tab, sid, label in turns:
        tag(tab, sid, label)
    want = {"s01": "reported", "s02": "narration", "s03": "quote", "s04": "analysis"}
    assert file_labels(answers) == want  # no tag lost
    shows(page, want)
    shows(second_page, want)  # both views agree, without a re-run
    shut_down_kernels(lab)


def test_two_notebooks_two_kernels_one_file(lab, page, second_page):
    """Two notebooks on one answers file: two kernels, each merging under the file lock."""
    tagger_notebook(lab, "kernel-a.ipynb", "shared")
    tagger_notebook(lab, "kernel-b.ipynb", "shared")
    answers = lab.root_dir / "shared.answers.json"
    open_and_run(page, lab, "kernel-a.ipynb")
    open_and_run(second_page, lab, "kernel-b.ipynb")
    turns = [(page, "s01", "reported"), (second_page, "s02", "quote"), (page, "s03", "quote"),
             (second_page, "s04", "analysis"), (page, "s05", "narration"), (second_page, "s01", "quote")]
    for tab, sid, label in turns:
        tag(tab, sid, label)
    want = {"s01": "quote", "s02": "quote", "s03": "quote", "s04": "analysis", "s05": "narration"}
    assert file_labels(answers) == want  # no tag lost, the later change to s01 won
    shows(second_page, want)  # kernel B merged A's tags when it wrote
    page.locator(".rk-row[data-id='s02'] .rk-text").click()  # coming back to a widget reads the file again
    shows(page, want)
    shut_down_kernels(lab)


def test_reload_then_tag_then_save(lab, page, shots_dir: Path):
    """After a reload the notebook's copy cannot follow: the widget says so before Ctrl+S."""
    notebook = tagger_notebook(lab, "reload.ipynb", "reload")
    answers = lab.root_dir / "reload.answers.json"
    open_and_run(page, lab, "reload.ipynb")
    tag(page, "s01", "reported")
    assert page.locator(".rk-copywarn").is_hidden()  # the page that ran the cell updates the copy
    page.locator(".rk-row[data-id='s01'] .rk-text").click()
    page.keyboard.press("Control+s")
    wait_until(lambda: getattr(notebook_copy(notebook, "reload"), "current_labels", dict)() == {"s01": "reported"},
               "the saved notebook carries s01")

    page.reload()
    page.locator(".rk-row").nth(4).wait_for()
    warning = page.locator(".rk-copywarn")
    warning.wait_for()  # at once, before any tag
    tag(page, "s02", "quote")
    assert warning.is_visible() and "Run this cell again" in warning.inner_text()
    page.locator(".rk-tagger").screenshot(path=str(shots_dir / "tagger-copy-warning-light.png"))
    set_theme(page, "JupyterLab Dark")
    page.locator(".rk-tagger").screenshot(path=str(shots_dir / "tagger-copy-warning-dark.png"))
    set_theme(page, "JupyterLab Light")
    page.locator(".rk-row[data-id='s02'] .rk-text").click()
    page.keyboard.press("Control+s")
    # Saved anyway: the file holds both tags; the stale copy is older, and the grader grades the newer.
    assert file_labels(answers) == {"s01": "reported", "s02": "quote"}
    copy, on_disk = notebook_copy(notebook, "reload"), AnswersFile.from_dict(json.loads(answers.read_text("utf-8")))
    assert copy is not None and copy.revision < on_disk.revision

    # Doing what the warning says: re-run, tag, save -> the notebook and the file agree.
    page.evaluate(RUN_ALL)
    page.locator(".rk-copywarn").wait_for(state="hidden")
    tag(page, "s03", "quote")
    page.locator(".rk-row[data-id='s03'] .rk-text").click()
    page.keyboard.press("Control+s")
    want = {"s01": "reported", "s02": "quote", "s03": "quote"}

    def agree() -> bool:
        copy = notebook_copy(notebook, "reload")
        disk = AnswersFile.from_dict(json.loads(answers.read_text("utf-8")))
        return copy is not None and copy.current_labels() == want and copy.revision == disk.revision

    wait_until(agree, "the notebook's copy and the file agree (same labels, same revision)")
    shut_down_kernels(lab)


def test_restart_without_rerun_shows_banner_and_claims_nothing(lab, page, shots_dir: Path):
    tagger_notebook(lab, "restart.ipynb", "restart")
    answers = lab.root_dir / "restart.answers.json"
    open_and_run(page, lab, "restart.ipynb")
    tag(page, "s01", "reported")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-kernel'); }")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
    page.locator(".rk-row[data-id='s02'] .rk-text").click()
    pressed = time.monotonic()
    page.keyboard.press("2")
    banner = page.locator(".rk-banner")
    banner.wait_for(timeout=(ACK_TIMEOUT_S + 1) * 1000)
    assert time.monotonic() - pressed < ACK_TIMEOUT_S + 0.5, "the banner came later than 5 s after the key"
    assert "Not saved" in banner.inner_text() and "Run this cell again" in banner.inner_text()
    assert "restart.answers.json" in banner.inner_text()
    assert page.locator(".rk-status").inner_text() == "Not saved."
    assert "Saved to" not in page.locator(".rk-tagger").inner_text()  # nothing claims a save
    assert page.locator(".rk-row[data-id='s02'] button[aria-checked='true']").count() == 0
    page.keyboard.press("3")  # refused while disconnected
    assert file_labels(answers) == {"s01": "reported"}
    page.locator(".rk-tagger").screenshot(path=str(shots_dir / "tagger-banner-light.png"))
    set_theme(page, "JupyterLab Dark")
    page.locator(".rk-tagger").screenshot(path=str(shots_dir / "tagger-banner-dark.png"))
    set_theme(page, "JupyterLab Light")
    shut_down_kernels(lab)


def test_corrupt_file_offers_restore_from_notebook(lab, page, shots_dir: Path):
    notebook = tagger_notebook(lab, "corrupt.ipynb", "corrupt")
    answers = lab.root_dir / "corrupt.answers.json"
    open_and_run(page, lab, "corrupt.ipynb")
    want = {"s01": "reported", "s02": "quote", "s04": "analysis"}
    for sid, label in want.items():
        tag(page, sid, label)
    page.locator(".rk-row[data-id='s01'] .rk-text").click()
    page.keyboard.press("Control+s")
    wait_until(lambda: (c := notebook_copy(notebook, "corrupt")) is not None and c.current_labels() == want,
               "the saved notebook carries the tags")
    shut_down_kernels(lab)
    answers.write_text('{"format": 2, "labels": {"s01": ', encoding="utf-8")  # a half-written file

    page.reload()
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    page.evaluate(RUN_ALL)
    offer = page.locator(".rk-recovery")
    offer.wait_for()
    assert "corrupt.ipynb" in offer.inner_text() and "3 of your tags" in offer.inner_text()
    assert page.locator(".rk-notice", has_text="kept as corrupt.answers.json.bad-").is_visible()
    page.locator(".rk-tagger").screenshot(path=str(shots_dir / "tagger-recovery-light.png"))
    set_theme(page, "JupyterLab Dark")
    page.locator(".rk-tagger").screenshot(path=str(shots_dir / "tagger-recovery-dark.png"))
    set_theme(page, "JupyterLab Light")
    page.locator(".rk-restore").click()
    offer.wait_for(state="hidden")
    shows(page, want)
    wait_saved(page)
    assert file_labels(answers) == want
    assert len(list(lab.root_dir.glob("corrupt.answers.json.bad-*"))) == 1  # the broken file is kept
    shut_down_kernels(lab)
