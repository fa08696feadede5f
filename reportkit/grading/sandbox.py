"""Step 4 — the sandbox learner code runs in: bubblewrap (``bwrap``), an existing, audited tool.

Inside: the learner's run folder (writable); read-only, the Python environment and a key-free
copy of the kit (the ``reportkit`` package and the article's text, units and form-only
questions: what a ``--graded`` bundle holds); a private /tmp; no network; new PID, IPC, UTS and
user namespaces (every process dies with the run); a fresh /proc; a cleared environment; no
capabilities. The key, the kit's own ``data/``, SUBMISSIONS, REPORT and other learners are not
mounted at all.

``check()`` tries it and, when it fails, names the fix for the host it detects (:func:`advice`).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HOME = "/home/learner"
WORK = f"{HOME}/work"  # the learner's run folder, inside
KIT = "/opt/reportkit"  # the key-free kit, inside
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf", "localtime",
             "hosts", "fonts", "mime.types", "ssl/certs")
INNER_UID = 1000  # the learner's uid inside: never root, whoever runs the grader


def python_roots() -> list[Path]:
    """Folders the Python environment lives in (the venv, the interpreter it was made from)."""
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(os.path.realpath(sys.executable)).parent.parent}
    return sorted({r for r in roots if not any(str(r).startswith(d + "/") or str(r) == d for d in SYSTEM_DIRS)})


def _system_mounts() -> list[str]:
    args: list[str] = []
    for folder in SYSTEM_DIRS:
        path = Path(folder)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), folder]
        elif path.is_dir():
            args += ["--ro-bind", folder, folder]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The whole environment inside (``--clearenv`` drops the grader's)."""
    env = {
        "PATH": f"{sys.prefix}/bin:/usr/local/bin:/usr/bin:/bin", "HOME": HOME, "USER": "learner",
        "LANG": "C.UTF-8", "PYTHONPATH": KIT, "REPORTKIT_HOME": KIT, "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{HOME}/.config/matplotlib", "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime", "JUPYTER_DATA_DIR": "/tmp/jupyter-data",
        "JUPYTER_PLATFORM_DIRS": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "TMPDIR": "/tmp", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # this host's numerical-library settings
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra or {})
    return env


def bwrap_command(command: list[str], *, kit: Path, work: Path, mpl: Path | None = None,
                  env: dict[str, str] | None = None) -> list[str]:
    """``bwrap … -- command``: ``kit`` (read-only) at :data:`KIT`, ``work`` (writable) at :data:`WORK`."""
    args = ["bwrap", "--unshare-all", "--unshare-user", "--uid", str(INNER_UID), "--gid", str(INNER_UID),
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "grader",
            *_system_mounts(), "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/home"]
    # After the private /tmp and /home: a Python environment that lives under them (a kit cloned into
    # /tmp, a venv in a home folder) is mounted on top, not hidden.
    for root in python_roots():
        args += ["--ro-bind", str(root), str(root)]
    args += ["--dir", HOME, "--ro-bind", str(kit), KIT, "--bind", str(work), WORK]
    if mpl is not None:
        args += ["--bind", str(mpl), f"{HOME}/.config/matplotlib"]
    args += ["--chdir", WORK, "--clearenv"]
    for name, value in environment(env).items():
        args += ["--setenv", name, value]
    return [*args, "--", *command]




def plain_environment(kit: Path, work: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = environment(extra)
    env.update({"PYTHONPATH": str(kit), "REPORTKIT_HOME": str(kit), "HOME": str(work.parent),
                "MPLCONFIGDIR": str(work.parent / "mpl"), "IPYTHONDIR": str(work.parent / "ipython"),
                "JUPYTER_RUNTIME_DIR": str(work.parent / "runtime"), "JUPYTER_DATA_DIR": str(work.parent / "data"),
                "TMPDIR": str(work.parent)})
    return env


# ---------------------------------------------------------------------------- checking the host


@dataclass(frozen=True)
class Host:
    """What decides whether bubblewrap can run here, and how to fix it when it cannot."""

    system: str  # platform.system(): Linux, Darwin, Windows
    bwrap: str | None  # its path, if installed
    root: bool
    apparmor_restricts_userns: bool  # Ubuntu 23.10+: kernel.apparmor_restrict_unprivileged_userns = 1
    userns_clone_off: bool  # Debian's older kernels: kernel.unprivileged_userns_clone = 0
    max_userns_zero: bool  # user.max_user_namespaces = 0
    container: str | None  # "docker", "podman", "kubernetes" or None
    ci: str | None  # "github-actions" or None

    @classmethod
    def detect(cls) -> Host:
        return cls(platform.system(), shutil.which("bwrap"), hasattr(os, "getuid") and os.getuid() == 0,
                   _sysctl("kernel/apparmor_restrict_unprivileged_userns") == "1",
                   _sysctl("kernel/unprivileged_userns_clone") == "0", _sysctl("user/max_user_namespaces") == "0",
                   _container(), "github-actions" if os.environ.get("GITHUB_ACTIONS") == "true" else None)


def _sysctl(name: str) -> str | None:
    try:
        return Path("/proc/sys", name).read_text().strip()
    except OSError:
        return None


def _container() -> str | None:
    if Path("/.dockerenv").exists():
        return "docker"
    if Path("/run/.containerenv").exists():
        return "podman"
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return "kubernetes"
    return None


CONTAINER_ROUTE = ("run the grader inside a Linux container that allows it, for example "
                   "`docker run --rm -it --security-opt seccomp=unconfined --security-opt apparmor=unconfined "
                   "-v \"$PWD\":/kit -w /kit debian:12 ./kit test` (see docs/grading.md, \"Grading on macOS or "
                   "Windows\"; not tested here)")


def advice(host: Host, error: str = "") -> str:
    """The one fix that makes the sandbox work on ``host`` (what ``grade`` refuses with)."""
    if host.system != "Linux":
        return f"bubblewrap runs on Linux only; on {host.system or 'this system'}, {CONTAINER_ROUTE}."
    if host.bwrap is None:
        return "bubblewrap is not installed: `sudo apt-get install bubblewrap` (Debian, Ubuntu) or `sudo dnf " \
               "install bubblewrap` (Fedora); `./kit test` installs it for you on Debian and Ubuntu."
    if host.container == "kubernetes":
        return ("this pod forbids new namespaces: give the grading pod `securityContext: {privileged: true}` "
                "(or a seccomp and AppArmor profile of `Unconfined`), or grade on a machine or CI runner instead.")
    if host.container in ("docker", "podman"):
        return (f"this {host.container} container forbids new namespaces (its default seccomp or AppArmor "
                f"profile): start it with `--security-opt seccomp=unconfined --security-opt apparmor=unconfined` "
                f"(or `--privileged`).")
    if not host.root and host.apparmor_restricts_userns:
        return ("AppArmor (Ubuntu 23.10 and later) stops unprivileged user namespaces: run "
                "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (lasts until reboot; to keep it, "
                "put that line without `sudo sysctl -w` in /etc/sysctl.d/60-reportkit.conf), or run the grader as "
                "root (`sudo -E .venv/bin/python -m reportkit grade …`; in GitHub Actions the classroom workflow "
                "does that for you).")
    if not host.root and host.userns_clone_off:
        return "unprivileged user namespaces are off: `sudo sysctl -w kernel.unprivileged_userns_clone=1`."
    if host.max_userns_zero:
        return "user namespaces are disabled: `sudo sysctl -w user.max_user_namespaces=15000`."
    detail = f" bubblewrap said: {error.strip().splitlines()[-1]}" if error.strip() else ""
    return ("bubblewrap could not start a sandbox here." + detail + " Try running the grader as root, or "
            + CONTAINER_ROUTE + ".")


@dataclass(frozen=True)
class SandboxCheck:
    ok: bool
    message: str


def check(scratch: Path | None = None) -> SandboxCheck:
    """Start the real sandbox once (Python inside, a file written in the work folder)."""
    import tempfile

    host = Host.detect()
    if host.system != "Linux" or host.bwrap is None:
        return SandboxCheck(False, advice(host))
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        kit, work = Path(folder, "kit"), Path(folder, "work")
        kit.mkdir()
        work.mkdir()
        probe = "import pathlib; pathlib.Path('probe').write_text('ok')"
        cmd = bwrap_command([sys.executable, "-c", probe], kit=kit, work=work)
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as error:
            return SandboxCheck(False, advice(host, str(error)))
        if done.returncode != 0 or not (work / "probe").is_file():
            return SandboxCheck(False, advice(host, done.stderr))
    who = "root" if host.root else "an ordinary user"
    return SandboxCheck(True, f"the sandbox works here (bubblewrap at {host.bwrap}, as {who}).")
