#!/usr/bin/env python3
"""The kit's front door on every system (standard library only: it runs before .venv exists).

    python3 kit.py lab           set up (first time) and open the lessons in JupyterLab
    python3 kit.py test [ARGS]   set up (first time) and run the whole test suite (ARGS go to pytest)
    python3 kit.py bench         set up and run the benchmark scripts
    python3 kit.py lower-bounds  run the tests (not the browser's) on the oldest releases requirements.txt allows
    python3 kit.py setup         only create/refresh .venv
    python3 kit.py doctor        check this machine; each problem comes with the command that fixes it
Linux and macOS: `./kit lab` is the same as `python3 kit.py lab`. Windows: `py kit.py lab`.
Set-up creates .venv from requirements*.txt and refreshes it when those files change.
"""

# Syntax stays within Python 3.7 so that an old interpreter gets the "Python 3.10+ needed" message
# rather than a SyntaxError.
from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

KIT = Path(__file__).resolve().parent
MIN_PYTHON = (3, 10)
FIRST_LESSON = "notebooks/00-start-here.ipynb"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
GRADING_DOCS = "docs/grading.md"
UBUNTU_CHROMIUM_IN_CONTAINER = ("Ubuntu's Chromium is a snap, which does not run in a container: install Google "
                                "Chrome's .deb and export REPORTKIT_CHROMIUM=/usr/bin/google-chrome")
NEED_DISK_GB = 2.0  # the venv takes about 0.7 GB, pip's download cache as much again
# bubblewrap's smallest sandbox: what the grader needs from the kernel (an unprivileged user namespace).
USERNS_PROBE = ("--ro-bind", "/", "/", "--unshare-user", "--unshare-pid", "--unshare-net", "true")
# Kernel settings that forbid them: (name, value that blocks, value that allows).
USERNS_SWITCHES = (
    ("kernel.apparmor_restrict_unprivileged_userns", "1", "0"),  # Ubuntu 23.10 and later
    ("kernel.unprivileged_userns_clone", "0", "1"),  # Debian's own switch
    ("user.max_user_namespaces", "0", "15000"),
)
PYTEST_ARGS = ("-n", "auto", "--dist", "loadfile", "-p", "no:cacheprovider")


class KitError(Exception):
    """A set-up step failed; the message says what to do."""


def say(message: str) -> None:
    print(f"kit: {message}", flush=True)


# --- the machine -------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Host:
    """What the set-up and the doctor need to know about the machine (tests build fake ones)."""

    system: str  # platform.system(): "Linux", "Darwin" or "Windows"
    distro: str = ""  # /etc/os-release ID on Linux: "debian", "ubuntu", ...
    distro_version: str = ""
    is_root: bool = False
    in_container: bool = False
    has_apt: bool = False
    sysctl: Path = Path("/proc/sys")

    @property
    def windows(self) -> bool:
        return self.system == "Windows"

    @property
    def linux(self) -> bool:
        return self.system == "Linux"

    @property
    def sudo(self) -> str:
        return "" if self.is_root else "sudo "

    def kit_command(self, command: str) -> str:
        """How the user types a kit command on this system."""
        if self.windows:
            return f"py kit.py {command}"
        return f"python3 kit.py {command}" if self.system == "Darwin" else f"./kit {command}"

    def apt_install(self, *packages: str) -> str:
        return f"{self.sudo}apt-get install {' '.join(packages)}"


def os_release(path: Path = Path("/etc/os-release")) -> dict[str, str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    pairs = (line.split("=", 1) for line in lines if "=" in line)
    return {key: value.strip().strip('"') for key, value in pairs}


def detect_host() -> Host:
    system = platform.system()
    release = os_release() if system == "Linux" else {}
    return Host(system=system, distro=release.get("ID", ""), distro_version=release.get("VERSION_ID", ""),
                is_root=hasattr(os, "geteuid") and os.geteuid() == 0,
                in_container=any(Path(p).exists() for p in ("/.dockerenv", "/run/.containerenv")),
                has_apt=system == "Linux" and shutil.which("apt-get") is not None)


# --- the venv ----------------------------------------------------------------------------------

def venv_dir(kit: Path = KIT) -> Path:
    return kit / os.environ.get("REPORTKIT_VENV", ".venv")  # an absolute REPORTKIT_VENV replaces kit


def venv_python(venv: Path, host: Host) -> Path:
    return venv / "Scripts" / "python.exe" if host.windows else venv / "bin" / "python"


def requirements_digest(requirements: Path, kit: Path = KIT) -> str:
    """The same digest the bash kit wrote (sha256 of the three files one after another),
    so venvs it made stay valid."""
    digest = hashlib.sha256()
    for path in (requirements, kit / "requirements.txt", kit / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stamp_path(venv: Path, requirements: Path) -> Path:
    return venv / f".installed-{requirements.name}.sha256"


def covering_files(requirements: Path, kit: Path = KIT) -> list[Path]:
    """The requirements file and those that include it (`-r requirements.txt`): a venv installed from
    requirements-dev.txt also has everything requirements.txt asks for."""
    include = re.compile(rf"^\s*-r\s+{re.escape(requirements.name)}\s*$", re.M)
    others = [p for p in sorted(kit.glob("requirements*.txt"))
              if p.name != requirements.name and include.search(p.read_text(encoding="utf-8"))]
    return [requirements] + others


def is_installed(venv: Path, requirements: Path, kit: Path = KIT) -> bool:
    for path in covering_files(requirements, kit):
        stamp = stamp_path(venv, path)
        if stamp.is_file() and stamp.read_text().strip() == requirements_digest(path, kit):
            return True
    return False


def ensure_venv(host: Host, requirements_name: str, kit: Path = KIT, venv: Path | None = None,
                run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run) -> Path:
    """Create the venv if missing and install the requirements when they changed; its Python."""
    venv = venv or venv_dir(kit)
    python, requirements = venv_python(venv, host), kit / requirements_name
    if python.is_symlink() and not python.exists():  # the Python it was made from is gone (an upgrade)
        raise KitError(f"{venv.name} was made with a Python that is gone. Fix: {remake_venv(host, venv)}")
    if not python.is_file():
        refuse_unusable_python(host)
        say(f"creating {venv.name} (first run takes a few minutes)")
        run([sys.executable, "-m", "venv", str(venv)], check=True)
    if not is_installed(venv, requirements, kit):
        say(f"installing {requirements_name} into {venv.name}")
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        run([str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True)
        stamp_path(venv, requirements).write_text(requirements_digest(requirements, kit) + "\n")
    return python


def refuse_unusable_python(host: Host) -> None:
    for check in (check_python(host), check_venv_module(host)):
        if not check.ok:
            raise KitError(f"{check.detail}. Fix: {check.fix}")


# --- tools for the tests: Chromium and bubblewrap ------------------------------------------------

def browser_candidates(host: Host) -> list[str]:
    """Where Chrome or Chromium usually is on this system, most likely first."""
    if host.system == "Darwin":
        apps = ["Google Chrome.app/Contents/MacOS/Google Chrome", "Chromium.app/Contents/MacOS/Chromium"]
        return [f"/Applications/{app}" for app in apps]
    if host.windows:
        roots = [os.environ.get(v, "") for v in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        return [str(Path(root, "Google", "Chrome", "Application", "chrome.exe")) for root in roots if root]
    found = (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome"))
    return [DEFAULT_CHROMIUM] + [path for path in found if path] + ["/snap/bin/chromium"]


def is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium(host: Host) -> str | None:
    """The browser the browser tests will drive: REPORTKIT_CHROMIUM if set, else the first one found."""
    chosen = os.environ.get("REPORTKIT_CHROMIUM")
    if chosen:
        return chosen if is_executable(chosen) else None
    return next((path for path in browser_candidates(host) if is_executable(path)), None)


def chromium_fix(host: Host) -> str:
    if os.environ.get("REPORTKIT_CHROMIUM"):
        return "point REPORTKIT_CHROMIUM at a Chrome or Chromium executable, or unset it"
    if host.system == "Darwin":
        return ("install Google Chrome (https://www.google.com/chrome/), or export "
                "REPORTKIT_CHROMIUM=/path/to/chrome")
    if host.windows:
        return ("install Google Chrome (https://www.google.com/chrome/), or "
                '$env:REPORTKIT_CHROMIUM = "C:\\path\\to\\chrome.exe"')
    if host.distro == "ubuntu":
        return UBUNTU_CHROMIUM_IN_CONTAINER if host.in_container else f"{host.sudo}snap install chromium"
    if host.has_apt:
        return host.apt_install("chromium")
    return "install chromium with your package manager, or export REPORTKIT_CHROMIUM=/path/to/chrome"


def apt_packages(host: Host, browser: str | None) -> list[str]:
    """What apt should install for the tests: Ubuntu's chromium-browser only brings in the snap,
    which does not run inside a container."""
    chromium = "chromium-browser" if host.distro == "ubuntu" else "chromium"
    chosen_elsewhere = bool(os.environ.get("REPORTKIT_CHROMIUM")) or (host.distro == "ubuntu" and host.in_container)
    wanted = [(chromium, browser is None and not chosen_elsewhere),
              ("bubblewrap", shutil.which("bwrap") is None)]
    return [package for package, missing in wanted if missing]


def bubblewrap_fix(host: Host) -> str:
    if not host.linux:
        return f"bubblewrap is Linux-only: run the grader in a Linux container ({GRADING_DOCS})"
    if host.has_apt:
        return host.apt_install("bubblewrap")
    return "install bubblewrap with your package manager (dnf install bubblewrap, pacman -S bubblewrap)"


def ensure_test_tools(host: Host,
                      run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run) -> dict[str, str]:
    """Install Chromium and bubblewrap with apt where there is apt; elsewhere say in one line what the
    system needs instead. Returns the environment the tests need (which browser to drive)."""
    browser = find_chromium(host)
    packages = apt_packages(host, browser) if host.has_apt else []
    if packages:
        apt_get(host, packages, run)
        browser = browser or find_chromium(host)
    tell_what_is_missing(host, browser)
    if browser and browser != DEFAULT_CHROMIUM and not os.environ.get("REPORTKIT_CHROMIUM"):
        say(f"the browser tests drive {browser} (set REPORTKIT_CHROMIUM to choose another)")
        return {"REPORTKIT_CHROMIUM": browser}
    return {}


def tell_what_is_missing(host: Host, browser: str | None) -> None:
    if browser is None:
        say(f"no Chrome or Chromium for the browser tests: {chromium_fix(host)}")
    if not host.linux or shutil.which("bwrap") is None:
        say(f"grading sandbox: {bubblewrap_fix(host)}")


def apt_get(host: Host, packages: list[str], run: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    say(f"installing {' and '.join(packages)} with apt-get (browser tests, grading sandbox)")
    sudo = [] if host.is_root else ["sudo"]
    if sudo and shutil.which("sudo") is None:
        raise KitError(f"installing {' and '.join(packages)} needs root and there is no sudo: "
                       f"as root, run apt-get install {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        done = run(sudo + command, env=env, stdout=subprocess.DEVNULL)
        if done.returncode != 0:
            raise KitError(f"`{' '.join(sudo + command)}` failed (exit {done.returncode}); "
                           f"install them yourself: {host.apt_install(*packages)}")


# --- JupyterLab ------------------------------------------------------------------------------------

def needs_allow_root(host: Host, extra: Sequence[str]) -> bool:
    """JupyterLab refuses uid 0 unless told; containers and lab images often run everything as root."""
    return host.is_root and not any(a.startswith(("--allow-root", "--ServerApp.allow_root")) for a in extra)


def lab_arguments(host: Host, extra: Sequence[str]) -> list[str]:
    """`python -m jupyterlab` arguments that serve the whole kit and open lesson 00."""
    args = ["-m", "jupyterlab", "--ServerApp.root_dir=.", f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}"]
    return args + (["--allow-root"] if needs_allow_root(host, extra) else []) + list(extra)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers_http(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=5).close()
    except urllib.error.HTTPError:
        return True  # a refusal is still an answer: the server is up
    except (urllib.error.URLError, OSError):
        return False
    return True


def wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    """True once the URL answers; False if the process ends or the time runs out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if answers_http(url):
            return True
        time.sleep(0.5)
    return False


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def replace_process(argv: Sequence[str], env: dict[str, str] | None = None) -> None:
    """Run the final command in place of this one (Windows has no real exec: wait and pass its exit)."""
    full_env = dict(os.environ, **(env or {}))
    sys.stdout.flush()
    if os.name != "nt":
        os.execve(argv[0], list(argv), full_env)
    process = subprocess.Popen(list(argv), env=full_env)
    while True:
        try:
            sys.exit(process.wait())
        except KeyboardInterrupt:
            continue  # Ctrl+C reaches the child too: it decides when to stop, and we pass on its exit


# --- doctor ------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def render(self) -> str:
        line = f"{'✔' if self.ok else '✘'} {self.name}: {self.detail}"
        return line if self.ok or not self.fix else f"{line}\n    fix: {self.fix}"


def check_python(host: Host, version: Sequence[int] = tuple(sys.version_info[:3])) -> Check:
    shown, need = ".".join(map(str, version)), ".".join(map(str, MIN_PYTHON))
    if tuple(version[:2]) >= MIN_PYTHON:
        return Check("Python", True, f"{shown} ({need}+ needed)")
    return Check("Python", False, f"{shown} is too old, the kit needs {need}+", python_fix(host))


def python_fix(host: Host) -> str:
    if host.windows:
        return "winget install Python.Python.3.12 (or the installer from python.org), then py kit.py doctor"
    if host.system == "Darwin":
        return "install Python 3.12 from https://www.python.org/downloads/ (or brew install python@3.12)"
    if host.distro == "ubuntu" and release_before(host, (22, 4)):
        return (f"{host.sudo}add-apt-repository ppa:deadsnakes/ppa && {host.apt_install('python3.12-venv')}, "
                "then python3.12 kit.py lab")
    if host.distro == "debian" and release_before(host, (12,)):
        return "upgrade to Debian 12, whose python3 is 3.11, or run the kit with a newer Python (python3.12 kit.py lab)"
    if host.has_apt:
        return host.apt_install("python3", "python3-venv")
    return "install Python 3.10 or newer with your package manager"


def release_before(host: Host, version: tuple[int, ...]) -> bool:
    numbers = tuple(int(part) for part in re.findall(r"\d+", host.distro_version))
    return bool(numbers) and numbers < version


def check_venv_module(host: Host, find_spec: Callable[[str], object] | None = None) -> Check:
    """`python3 -m venv` needs both modules; Debian and Ubuntu ship ensurepip in a separate package."""
    find_spec = find_spec or importlib.util.find_spec
    missing = [name for name in ("venv", "ensurepip") if find_spec(name) is None]
    if not missing:
        return Check("venv module", True, f"{sys.executable} can create virtual environments")
    detail = f"{sys.executable} lacks {' and '.join(missing)}, so it cannot create .venv"
    if host.has_apt:
        return Check("venv module", False, detail, host.apt_install(f"python{sys.version_info[0]}."
                                                                    f"{sys.version_info[1]}-venv"))
    return Check("venv module", False, detail, "reinstall Python from https://www.python.org/downloads/")


def check_disk(host: Host, kit: Path = KIT, free_bytes: int | None = None) -> Check:
    free = shutil.disk_usage(kit).free if free_bytes is None else free_bytes
    free_gb = free / 1e9
    if free_gb >= NEED_DISK_GB:
        return Check("disk space", True, f"{free_gb:.1f} GB free in {kit}")
    purge = "py -m pip cache purge" if host.windows else "python3 -m pip cache purge"
    return Check("disk space", False, f"{free_gb:.1f} GB free in {kit}, set-up needs about {NEED_DISK_GB:.0f} GB",
                 f"free {NEED_DISK_GB - free_gb:.1f} GB on that disk (pip's download cache: {purge})")


def remake_venv(host: Host, venv: Path) -> str:
    if host.windows:
        return f"Remove-Item -Recurse -Force {venv.name}; py kit.py setup"
    return f"rm -rf {venv.name} && {host.kit_command('setup')}"


def check_venv(host: Host, kit: Path = KIT, venv: Path | None = None) -> Check:
    venv = venv or venv_dir(kit)
    python = venv_python(venv, host)
    if not os.path.lexists(python):
        return Check("venv", False, f"{venv.name} does not exist yet", host.kit_command("setup"))
    if not is_installed(venv, kit / "requirements.txt", kit):  # set-up reinstalls: no need to look further
        return Check("venv", False, f"{venv.name} is older than requirements.txt", host.kit_command("setup"))
    probe = _run_quietly([str(python), "-c", "import jupyterlab, nbval, reportkit"])
    if probe is None:
        return Check("venv", False, f"{python} does not run (moved, or its Python was removed)",
                     remake_venv(host, venv))
    if probe.returncode != 0:
        return Check("venv", False, f"{venv.name} lacks the kit's packages", remake_venv(host, venv))
    return Check("venv", True, f"{venv.name} has the kit's packages and is up to date")


def _run_quietly(argv: Sequence[str], timeout: float = 120) -> subprocess.CompletedProcess[str] | None:
    """The finished process, or None when it cannot be started or hangs."""
    try:
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None


def check_jupyterlab(host: Host, kit: Path = KIT, venv: Path | None = None, timeout: float = 180) -> Check:
    """Start JupyterLab the way `kit lab` does (no browser, a free port), wait for HTTP, stop it."""
    python = venv_python(venv or venv_dir(kit), host)
    if not python.is_file():
        return Check("JupyterLab", False, "not tried: it needs the venv", host.kit_command("setup"))
    port, started = free_port(), time.monotonic()
    with tempfile.TemporaryDirectory() as runtime:
        log_path = Path(runtime) / "jupyterlab.log"
        with log_path.open("w") as log:
            process = _start_lab(host, python, kit, port, runtime, log)
            answered = wait_for_http(f"http://127.0.0.1:{port}/api/status", process, timeout)
            stop(process)
        if answered:
            return Check("JupyterLab", True, f"started and answered in {time.monotonic() - started:.0f} s")
        last = (log_path.read_text(errors="replace").strip().splitlines() or ["(no output)"])[-1]
        return Check("JupyterLab", False, f"did not answer within {timeout:.0f} s; its last log line: {last}",
                     remake_venv(host, venv or venv_dir(kit)))


def _start_lab(host: Host, python: Path, kit: Path, port: int, runtime: str, log: IO[str]) -> subprocess.Popen[bytes]:
    args = lab_arguments(host, ["--no-browser", f"--ServerApp.port={port}", "--ServerApp.port_retries=0"])
    env = dict(os.environ, JUPYTER_TOKEN=secrets.token_hex(16), JUPYTER_RUNTIME_DIR=runtime)
    return subprocess.Popen([str(python), *args], cwd=kit, env=env, stdout=log, stderr=subprocess.STDOUT)


def check_chromium(host: Host) -> Check:
    browser = find_chromium(host)
    if browser is None:
        where = os.environ.get("REPORTKIT_CHROMIUM") or ", ".join(browser_candidates(host)[:2]) or "PATH"
        return Check("Chromium (browser tests)", False, f"no browser at {where}", chromium_fix(host))
    if host.windows:  # chrome.exe is a windowed program: it prints no version to a console
        return Check("Chromium (browser tests)", True, browser)
    probe = _run_quietly([browser, "--headless", "--version"], timeout=60)
    if probe is None or probe.returncode != 0:
        return Check("Chromium (browser tests)", False, f"{browser} does not start", chromium_fix(host))
    return Check("Chromium (browser tests)", True, f"{browser} ({probe.stdout.strip()})")


def check_bubblewrap(host: Host) -> Check:
    bwrap = shutil.which("bwrap") if host.linux else None
    if bwrap is None:
        return Check("bubblewrap (grading sandbox)", False, "bwrap not found", bubblewrap_fix(host))
    return Check("bubblewrap (grading sandbox)", True, bwrap)


def check_user_namespaces(host: Host, bwrap: str = "bwrap") -> Check:
    """Can this user open the sandbox the grader uses? Needs unprivileged user namespaces."""
    probe = _run_quietly([bwrap, *USERNS_PROBE], timeout=60)
    if probe is not None and probe.returncode == 0:
        return Check("user namespaces", True, "bwrap can open a sandbox" + (" (as root)" if host.is_root else ""))
    said = (probe.stderr.strip().splitlines() or ["no message"])[-1] if probe else "bwrap did not run"
    return Check("user namespaces", False, f"bwrap cannot open a sandbox ({said})", userns_fix(host))


def sysctl(host: Host, name: str) -> str | None:
    try:
        return (host.sysctl / name.replace(".", "/")).read_text().strip()
    except OSError:
        return None


def userns_fix(host: Host) -> str:
    """The setting that blocks unprivileged user namespaces on this host, and how to lift it."""
    blocking = [(name, lifted) for name, blocked, lifted in USERNS_SWITCHES if sysctl(host, name) == blocked]
    sudo = "sudo " if host.in_container else host.sudo  # a container's settings are its host's
    fixes = [f"{sudo}sysctl -w {name}={lifted}" for name, lifted in blocking]
    where = "on the container's host: " if host.in_container and fixes else ""
    if host.in_container:
        fixes.append("start the container with --security-opt seccomp=unconfined (or --privileged)")
    if not fixes:
        return f"run the grader in a Linux container where it works ({GRADING_DOCS})"
    return where + "; ".join(fixes)


def doctor(host: Host, kit: Path = KIT, venv: Path | None = None) -> Iterator[Check]:
    """Each check as soon as it is done (starting JupyterLab takes a few seconds)."""
    yield check_python(host)
    yield check_venv_module(host)
    yield check_disk(host, kit)
    yield check_venv(host, kit, venv)
    yield check_jupyterlab(host, kit, venv)
    yield check_chromium(host)
    yield check_bubblewrap(host)
    bwrap = shutil.which("bwrap") if host.linux else None
    if bwrap:
        yield check_user_namespaces(host, bwrap)


def run_doctor(host: Host, kit: Path = KIT, venv: Path | None = None) -> int:
    say(f"checking {host.system} {host.distro} {host.distro_version}".rstrip()
        + (" as root" if host.is_root else "") + (" in a container" if host.in_container else ""))
    checks = []
    for check in doctor(host, kit, venv):
        print(check.render(), flush=True)
        checks.append(check)
    problems = [c.name for c in checks if not c.ok]
    say(f"{len(problems)} problem(s): {', '.join(problems)}" if problems else "all good")
    return 1 if problems else 0


# --- the commands ------------------------------------------------------------------------------------

def lower_bound_pins(requirements_text: str) -> list[str]:
    """Each `name>=version` line of requirements.txt as `name==version`."""
    pattern = re.compile(r"^([A-Za-z0-9_.-]+)>=([0-9][^ ,;#]*)")
    matches = (pattern.match(line) for line in requirements_text.splitlines())
    return [f"{m.group(1)}=={m.group(2)}" for m in matches if m]


def lower_bounds(host: Host, args: Sequence[str]) -> None:
    """A throwaway venv with every ">=" of requirements.txt pinned to "==": does the kit still work
    with the oldest releases it claims? Old releases warn about their newer dependencies (pyparsing,
    traitlets), so notebook warnings are shown, not errors, here."""
    refuse_unusable_python(host)
    pins = lower_bound_pins((KIT / "requirements.txt").read_text(encoding="utf-8"))
    say(f"lower bounds {' '.join(pins)}")
    venv = Path(tempfile.mkdtemp(prefix="kit-lower-bounds-")) / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv_python(venv, host))
    subprocess.run([python, "-m", "pip", "install", "--quiet", *pins, "pytest-xdist"], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", "."], check=True)
    replace_process([python, "-m", "pytest", *PYTEST_ARGS, "--ignore=tests/browser", "-k", "not ruff", *args],
                    {"REPORTKIT_TEST_WARNINGS": "default"})


def lab(host: Host, args: Sequence[str]) -> None:
    python = ensure_venv(host, "requirements.txt")
    if needs_allow_root(host, args):
        say("you are root, so JupyterLab starts with --allow-root (an ordinary user account needs none)")
    replace_process([str(python), *lab_arguments(host, args)])


def test(host: Host, args: Sequence[str]) -> None:
    python = ensure_venv(host, "requirements-dev.txt")
    env = ensure_test_tools(host)
    # Two workers (this is a 2-core target); files stay whole because nbval runs a notebook per file.
    replace_process([str(python), "-m", "pytest", *PYTEST_ARGS, *args], env)


def bench(host: Host, args: Sequence[str]) -> None:
    python = str(ensure_venv(host, "requirements-dev.txt"))
    env = dict(os.environ, **ensure_test_tools(host))
    for script in sorted(KIT.glob("benchmarks/bench_*.py")):
        subprocess.run([python, str(script), *args], check=True, env=env)
    subprocess.run([python, "benchmarks/measure_baseline.py"], check=True, env=env)


def setup(host: Host, args: Sequence[str]) -> None:
    ensure_venv(host, "requirements-dev.txt")


COMMANDS: dict[str, Callable[[Host, Sequence[str]], object]] = {
    "setup": setup, "lab": lab, "test": test, "bench": bench, "lower-bounds": lower_bounds,
    "doctor": lambda host, args: sys.exit(run_doctor(host)),
}


def usage() -> str:
    return (__doc__ or "").strip()


def main(argv: Sequence[str]) -> int:
    if hasattr(sys.stdout, "reconfigure"):  # ✔ and ✘ on a Windows console in a legacy code page
        sys.stdout.reconfigure(errors="replace")
    command, args = (argv[0], list(argv[1:])) if argv else ("help", [])
    if command not in COMMANDS:
        print(usage())
        return 0 if command in ("help", "-h", "--help") else 1
    os.chdir(KIT)
    return run_command(COMMANDS[command], args)


def run_command(command: Callable[[Host, Sequence[str]], object], args: Sequence[str]) -> int:
    host = detect_host()
    hint = f"`{host.kit_command('doctor')}` checks this machine"
    try:
        command(host, args)
    except KitError as problem:
        say(str(problem))
        return 1
    except OSError as problem:  # a program that is not there or will not start
        say(f"{problem}; {hint}")
        return 1
    except subprocess.CalledProcessError as failed:
        say(f"`{' '.join(map(str, failed.cmd))}` failed (exit {failed.returncode}); {hint}")
        return failed.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
