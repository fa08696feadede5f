"""Fixtures for the browser tests: a private JupyterLab over a copy of the tiny kit, and Chromium.

The notebook folder and the kit live in pytest's temporary folders, so nothing is written
into the repo except screenshots under ``test-output/browser/`` (gitignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from labdriver import CHROMIUM, Lab, launch_chromium, running_lab, write_notebook

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "browser"
NOTEBOOK = "tagger.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, kit_builder) -> Iterator[Lab]:
    """JupyterLab serving a folder with ``tagger.ipynb`` (imports reportkit, shows a Tagger)."""
    if not os.access(CHROMIUM, os.X_OK):
        # ./kit test installs Chromium, so in CI a missing browser is a failure, not a skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"no Chromium at {CHROMIUM}")
    base = tmp_path_factory.mktemp("lab")
    kit = kit_builder(base / "kit")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / NOTEBOOK, ["from reportkit import Tagger\n\nTagger('tiny-article')"])
    with running_lab(base / "state", notebooks, env={"REPORTKIT_HOME": str(kit)}) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(90_000)  # the machine is slow and shared
    page.on("dialog", lambda dialog: dialog.accept())  # "leave page?" on reload
    # Browser console errors end up in the test's captured output when it fails.
    page.on("console", lambda msg: msg.type in ("error", "warning") and print(f"console {msg.type}: {msg.text[:500]}"))
    yield page
    context.close()


@pytest.fixture(scope="session")
def shots_dir() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
