"""The front door (`./kit`, `kit.py`): set-up on each platform's branch, apt for the test tools, JupyterLab
as root and as an ordinary user, and the bash script handing over to kit.py.

The macOS and Windows branches run here with the platform faked (a `Host` saying so, a recording
runner instead of pip and apt); they have not been run on a Mac or a Windows machine.
"""

from __future__ import annotations

import ast
import dataclasses
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from kitpy import KIT, load_kit

try:
    import pwd
except ImportError:  # Windows: the tests that switch users skip
    pwd = None

kit = load_kit()

DEBIAN_USER = kit.Host("Linux", "debian", "12", has_apt=True)
DEBIAN_ROOT = dataclasses.replace(DEBIAN_USER, is_root=True)
UBUNTU_CONTAINER = kit.Host("Linux", "ubuntu", "24.04", is_root=True, in_container=True, has_apt=True)
FEDORA = kit.Host("Linux", "fedora", "40")
MACOS = kit.Host("Darwin")
WINDOWS = kit.Host("Windows")
THIS_VENV = Path(sys.prefix)  # the tests run in the kit's venv
ROOT_MESSAGE = "you are root, so JupyterLab starts with --allow-root"
# `./kit lab` on a venv without kit's stamp would install into it (the lower-bounds venv has none).
needs_kit_venv = pytest.mark.skipif(not kit.is_installed(THIS_VENV, KIT / "requirements.txt", KIT),
                                    reason="this venv was not set up by kit (or is older than the requirements)")


class FakeRunner:
    """Stands in for subprocess.run: records each command. `-m venv` makes the venv's Python and
    `apt-get install` puts the packages' programs in place, so set-up goes on as on a real machine."""

    def __init__(self, host, returncode: int = 0, installs: dict[str, Path] | None = None):
        self.host, self.returncode, self.installs, self.commands = host, returncode, installs or {}, []

    def __call__(self, argv, **_options):
        argv = [str(arg) for arg in argv]
        self.commands.append(argv)
        if argv[1:3] == ["-m", "venv"]:
            python = kit.venv_python(Path(argv[3]), self.host)
            python.parent.mkdir(parents=True)
            python.touch()
        if "install" in argv and "apt-get" in argv and self.returncode == 0:
            for package in argv[argv.index("-qq") + 1:]:
                _executable(self.installs[package])
        return subprocess.CompletedProcess(argv, self.returncode)


def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def kit_dir(tmp_path):
    """A folder with the three files the venv stamp is made of."""
    (tmp_path / "requirements.txt").write_text("jupyterlab>=4.1\n-e .\n")
    (tmp_path / "requirements-dev.txt").write_text("# tests\n-r requirements.txt\npytest-xdist>=3.5\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'tiny'\n")
    return tmp_path


def _pip(python: Path, requirements: Path) -> list[list[str]]:
    return [[str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)]]


@pytest.mark.parametrize("host, python_in_venv", [(DEBIAN_USER, ("bin", "python")), (MACOS, ("bin", "python")),
                                                  (WINDOWS, ("Scripts", "python.exe"))],
                         ids=["linux", "macos-faked", "windows-faked"])
def test_first_setup_creates_the_venv_installs_and_stamps_it(host, python_in_venv, kit_dir):
    run, venv = FakeRunner(host), kit_dir / ".venv"
    python = kit.ensure_venv(host, "requirements-dev.txt", kit=kit_dir, venv=venv, run=run)
    assert python == venv.joinpath(*python_in_venv)
    assert run.commands == [[sys.executable, "-m", "venv", str(venv)],
                            *_pip(python, kit_dir / "requirements-dev.txt")]
    run.commands.clear()
    kit.ensure_venv(host, "requirements-dev.txt", kit=kit_dir, venv=venv, run=run)
    # requirements-dev.txt includes requirements.txt, so `lab` after `test` installs nothing either.
    kit.ensure_venv(host, "requirements.txt", kit=kit_dir, venv=venv, run=run)
    assert run.commands == []


def test_a_changed_requirements_file_is_installed_again(kit_dir):
    run, venv = FakeRunner(DEBIAN_USER), kit_dir / ".venv"
    kit.ensure_venv(DEBIAN_USER, "requirements.txt", kit=kit_dir, venv=venv, run=run)
    run.commands.clear()
    (kit_dir / "requirements.txt").write_text("jupyterlab>=4.2\n-e .\n")
    python = kit.ensure_venv(DEBIAN_USER, "requirements.txt", kit=kit_dir, venv=venv, run=run)
    assert run.commands == _pip(python, kit_dir / "requirements.txt")


def test_a_python_that_cannot_make_a_venv_is_refused_before_anything_runs(kit_dir, monkeypatch):
    missing = kit.check_venv_module(DEBIAN_USER, find_spec=lambda name: None if name == "ensurepip" else name)
    monkeypatch.setattr(kit, "check_venv_module", lambda host: missing)
    run = FakeRunner(DEBIAN_USER)
    with pytest.raises(kit.KitError, match=r"Fix: sudo apt-get install python3\.\d+-venv"):
        kit.ensure_venv(DEBIAN_USER, "requirements.txt", kit=kit_dir, venv=kit_dir / ".venv", run=run)
    assert run.commands == []


def test_the_venv_stamp_is_the_digest_the_bash_kit_wrote():
    """Venvs made by the old bash kit stay valid: it wrote `cat $1 requirements.txt pyproject.toml | sha256sum`."""
    old = subprocess.run("cat requirements-dev.txt requirements.txt pyproject.toml | sha256sum", shell=True,
                         cwd=KIT, capture_output=True, text=True, check=True).stdout.split()[0]
    assert kit.requirements_digest(KIT / "requirements-dev.txt", KIT) == old


def test_lower_bound_pins_are_the_ones_the_bash_kit_made():
    sed = r"s/^\([A-Za-z0-9_.-]*\)>=\([0-9][^ ,;#]*\).*/\1==\2/p"
    old = subprocess.run(["sed", "-n", sed, "requirements.txt"], cwd=KIT, capture_output=True, text=True,
                         check=True).stdout.split()
    assert kit.lower_bound_pins((KIT / "requirements.txt").read_text("utf-8")) == old
    assert "jupyterlab==4.1" in old


# --- Chromium and bubblewrap for `kit test` ---------------------------------------------------------------

@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """No Chromium and no bwrap anywhere kit.py looks (but sudo); says where apt would put them."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _executable(bin_dir / "sudo")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("REPORTKIT_CHROMIUM", raising=False)
    for variable in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(kit, "DEFAULT_CHROMIUM", str(bin_dir / "chromium"))
    return {"chromium": bin_dir / "chromium", "bubblewrap": bin_dir / "bwrap"}


def test_debian_user_gets_chromium_and_bubblewrap_from_apt_with_sudo(bare_machine, capsys):
    run = FakeRunner(DEBIAN_USER, installs=bare_machine)
    assert kit.ensure_test_tools(DEBIAN_USER, run=run) == {}
    assert run.commands == [["sudo", "apt-get", "update", "-qq"],
                            ["sudo", "apt-get", "install", "-y", "-qq", "chromium", "bubblewrap"]]
    said = capsys.readouterr().out
    assert said == "kit: installing chromium and bubblewrap with apt-get (browser tests, grading sandbox)\n"


def test_root_installs_only_what_is_missing_and_without_sudo(bare_machine):
    _executable(bare_machine["bubblewrap"])
    run = FakeRunner(DEBIAN_ROOT, installs=bare_machine)
    kit.ensure_test_tools(DEBIAN_ROOT, run=run)
    assert run.commands == [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]]


def test_nothing_is_installed_when_both_are_there(bare_machine, capsys):
    for program in bare_machine.values():
        _executable(program)
    run = FakeRunner(DEBIAN_USER)
    assert kit.ensure_test_tools(DEBIAN_USER, run=run) == {}
    assert run.commands == [] and capsys.readouterr().out == ""


def test_a_failed_apt_get_stops_set_up_and_names_the_command_to_run(bare_machine):
    with pytest.raises(kit.KitError, match="install them yourself: sudo apt-get install chromium bubblewrap"):
        kit.ensure_test_tools(DEBIAN_USER, run=FakeRunner(DEBIAN_USER, returncode=100))


def test_a_user_without_sudo_is_told_to_install_as_root(bare_machine):
    (bare_machine["chromium"].parent / "sudo").unlink()
    with pytest.raises(kit.KitError, match="needs root and there is no sudo: as root, run apt-get install chromium"):
        kit.ensure_test_tools(DEBIAN_USER, run=FakeRunner(DEBIAN_USER))


def test_a_browser_chosen_with_reportkit_chromium_is_not_replaced_by_apt(bare_machine, monkeypatch, capsys):
    monkeypatch.setenv("REPORTKIT_CHROMIUM", str(bare_machine["chromium"].parent / "my-chrome"))
    run = FakeRunner(DEBIAN_ROOT, installs=bare_machine)
    kit.ensure_test_tools(DEBIAN_ROOT, run=run)
    assert run.commands[-1] == ["apt-get", "install", "-y", "-qq", "bubblewrap"]
    assert "point REPORTKIT_CHROMIUM at a Chrome or Chromium executable" in capsys.readouterr().out


@pytest.mark.parametrize("host", [MACOS, WINDOWS], ids=["macos-faked", "windows-faked"])
def test_macos_and_windows_skip_apt_and_say_in_a_line_each_what_they_need(host, bare_machine, capsys):
    run = FakeRunner(host)
    assert kit.ensure_test_tools(host, run=run) == {}
    assert run.commands == []
    browser_line, sandbox_line = capsys.readouterr().out.splitlines()
    assert "REPORTKIT_CHROMIUM" in browser_line and "Google Chrome" in browser_line
    assert sandbox_line.endswith("run the grader in a Linux container (docs/grading.md)")


def test_a_chrome_found_in_its_usual_place_is_handed_to_the_browser_tests(bare_machine, tmp_path, monkeypatch):
    chrome = _executable(tmp_path / "Google Chrome")
    monkeypatch.setattr(kit, "browser_candidates", lambda host: [str(chrome)])
    assert kit.ensure_test_tools(MACOS, run=FakeRunner(MACOS)) == {"REPORTKIT_CHROMIUM": str(chrome)}


def test_linux_without_apt_says_what_to_install(bare_machine, capsys):
    run = FakeRunner(FEDORA)
    kit.ensure_test_tools(FEDORA, run=run)
    out = capsys.readouterr().out
    assert run.commands == []
    assert "dnf install bubblewrap" in out and "install chromium with your package manager" in out


def test_ubuntu_in_a_container_gets_bubblewrap_but_not_the_chromium_snap(bare_machine, capsys):
    run = FakeRunner(UBUNTU_CONTAINER, installs=bare_machine)
    kit.ensure_test_tools(UBUNTU_CONTAINER, run=run)
    assert run.commands[-1] == ["apt-get", "install", "-y", "-qq", "bubblewrap"]
    assert "REPORTKIT_CHROMIUM=/usr/bin/google-chrome" in capsys.readouterr().out


# --- JupyterLab --------------------------------------------------------------------------------------------

def test_lab_adds_allow_root_for_root_only_and_only_once():
    assert "--allow-root" in kit.lab_arguments(DEBIAN_ROOT, [])
    assert "--allow-root" not in kit.lab_arguments(DEBIAN_USER, []) + kit.lab_arguments(WINDOWS, [])
    assert kit.lab_arguments(DEBIAN_ROOT, ["--allow-root"]).count("--allow-root") == 1
    assert kit.lab_arguments(DEBIAN_USER, ["--no-browser"])[-1] == "--no-browser"


def _jupyter_dirs(state: Path) -> dict[str, str]:
    """Everything JupyterLab writes goes to `state`, never to the user's or the repo's folders."""
    names = {"JUPYTER_CONFIG_DIR": "config", "JUPYTERLAB_SETTINGS_DIR": "settings",
             "JUPYTERLAB_WORKSPACES_DIR": "workspaces", "JUPYTER_RUNTIME_DIR": "runtime", "IPYTHONDIR": "ipython",
             "HOME": "home"}
    return {variable: str(state / folder) for variable, folder in names.items()}


@contextmanager
def kit_lab(state: Path, env: dict[str, str], user: str | None = None) -> Iterator[tuple[subprocess.Popen, str]]:
    """`./kit lab` exactly as typed, plus the flags a test needs: no browser, a free port it must keep."""
    port = kit.free_port()
    argv = [str(KIT / "kit"), "lab", "--no-browser", f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    log_path = state / "kit-lab.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(argv, cwd=KIT, env={**env, **_jupyter_dirs(state), "JUPYTER_TOKEN": "kit-test"},
                                   stdout=log, stderr=subprocess.STDOUT, user=user)
    try:
        answered = kit.wait_for_http(f"http://127.0.0.1:{port}/api/status", process, timeout=240)
        assert answered, f"./kit lab did not answer on port {port}:\n{log_path.read_text()}"
        yield process, log_path.read_text()
    finally:
        kit.stop(process)
    assert process.returncode is not None


def _cmdline(process: subprocess.Popen) -> list[str]:
    """The command the process runs now: ./kit hands over to kit.py, which execs JupyterLab in place."""
    return Path(f"/proc/{process.pid}/cmdline").read_bytes().decode().split("\0")


is_root = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.slow
@needs_kit_venv
@pytest.mark.skipif(not is_root, reason="runs ./kit lab as root")
def test_kit_lab_as_root_starts_jupyterlab_and_says_why_it_allows_root(tmp_path):
    env = {**os.environ, "REPORTKIT_VENV": str(THIS_VENV)}
    with kit_lab(tmp_path, env) as (process, log):
        assert "jupyterlab" in _cmdline(process) and "--allow-root" in _cmdline(process)
        said = [line for line in log.splitlines() if "--allow-root" in line]
        assert said == [f"kit: {ROOT_MESSAGE} (an ordinary user account needs none)"]


def _ordinary_user() -> str | None:
    if pwd is None:
        return None
    try:
        return pwd.getpwnam("rkuser").pw_name
    except KeyError:
        return None


def _kit_reachable_by(user: str | None) -> bool:
    """Whether ``user`` can read the kit where it lies: a clone under a private folder (mode 700, as
    `mktemp -d` makes) cannot be run by anyone else, whatever ./kit does."""
    if user is None or shutil.which("runuser") is None:
        return False
    return subprocess.run(["runuser", "-u", user, "--", "test", "-r", str(KIT / "kit.py")]).returncode == 0


def _overlay_venv(base: Path) -> Path:
    """A venv of the system's Python that sees this venv's packages: root's venv usually lives on a Python
    (pyenv under /root) an ordinary user may not run."""
    system_python = shutil.which("python3", path="/usr/bin:/bin")
    venv = base / "venv"
    subprocess.run([system_python, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next(venv.glob("lib/python3*/site-packages"))
    ours = next(THIS_VENV.glob("lib/python3*/site-packages"))
    (site_packages / "kit_overlay.pth").write_text(f"import site; site.addsitedir({str(ours)!r})\n")
    for stamp in THIS_VENV.glob(".installed-*.sha256"):
        shutil.copy(stamp, venv / stamp.name)
    return venv


def _same_python_minor_as_system() -> bool:
    system_python = shutil.which("python3", path="/usr/bin:/bin")
    if system_python is None:
        return False
    version = subprocess.run([system_python, "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    return version == str(tuple(sys.version_info[:2]))


@pytest.mark.slow
@needs_kit_venv
@pytest.mark.skipif(not is_root or _ordinary_user() is None, reason="needs root to start ./kit lab as rkuser")
@pytest.mark.skipif(not _same_python_minor_as_system(), reason="the system's Python cannot load this venv")
@pytest.mark.skipif(is_root and not _kit_reachable_by(_ordinary_user()),
                    reason="rkuser cannot read the kit here (a parent folder is private)")
def test_kit_lab_as_an_ordinary_user_adds_no_allow_root():
    base = Path(tempfile.mkdtemp(prefix="kit-lab-user-"))
    try:
        venv = _overlay_venv(base)
        state = base / "state"
        for folder in [state, *map(Path, _jupyter_dirs(state).values())]:
            folder.mkdir(exist_ok=True)
            shutil.chown(folder, "rkuser", "rkuser")
        base.chmod(0o755)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "REPORTKIT_VENV": str(venv)}
        with kit_lab(state, env, user="rkuser") as (process, log):
            assert Path(f"/proc/{process.pid}").stat().st_uid == pwd.getpwnam("rkuser").pw_uid
            assert "jupyterlab" in _cmdline(process) and "--allow-root" not in _cmdline(process)
            assert ROOT_MESSAGE not in log
    finally:
        shutil.rmtree(base)


# --- the bash script and kit.py as programs --------------------------------------------------------------

def test_help_lists_every_command_and_an_unknown_command_fails():
    for argv in (["./kit"], ["./kit", "help"], [sys.executable, "kit.py", "help"]):
        shown = subprocess.run(argv, cwd=KIT, capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        for command in ("lab", "test", "bench", "lower-bounds", "setup", "doctor"):
            assert f" {command} " in shown.stdout
    assert subprocess.run(["./kit", "nonsense"], cwd=KIT, capture_output=True).returncode == 1


def test_the_bash_front_door_without_python3_says_what_to_install(tmp_path):
    (tmp_path / "dirname").symlink_to(shutil.which("dirname"))
    done = subprocess.run([shutil.which("bash"), "kit", "lab"], cwd=KIT, capture_output=True, text=True,
                          env={"PATH": str(tmp_path)})
    assert done.returncode == 1 and "sudo apt-get install python3 python3-venv" in done.stderr, done.stderr


@pytest.mark.skipif(not kit.is_installed(THIS_VENV, KIT / "requirements-dev.txt", KIT),
                    reason="./kit setup would install into this venv")
def test_setup_with_an_up_to_date_venv_does_nothing():
    done = subprocess.run(["./kit", "setup"], cwd=KIT, capture_output=True, text=True,
                          env={**os.environ, "REPORTKIT_VENV": str(THIS_VENV)})
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_kit_py_stays_within_python_3_7_syntax():
    """So that an old Python gets the "3.10+ needed" message, not a SyntaxError."""
    ast.parse((KIT / "kit.py").read_text("utf-8"), feature_version=(3, 7))


OLD_PYTHONS = sorted(glob.glob(os.path.join(os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv")),
                                            "versions", "3.[789].*", "bin", "python3")))


@pytest.mark.skipif(not OLD_PYTHONS, reason="no Python 3.7-3.9 on this machine")
def test_an_old_python_is_told_what_to_install(tmp_path):
    done = subprocess.run([OLD_PYTHONS[0], "kit.py", "lab"], cwd=KIT, capture_output=True, text=True,
                          env={**os.environ, "REPORTKIT_VENV": str(tmp_path / "venv")})
    assert done.returncode == 1 and not (tmp_path / "venv").exists()
    assert "is too old, the kit needs 3.10+. Fix: " in done.stdout, done.stdout + done.stderr


def test_readme_quick_start_gives_each_system_the_two_commands_kit_py_tells_it():
    readme = (KIT / "README.md").read_text("utf-8")
    quick_start = readme[readme.index("## Quick start"):readme.index("## What is inside")]
    fenced = re.findall(r"```(?:bash|powershell)\n(.*?)```", quick_start, re.S)
    assert [block.strip().splitlines() for block in fenced] == [
        [host.kit_command("lab"), host.kit_command("test")] for host in (DEBIAN_USER, MACOS, WINDOWS)]
    assert "they have not been run on a Mac or a Windows machine" in " ".join(quick_start.split())


def test_kit_py_passes_ruff():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "kit.py"], cwd=KIT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
