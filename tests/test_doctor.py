"""`kit doctor`: each prerequisite faked missing gives a ✘ line with the fix for the host it detects, and on
this machine every check passes for real (JupyterLab started, Chromium and bwrap run).

Missing things are made missing for real where that is cheap (an empty PATH, a venv without packages, a
Python symlink that points nowhere, a bwrap that fails as a blocked kernel makes it fail); the host's
kind (Debian, Ubuntu, Docker, macOS, Windows) is a `Host` value, since one machine cannot be all of them.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kitpy import KIT, load_kit

kit = load_kit()

DEBIAN_USER = kit.Host("Linux", "debian", "12", has_apt=True)
DEBIAN_ROOT = dataclasses.replace(DEBIAN_USER, is_root=True)
UBUNTU = kit.Host("Linux", "ubuntu", "24.04", has_apt=True)
FEDORA = kit.Host("Linux", "fedora", "40")
MACOS = kit.Host("Darwin")
WINDOWS = kit.Host("Windows")
THIS_VENV = Path(sys.prefix)
BLOCKED_BWRAP = "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n"


def _program(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


def _fail(check) -> str:
    """The fix of a failed check (and the check's two lines render as ✘ … / fix: …)."""
    assert not check.ok
    assert check.render().splitlines() == [f"✘ {check.name}: {check.detail}", f"    fix: {check.fix}"]
    return check.fix


@pytest.fixture
def bare_machine(tmp_path, monkeypatch):
    """No Chromium and no bwrap anywhere kit.py looks."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("REPORTKIT_CHROMIUM", raising=False)
    monkeypatch.setattr(kit, "DEFAULT_CHROMIUM", str(bin_dir / "chromium"))
    return bin_dir


# --- Python, venv module, disk ----------------------------------------------------------------------------

def test_python_version():
    assert kit.check_python(DEBIAN_USER, (3, 11, 7)).render() == "✔ Python: 3.11.7 (3.10+ needed)"
    assert _fail(kit.check_python(DEBIAN_USER, (3, 9, 2))) == "sudo apt-get install python3 python3-venv"
    assert _fail(kit.check_python(kit.Host("Linux", "debian", "11", has_apt=True), (3, 9, 2))).startswith(
        "upgrade to Debian 12")
    assert "ppa:deadsnakes" in _fail(kit.check_python(kit.Host("Linux", "ubuntu", "20.04", has_apt=True), (3, 8, 10)))
    assert _fail(kit.check_python(WINDOWS, (3, 9, 0))).startswith("winget install Python.Python.3.12")
    assert "python.org" in _fail(kit.check_python(MACOS, (3, 9, 6)))


def test_venv_module():
    def without(missing):
        return lambda name: None if name == missing else name

    version = f"python{sys.version_info[0]}.{sys.version_info[1]}-venv"
    assert kit.check_venv_module(DEBIAN_USER, find_spec=lambda name: name).ok
    assert kit.check_venv_module(DEBIAN_USER).ok  # this machine's Python, for real
    assert _fail(kit.check_venv_module(DEBIAN_USER, without("ensurepip"))) == f"sudo apt-get install {version}"
    assert _fail(kit.check_venv_module(DEBIAN_ROOT, without("venv"))) == f"apt-get install {version}"
    assert "python.org" in _fail(kit.check_venv_module(MACOS, without("ensurepip")))


def test_disk_space(tmp_path):
    assert kit.check_disk(DEBIAN_USER, tmp_path, free_bytes=50 * 10**9).ok
    fix = _fail(kit.check_disk(DEBIAN_USER, tmp_path, free_bytes=5 * 10**8))
    assert fix == "free 1.5 GB on that disk (pip's download cache: python3 -m pip cache purge)"
    assert "py -m pip cache purge" in _fail(kit.check_disk(WINDOWS, tmp_path, free_bytes=0))


# --- the venv and JupyterLab --------------------------------------------------------------------------------

@pytest.fixture
def empty_venv(tmp_path) -> Path:
    """A real venv without the kit's packages (as after an interrupted first set-up)."""
    venv = tmp_path / "empty" / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return venv


def _stamped(venv: Path) -> Path:
    """The venv as if set-up had finished installing the current requirements.txt into it."""
    requirements = KIT / "requirements.txt"
    kit.stamp_path(venv, requirements).write_text(kit.requirements_digest(requirements, KIT) + "\n")
    return venv


def test_venv_missing_unfinished_empty_or_broken(tmp_path, empty_venv):
    assert _fail(kit.check_venv(DEBIAN_USER, KIT, tmp_path / ".venv")) == "./kit setup"
    assert _fail(kit.check_venv(WINDOWS, KIT, tmp_path / ".venv")) == "py kit.py setup"
    unfinished = kit.check_venv(DEBIAN_USER, KIT, empty_venv)  # set-up stopped before its stamp
    assert unfinished.detail == ".venv is older than requirements.txt" and _fail(unfinished) == "./kit setup"
    assert _fail(kit.check_venv(DEBIAN_USER, KIT, _stamped(empty_venv))) == "rm -rf .venv && ./kit setup"
    moved = tmp_path / "moved" / ".venv"
    (moved / "bin").mkdir(parents=True)
    (moved / "bin" / "python").symlink_to(tmp_path / "python-that-was-upgraded-away")
    check = kit.check_venv(DEBIAN_USER, KIT, _stamped(moved))
    assert "does not run" in check.detail and _fail(check) == "rm -rf .venv && ./kit setup"
    assert kit.remake_venv(WINDOWS, moved) == "Remove-Item -Recurse -Force .venv; py kit.py setup"
    assert kit.remake_venv(MACOS, moved) == "rm -rf .venv && python3 kit.py setup"


def test_set_up_refuses_a_venv_whose_python_is_gone_and_names_the_fix(tmp_path):
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(tmp_path / "gone")
    with pytest.raises(kit.KitError, match=r"Fix: rm -rf \.venv && \./kit setup"):
        kit.ensure_venv(DEBIAN_USER, "requirements.txt", kit=KIT, venv=venv)


def test_venv_older_than_the_requirements(tmp_path):
    for name in ("requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        shutil.copy(KIT / name, tmp_path / name)
    with (tmp_path / "requirements.txt").open("a") as requirements:
        requirements.write("rich>=13\n")
    check = kit.check_venv(DEBIAN_USER, tmp_path, THIS_VENV)
    assert check.detail == f"{THIS_VENV.name} is older than requirements.txt" and _fail(check) == "./kit setup"


def test_jupyterlab_starts_from_this_venv_and_not_from_an_empty_one(tmp_path, empty_venv):
    host = kit.detect_host()
    started = kit.check_jupyterlab(host, KIT, THIS_VENV)
    assert started.ok and started.detail.startswith("started and answered in"), started.render()
    failed = kit.check_jupyterlab(host, KIT, empty_venv, timeout=60)
    assert "No module named jupyterlab" in failed.detail and _fail(failed) == "rm -rf .venv && ./kit setup"
    assert _fail(kit.check_jupyterlab(host, KIT, tmp_path / "none")) == "./kit setup"


# --- Chromium -----------------------------------------------------------------------------------------------

def test_chromium_missing_names_the_fix_for_each_system(bare_machine):
    assert _fail(kit.check_chromium(DEBIAN_USER)) == "sudo apt-get install chromium"
    assert _fail(kit.check_chromium(UBUNTU)) == "sudo snap install chromium"
    ubuntu_container = dataclasses.replace(UBUNTU, is_root=True, in_container=True)
    assert "export REPORTKIT_CHROMIUM=/usr/bin/google-chrome" in _fail(kit.check_chromium(ubuntu_container))
    assert "install chromium with your package manager" in _fail(kit.check_chromium(FEDORA))
    assert "REPORTKIT_CHROMIUM=/path/to/chrome" in _fail(kit.check_chromium(MACOS))
    assert '$env:REPORTKIT_CHROMIUM = "C:\\path\\to\\chrome.exe"' in _fail(kit.check_chromium(WINDOWS))


def test_a_wrong_reportkit_chromium_or_a_browser_that_does_not_start(bare_machine, monkeypatch):
    monkeypatch.setenv("REPORTKIT_CHROMIUM", str(bare_machine / "not-there"))
    assert _fail(kit.check_chromium(DEBIAN_USER)).startswith("point REPORTKIT_CHROMIUM at a Chrome")
    monkeypatch.setenv("REPORTKIT_CHROMIUM", str(_program(bare_machine / "crashes", "#!/bin/sh\nexit 1\n")))
    assert "does not start" in kit.check_chromium(DEBIAN_USER).detail


@pytest.mark.skipif(not os.access(kit.DEFAULT_CHROMIUM, os.X_OK), reason="no Chromium on this machine")
def test_this_machines_chromium_runs():
    check = kit.check_chromium(DEBIAN_USER)
    assert check.ok and "Chromium" in check.detail, check.render()


# --- bubblewrap and user namespaces --------------------------------------------------------------------------

def test_bubblewrap_missing(bare_machine):
    assert _fail(kit.check_bubblewrap(DEBIAN_USER)) == "sudo apt-get install bubblewrap"
    assert _fail(kit.check_bubblewrap(DEBIAN_ROOT)) == "apt-get install bubblewrap"
    assert "dnf install bubblewrap" in _fail(kit.check_bubblewrap(FEDORA))
    for host in (MACOS, WINDOWS):
        assert _fail(kit.check_bubblewrap(host)).endswith("run the grader in a Linux container (docs/grading.md)")


def _sysctl(tmp_path: Path, **settings: str) -> Path:
    """A /proc/sys holding the given settings (dots in names written as double underscores)."""
    root = tmp_path / "sys"
    for name, value in settings.items():
        path = root / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value + "\n")
    return root


@pytest.mark.parametrize("host, settings, fix", [
    (UBUNTU, {"kernel__apparmor_restrict_unprivileged_userns": "1", "user__max_user_namespaces": "63000"},
     "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"),
    (DEBIAN_USER, {"kernel__unprivileged_userns_clone": "0"}, "sudo sysctl -w kernel.unprivileged_userns_clone=1"),
    (DEBIAN_ROOT, {"kernel__unprivileged_userns_clone": "0"}, "sysctl -w kernel.unprivileged_userns_clone=1"),
    (DEBIAN_USER, {"user__max_user_namespaces": "0"}, "sudo sysctl -w user.max_user_namespaces=15000"),
    (dataclasses.replace(DEBIAN_ROOT, in_container=True), {"kernel__unprivileged_userns_clone": "1"},
     "start the container with --security-opt seccomp=unconfined (or --privileged)"),
    (dataclasses.replace(UBUNTU, in_container=True), {"kernel__apparmor_restrict_unprivileged_userns": "1"},
     "on the container's host: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0; "
     "start the container with --security-opt seccomp=unconfined (or --privileged)"),
    (FEDORA, {}, "run the grader in a Linux container where it works (docs/grading.md)"),
], ids=["ubuntu-24.04-apparmor", "debian-userns-clone", "debian-as-root", "no-namespaces-allowed", "docker",
        "docker-on-ubuntu", "unknown"])
def test_a_blocked_user_namespace_names_the_setting_that_blocks_it(host, settings, fix, tmp_path):
    host = dataclasses.replace(host, sysctl=_sysctl(tmp_path, **settings))
    bwrap = _program(tmp_path / "bwrap", BLOCKED_BWRAP)
    check = kit.check_user_namespaces(host, str(bwrap))
    assert check.detail == "bwrap cannot open a sandbox (bwrap: setting up uid map: Permission denied)"
    assert _fail(check) == fix


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="no bubblewrap on this machine")
def test_this_machines_bwrap_opens_a_sandbox():
    host = kit.detect_host()
    assert kit.check_bubblewrap(host).ok
    assert kit.check_user_namespaces(host, shutil.which("bwrap")).ok


# --- the whole doctor ------------------------------------------------------------------------------------------

def test_doctor_on_a_bare_windows_machine_names_a_windows_fix_for_every_problem(bare_machine, tmp_path, capsys):
    assert kit.run_doctor(WINDOWS, KIT, tmp_path / ".venv") == 1
    lines = capsys.readouterr().out.splitlines()
    failed = [line for line in lines if line.startswith("✘")]
    assert [line.split(":")[0] for line in failed] == [
        "✘ venv", "✘ JupyterLab", "✘ Chromium (browser tests)", "✘ bubblewrap (grading sandbox)"]
    fixes = [lines[lines.index(line) + 1] for line in failed]
    assert fixes[:2] == ["    fix: py kit.py setup"] * 2
    assert "$env:REPORTKIT_CHROMIUM" in fixes[2] and "Linux container" in fixes[3]
    assert lines[-1] == ("kit: 4 problem(s): venv, JupyterLab, Chromium (browser tests), "
                         "bubblewrap (grading sandbox)")


@pytest.mark.slow
def test_kit_doctor_here_passes_all_but_the_browser_it_was_pointed_away_from(tmp_path):
    """`./kit doctor` as typed, on this machine: every check runs for real."""
    if not kit.is_installed(THIS_VENV, KIT / "requirements.txt", KIT):
        pytest.skip("this venv is older than the requirements")
    env = {**os.environ, "REPORTKIT_VENV": str(THIS_VENV), "REPORTKIT_CHROMIUM": str(tmp_path / "no-chrome")}
    done = subprocess.run(["./kit", "doctor"], cwd=KIT, env=env, capture_output=True, text=True, timeout=600)
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stdout + done.stderr
    marks = [line[0] for line in lines if line[0] in "✔✘"]
    assert marks.count("✘") == 1 and len(marks) >= 7, done.stdout
    chromium = next(i for i, line in enumerate(lines) if line.startswith("✘ Chromium (browser tests)"))
    assert lines[chromium + 1].startswith("    fix: point REPORTKIT_CHROMIUM at a Chrome")
    assert lines[-1] == "kit: 1 problem(s): Chromium (browser tests)"
