"""Start a throwaway JupyterLab and a headless Chromium (shared by browser tests and benchmarks).

Everything JupyterLab writes (config, settings, workspaces, runtime files, IPython profile)
goes to a temporary folder, so a run never touches the user's or the repo's Jupyter state.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = os.environ.get("REPORTKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@dataclass
class Lab:
    url: str
    token: str
    root_dir: Path
    log: Path
    process: subprocess.Popen

    def notebook_url(self, name: str) -> str:
        # ?reset: start from a clean workspace, whatever an earlier page left open.
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(path: Path, sources: list[str]) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Tag the sentences")]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, path)
    return path


@contextmanager
def running_lab(state_dir: Path, root_dir: Path, env: dict[str, str] | None = None,
                timeout: float = 180) -> Iterator[Lab]:
    """Run ``jupyter lab`` on a free port with a token until the block ends."""
    state_dir.mkdir(parents=True, exist_ok=True)
    settings = state_dir / "settings"
    notify = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notify.parent.mkdir(parents=True, exist_ok=True)
    # No "would you like news?" toast covering the notebook, no update check (no network).
    notify.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    full_env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state_dir / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(state_dir / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(state_dir / "runtime"),
        "IPYTHONDIR": str(state_dir / "ipython"),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    port, token = free_port(), secrets.token_hex(16)
    log = state_dir / "jupyterlab.log"
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
        # Lets tests call JupyterLab commands (run all, restart, theme) instead of hunting menus.
        "--LabApp.expose_app_in_browser=True",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, cwd=root_dir, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}", token, root_dir, log, process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({process.returncode}):\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{lab.url}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not start in {timeout}s:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        yield lab
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def launch_chromium(playwright):  # noqa: ANN201 - playwright Browser
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


# JavaScript run in the page; needs --LabApp.expose_app_in_browser.
RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
}"""

CELL_TYPES = "() => window.jupyterapp.shell.currentWidget.content.widgets.map(c => c.model.type)"


def set_theme(page, name: str) -> None:  # noqa: ANN001
    page.evaluate("(t) => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", name)
    light = "true" if "Light" in name else "false"
    page.wait_for_selector(f"body[data-jp-theme-light='{light}']", state="attached")
    # A theme change shows the splash screen over the page until the new CSS is in.
    page.locator("#jupyterlab-splash").wait_for(state="detached")


# ---------------------------------------------------------------------------- accessibility (axe-core)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_audit(page, scope: str = ".rk-tagger") -> tuple[list[str], set[str]]:  # noqa: ANN001
    """axe-core (bundled by axe-playwright-python, no Node) on ``scope`` only: (violations, rules passed).

    JupyterLab's own findings are left out by the scope. Its ``body`` is laid out as a zero-height
    box with the app absolutely positioned inside, and axe then treats much of the notebook as not
    visible (colour contrast is skipped as "incomplete"); a height on the test page fixes that. The
    returned passed rules let a test check that contrast really was measured.
    """
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate("() => { document.body.style.minHeight = window.innerHeight + 'px'; }")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations", "passes"]}
    response = Axe().run(page, context={"include": [[scope]]}, options=options).response
    found = [f"{v['id']} ({v['impact']}): {n['target']} {n.get('failureSummary', '')[:300]}"
             for v in response["violations"] for n in v["nodes"]]
    return found, {p["id"] for p in response["passes"]}
