"""Each grading step on its own: ids, intake, hand-in bundles, release versions, the sandbox's
advice per host, outcomes, the docs table; and what a graded bundle gives away for free."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import classroom_kit as ck  # noqa: E402
from kits import OWN, REPO  # noqa: E402

from reportkit.grading import intake, model, outcomes, sandbox  # noqa: E402
from reportkit.grading.model import FlagCode, LearnerResult, Status  # noqa: E402

# ------------------------------------------------------------------ ids and the gradebook


def test_unicode_ids_are_normalised_and_kept_apart_on_disk():
    nfc, nfd = unicodedata.normalize("NFC", "Zoë"), unicodedata.normalize("NFD", "Zoë")
    assert model.normalise_id(nfd) == nfc
    assert model.file_stem(nfc) == model.file_stem(nfd)  # one learner, however the name was typed
    assert model.file_stem("Zoë") != model.file_stem("Zoé") != model.file_stem("Zoe")
    assert model.file_stem("Zoë").startswith("Zoe-")
    assert model.file_stem("../../etc") .startswith("etc-")


@pytest.mark.parametrize("value, safe", [("=2+3", "'=2+3"), ("+1", "'+1"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
                                         ("\t=1", "'\t=1"), ("ada", "ada"), ("Zoë", "Zoë"), ("", "")])
def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(value, safe):
    assert model.csv_safe(value) == safe


def test_flagged_outranks_incomplete():
    result = LearnerResult("x")
    result.worsen(Status.INCOMPLETE)
    result.flag(FlagCode.MACHINERY, "assigns check")
    result.settle()
    assert result.status is Status.FLAGGED
    noted = LearnerResult("y")
    noted.flag(FlagCode.RENAMED, "02-Direct-Quotes.ipynb")
    noted.settle()
    assert noted.status is Status.OK


def test_the_docs_table_is_generated_from_the_enums():
    from reportkit.grading.classroom import explain_table

    docs = (REPO / "docs" / "grading.md").read_text("utf-8")
    start = docs.index("<!-- BEGIN generated")
    body = docs[docs.index("\n", start) + 1:docs.index("<!-- END generated")].strip()
    assert body == explain_table(), "docs/grading.md is stale: paste `python -m reportkit grade --explain`"


# ------------------------------------------------------------------ intake


@pytest.mark.parametrize("name", ["02-direct-quotes.ipynb", "02-Direct-Quotes.ipynb", "02-direct-quotes (1).ipynb",
                                  "02-DIRECT-QUOTES (12).ipynb", "02-direct-quotes(2).ipynb"])
def test_a_renamed_download_is_recognised(name):
    assert intake.canonical_name(name) == "02-direct-quotes.ipynb"


def test_every_entry_is_graded_or_reported(tmp_path):
    subs = tmp_path / "subs"
    for name in ("ada", ".dotted", "__MACOSX", ".DS_Store", "Zoë"):
        (subs / name).mkdir(parents=True)
    (subs / "bo.zip").write_bytes(b"")
    (subs / "notes.txt").write_text("x")
    (subs / "link").symlink_to(subs / "ada")
    handins, lines = intake.find_handins(subs)
    assert sorted(h.learner for h in handins) == sorted([".dotted", "ada", "bo", unicodedata.normalize("NFC", "Zoë")])
    assert len(lines) == 4 and all("skipped" in line for line in lines)


def test_candidates_rank_by_what_is_recorded_inside_not_by_place(tmp_path):
    old = intake.Candidate(tmp_path / "02.ipynb", "02.ipynb", answered=0)
    final = intake.Candidate(tmp_path / "final" / "02.ipynb", "final/02.ipynb", answered=6)
    tagged = intake.Candidate(tmp_path / "a" / "b" / "02.ipynb", "a/b/02.ipynb", revision=9)
    bundle = intake.Candidate(tmp_path / "x.ipynb", "02.handin.zip", bundle=True)
    assert max([old, final], key=lambda c: c.rank()) is final
    assert max([old, final, tagged], key=lambda c: c.rank()) is tagged
    assert max([old, final, tagged, bundle], key=lambda c: c.rank()) is bundle


# ------------------------------------------------------------------ the hand-in cell


def test_exercises_end_with_the_hand_in_cell_and_carry_the_release():
    versions = set()
    for path in sorted((REPO / "exercises").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[-1].get("id") == "handin" and f"hand_in({path.name!r})" in nb.cells[-1].source, path.name
        versions.add(nb.metadata["reportkit"]["release"])
    assert len(versions) == 1 and versions.pop().startswith("0.")


def test_hand_in_bundles_the_saved_notebook_and_says_what_is_blank_or_unsaved(tmp_path):
    from reportkit.handin import MANIFEST, check_saved, write_bundle

    learner = ck.Learner(REPO / "exercises", REPO / "solutions", OWN)
    folder = learner.write(tmp_path / "me", names=["06-tag-the-article.ipynb", "02-direct-quotes.ipynb"],
                           pick=lambda q: q != "q02_3", rename=lambda n: n.replace(".ipynb", " (1).ipynb"))
    bundle = write_bundle(folder / "02-direct-quotes (1).ipynb", "02-direct-quotes.ipynb")
    assert bundle.name == "02-direct-quotes.handin.zip"
    with zipfile.ZipFile(bundle) as z:
        manifest = json.loads(z.read(MANIFEST))
        assert sorted(z.namelist()) == ["02-direct-quotes.ipynb", MANIFEST]
    assert manifest["notebook"] == "02-direct-quotes.ipynb" and manifest["release"]
    tags = write_bundle(folder / "06-tag-the-article (1).ipynb", "06-tag-the-article.ipynb")
    with zipfile.ZipFile(tags) as z:
        assert "tag-all.answers.json" in z.namelist()
    nb = nbformat.read(folder / "02-direct-quotes (1).ipynb", as_version=4)
    blank, unsaved = check_saved(nb, ['q02_1 = ["s03"]', "print(1)"])
    assert blank == ["q02_3"] and unsaved == ["q02_1"]


# ------------------------------------------------------------------ the sandbox: advice per host


def _host(**kw) -> sandbox.Host:
    base = {"system": "Linux", "bwrap": "/usr/bin/bwrap", "root": False, "apparmor_restricts_userns": False,
            "userns_clone_off": False, "max_userns_zero": False, "container": None, "ci": None}
    return sandbox.Host(**{**base, **kw})


@pytest.mark.parametrize("host, fix", [
    (_host(system="Darwin", bwrap=None), "docker run"),
    (_host(system="Windows", bwrap=None), "docker run"),
    (_host(bwrap=None), "apt-get install bubblewrap"),
    (_host(apparmor_restricts_userns=True), "kernel.apparmor_restrict_unprivileged_userns=0"),
    (_host(userns_clone_off=True), "kernel.unprivileged_userns_clone=1"),
    (_host(max_userns_zero=True), "user.max_user_namespaces"),
    (_host(container="docker"), "--security-opt seccomp=unconfined"),
    (_host(container="kubernetes"), "privileged: true"),
    (_host(), "bubblewrap said: boom"),
])
def test_the_sandbox_check_names_the_fix_for_each_host(host, fix):
    assert fix in sandbox.advice(host, "setup\nboom")


def test_as_root_the_apparmor_restriction_does_not_matter():
    assert "sysctl" not in sandbox.advice(_host(root=True, apparmor_restricts_userns=True))


def test_check_sandbox_works_here():
    done = subprocess.run([sys.executable, "-m", "reportkit", "grade", "--check-sandbox"], capture_output=True,
                          text=True, cwd=REPO)
    assert done.returncode == 0 and "the sandbox works here" in done.stdout, done.stdout + done.stderr


def test_grade_refuses_without_a_sandbox_and_says_how(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    subs.mkdir()
    env = {"PATH": "/nonexistent", "HOME": str(tmp_path)}  # no bwrap on PATH
    done = subprocess.run([sys.executable, "-m", "reportkit", "grade", str(subs), "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, cwd=REPO, env=env)
    assert done.returncode == 3 and "bubblewrap is not installed" in done.stderr and "--no-sandbox" in done.stderr
    assert not (tmp_path / "r").exists()


def test_inside_the_sandbox_only_the_work_folder_is_writable_and_nothing_outlives_it(tmp_path):
    kit, work, secret = tmp_path / "kit", tmp_path / "work", tmp_path / "secret.txt"
    kit.mkdir()
    work.mkdir()
    secret.write_text("the key")
    probe = f"""
import os, subprocess, sys, time
seen = {{"secret": os.path.exists({str(secret)!r}), "uid": os.getuid(), "pids": len([p for p in os.listdir("/proc")
         if p.isdigit()]), "home": os.environ.get("HOME"), "grader_env": "PYTEST_CURRENT_TEST" in os.environ}}
for target in ("/tmp/escape.txt", {str(kit / "x")!r}, "/opt/reportkit/x"):
    try:
        open(target, "w").write("x")
        seen[target] = "written"
    except OSError:
        seen[target] = "refused"
open("seen.txt", "w").write(repr(seen))
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "rk-sandbox-survivor"], start_new_session=True)
"""
    cmd = sandbox.bwrap_command([sys.executable, "-c", probe], kit=kit, work=work)
    subprocess.run(cmd, check=True, timeout=60)
    seen = eval((work / "seen.txt").read_text())  # noqa: S307 - our own probe's repr
    assert seen["secret"] is False and seen["uid"] == sandbox.INNER_UID and seen["grader_env"] is False
    assert seen["home"] == sandbox.HOME and seen["pids"] <= 3
    assert seen[str(kit / "x")] == "refused" and seen["/opt/reportkit/x"] == "refused"
    assert not Path("/tmp/escape.txt").exists() and not (kit / "x").exists()
    alive = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline_has(p, b"rk-sandbox-survivor")]
    assert alive == []


def _cmdline_has(proc: Path, needle: bytes) -> bool:
    try:
        return needle in (proc / "cmdline").read_bytes()
    except OSError:
        return False


# ------------------------------------------------------------------ outcomes from structured events


def test_outcomes_come_from_the_kernels_error_names():
    from reportkit.grading.runner import RunLimits

    cells = {"02.ipynb": [{"id": "reportkit-grader-recorder"}, {"id": "setup"}, {"id": "q02_1-answer"},
                          {"id": "q02_2-answer"}]}
    result = LearnerResult("x")
    events = [
        {"event": "cell", "nodeid": "02.ipynb::Cell 2", "outcome": "failed", "ename": "NameError",
         "evalue": "name 'x' is not defined"},
        {"event": "cell", "nodeid": "02.ipynb::Cell 3", "outcome": "failed", "ename": "KeyboardInterrupt",
         "timed_out": True},
    ]
    halted = outcomes.Outcomes(result, cells, RunLimits(timeout=5)).read(events, finished=True)
    assert [f.detail for f in result.flags] == ["cell q02_1-answer raised NameError: name 'x' is not defined"]
    assert result.status is Status.TIMEOUT and halted == {"02.ipynb": "cell q02_2-answer ran past the time limit"}


# ------------------------------------------------------------------ what a graded bundle gives away


# A learner's Python sees the bundle's package only: the test's own editable install of the kit
# (a meta-path finder) would otherwise fill in the modules a graded bundle leaves out.
ISOLATE = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__name__.lower()
                    and "editable" not in getattr(f, "__name__", "").lower()]
"""


def _free_answers(bundle: Path) -> dict[str, object]:
    """Answers a learner could take from the bundle alone, without reading anything: the shipped
    examples and sample mistakes, and any labeller the bundle ships (run from the bundle)."""
    script = ISOLATE + """
import json
from pathlib import Path
bundle = Path(sys.argv[1])
[meta_path] = list(bundle.glob("data/*/article.json"))
meta = json.loads(meta_path.read_text())
labels = {sid: label for label, sid in (meta.get("examples") or {}).items()}
labels.update({sid: m["label"] for sid, m in (meta.get("sample_mistakes") or {}).items()})
try:
    from reportkit.article import load_article
    from reportkit.baseline import propose_article
    labels.update({p.id: p.label for p in propose_article(load_article(meta["id"], bundle, require_key=False))})
except ImportError:
    pass
print(json.dumps(labels))
"""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(bundle), "REPORTKIT_HOME": str(bundle)}
    done = subprocess.run([sys.executable, "-c", script, str(bundle)], capture_output=True, text=True, env=env,
                          check=True, cwd=bundle)
    return json.loads(done.stdout)


def _free_points(bundle: Path) -> float:
    """The free labels, scored with the real key on every question they can answer."""
    from reportkit.article import load_article
    from reportkit.checks import load_questions, score

    labels = _free_answers(bundle)
    article = load_article(OWN, REPO)
    total = 0.0
    for question in load_questions(article).values():
        spec = question.spec
        if question.kind == "tagging":
            answer: object = labels
        elif question.kind == "label" and spec.get("sentence") in labels:
            answer = labels[spec["sentence"]]
        elif question.kind == "ids" and spec.get("key_label"):
            answer = sorted(s for s, label in labels.items() if label == spec["key_label"])
        else:
            continue
        total += score(question, answer, article, 3).points
    return total


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    from reportkit.release import release

    base = tmp_path_factory.mktemp("bundles")
    return {"practice": release(base / "practice", root=REPO),
            "graded": release(base / "graded", graded=True, root=REPO)}


def test_a_graded_bundle_gives_no_free_points(bundles):
    assert _free_points(bundles["graded"]) <= 0  # a blank hand-in scores 0 (the rehearsal asserts it)
    assert not (bundles["graded"] / "reportkit" / "baseline.py").exists()
    for name in ("key.json", "figures.json", "upstream.json"):
        assert not list(bundles["graded"].glob(f"data/*/{name}")), name
    meta = json.loads(next(bundles["graded"].glob("data/*/article.json")).read_text())
    assert not {"examples", "sample_mistakes", "sample_try"} & set(meta)


def test_the_free_points_measure_can_fail(bundles):
    """On the practice bundle (which teaches with the key) the same measure finds many points."""
    assert _free_points(bundles["practice"]) >= 20


def test_repeated_checks_in_a_graded_bundle_reveal_nothing(bundles):
    """Form-only checks: every well-formed label gets the same answer from the graded bundle's check."""
    script = ISOLATE + """
import json
from reportkit.checks import Checker, load_questions
check = Checker(sys.argv[1])
seen = {}
for qid, q in check.questions.items():
    if q.kind != "label":
        continue
    said = set()
    for label in ("quote", "reported", "analysis", "narration", "furniture"):
        try:
            said.add(repr(check(qid, label).passed))
        except AssertionError as error:
            said.add("fail")
    seen[qid] = sorted(said)
print(json.dumps(seen))
"""
    bundle = bundles["graded"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(bundle), "REPORTKIT_HOME": str(bundle)}
    done = subprocess.run([sys.executable, "-c", script, OWN], capture_output=True, text=True, env=env, cwd=bundle)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen and all(len(v) == 1 for v in seen.values()), seen


# ------------------------------------------------------------------ several releases; the report's caps


def _stamped_release(kit: Path, folder: Path, version: str) -> Path:
    folder.mkdir()
    for path in (kit / "exercises").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nb.metadata.setdefault("reportkit", {})["release"] = version
        nbformat.write(nb, folder / path.name)
    return folder


def test_each_notebook_is_graded_against_the_release_it_came_from(tmp_path):
    import grading_kit as gk

    from reportkit.grading.learner import GradeOptions, _prepare
    from reportkit.grading.releases import Releases

    kit = gk.build_kit(tmp_path / "kit")
    releases = Releases.load([_stamped_release(kit, tmp_path / "a", "1.0+a"),
                              _stamped_release(kit, tmp_path / "b", "1.0+b")])
    options = GradeOptions(kit, releases, tmp_path / "scratch", tmp_path / "sandbox-kit")
    work = tmp_path / "work"
    work.mkdir()
    for stamp, graded_against, flagged in (("1.0+b", "1.0+b", False), ("0.9+old", "1.0+a", True)):
        nb = nbformat.read(kit / "exercises" / gk.NOTEBOOK, as_version=4)
        nb.metadata.setdefault("reportkit", {})["release"] = stamp
        result = LearnerResult("x")
        candidate = intake.Candidate(tmp_path / gk.NOTEBOOK, gk.NOTEBOOK, nb=nb)
        planned = _prepare(result, releases.default[0], candidate, options, work)
        assert planned.released.release == graded_against and result.releases == [graded_against]
        assert any(f.code is FlagCode.RELEASE_MISMATCH for f in result.flags) == flagged


def test_results_json_is_capped_and_the_report_plain():
    from reportkit.grading.model import QuestionResult
    from reportkit.grading.report import MAX_RESULTS_BYTES, plain_text, results_document

    learners = []
    for n in range(1200):
        result = LearnerResult(f"l{n}")
        result.questions.append(QuestionResult("q06_1", "06.ipynb", 1, 10, answer={f"s{i:02d}": "x" * 500
                                                                                  for i in range(60)}))
        learners.append(result)
    text = results_document(learners, ["q06_1"], [])
    assert len(text.encode()) <= MAX_RESULTS_BYTES and json.loads(text)["format"] == 1
    assert plain_text("\x1b[0;31mNameError\x1b[0m: x") == "NameError: x"


def test_the_sandbox_works_when_the_python_environment_lives_under_tmp(tmp_path):
    """A kit cloned into /tmp has its venv there; the sandbox's private /tmp must not hide it."""
    import tempfile
    import venv

    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        env_dir = Path(folder) / "venv"
        venv.create(env_dir, with_pip=False, symlinks=True)
        probe = "from reportkit.grading import sandbox; c = sandbox.check(); print(c.ok, c.message)"
        done = subprocess.run([str(env_dir / "bin" / "python"), "-c", probe], capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.stdout.startswith("True"), done.stdout + done.stderr
