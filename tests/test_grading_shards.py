"""Sharded grading: ``grade --shard K/N`` and ``merge`` make the report one run makes.

One small class (the tiny kit) is graded once whole and once as 3 shards running at the same time
as Slurm array tasks would (``scripts/slurm-grade.sh`` with SLURM_ARRAY_TASK_* set, each a
``grade --shard slurm`` process); the merged report must be the single run's (gradebook byte for
byte, results.json equal but for timings). Also: the hash split, merge refusing bad parts, an empty
shard, adjustments kept across a re-grade, item analysis, and the workflow files against the
published schema.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import grading_kit as gk  # noqa: E402

from reportkit.grading.model import LearnerResult, QuestionResult  # noqa: E402
from reportkit.grading.shards import ShardError, from_slurm, missing_shards, parse_shard, shard_of  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SLURM = REPO / "scripts" / "slurm-grade.sh"
N = 3


def _one_per_shard() -> list[str]:
    """Three learner ids, one in each of the 3 shards (found, not assumed: the hash decides)."""
    chosen: dict[int, str] = {}
    for name in ["ada", "bo", "cy", "dee", "=eve", "fox", "gil", "hal", "ivo", "jun", "kim", "lu"]:
        chosen.setdefault(shard_of(name, N), name)
    assert len(chosen) == N
    return [chosen[k] for k in sorted(chosen)]


def _grade(args: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportkit", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=900, **kw)


def _slurm_task(root: Path, task: int) -> subprocess.Popen:
    env = {**os.environ, "SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": "0",
           "SLURM_ARRAY_TASK_COUNT": str(N), "REPORTKIT_PYTHON": sys.executable}
    env.pop("SLURM_CPUS_PER_TASK", None)  # one job per task inside a test worker (DECISIONS §7)
    return subprocess.Popen(["bash", str(SLURM), "subs", "parts", "--kit", "kit", "--timeout", "60"], cwd=root,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("shards")
    kit = gk.build_kit(root / "kit")
    names = _one_per_shard()
    for i, name in enumerate(names):  # one right, two wrong: most of the class tags s01 against the key
        good = i == 0
        gk.handin(kit, root / "subs" / name, gk.RIGHT_SOURCES if good else gk.WRONG_SOURCES,
                  labels=gk.RIGHT_LABELS if good else gk.WRONG_LABELS)
    (root / "subs" / "nobody").mkdir()  # a learner without a notebook: graded "missing", no kernel
    (root / "subs" / "notes.txt").write_text("not a hand-in", "utf-8")
    tasks = [_slurm_task(root, t) for t in range(N)]  # Slurm array 0-2: three processes at once
    whole = _grade(["grade", "subs", "--out", "whole", "--kit", "kit", "--jobs", "1", "--quiet", "--timeout", "60"],
                   root)
    ended = [(t.wait(900), *t.communicate()) for t in tasks]
    merged = _grade(["merge", *(f"parts/part-{t}" for t in range(N)), "--out", "merged", "--kit", "kit"], root)
    return {"root": root, "kit": kit, "names": names, "whole": whole, "tasks": ended, "merged": merged}


def _results(folder: Path) -> dict:
    doc = json.loads((folder / "results.json").read_text("utf-8"))
    for learner in doc["learners"]:
        learner.pop("seconds")
    return doc


# ------------------------------------------------------------------ the split


def test_a_learner_shard_depends_on_the_normalised_id_only():
    nfd = unicodedata.normalize("NFD", "Zoë")
    assert shard_of(f"  {nfd} ", 7) == shard_of("Zoë", 7)
    before = {f"learner{i}": shard_of(f"learner{i}", 5) for i in range(200)}
    assert {n: shard_of(n, 5) for n in before} == before  # adding learners moves nobody: no list position
    sizes = [list(before.values()).count(k) for k in range(1, 6)]
    assert min(sizes) > 20 and max(sizes) < 60, sizes  # roughly even slices


def test_shard_arguments_and_slurm_tasks():
    assert (parse_shard("2/3").k, parse_shard(" 2 / 3 ").n) == (2, 3)
    for bad in ("0/3", "4/3", "3", "a/b", "1/0"):
        with pytest.raises(ShardError):
            parse_shard(bad)
    as_slurm = {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"}
    assert str(from_slurm(as_slurm)) == "1/4"
    assert str(from_slurm({**as_slurm, "SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_MIN": "5"})) == "4/4"
    with pytest.raises(ShardError, match="sbatch --array"):
        from_slurm({})


def test_missing_shards_names_the_problem():
    assert missing_shards([(1, 3), (3, 3), (2, 3)]) is None
    assert missing_shards([(1, 3), (3, 3)]) == "shard 2/3 missing"
    assert "given twice" in missing_shards([(1, 2), (1, 2), (2, 2)])
    assert "different splits" in missing_shards([(1, 2), (2, 3)])
    assert "whole class" in missing_shards([None, (1, 2)])


# ------------------------------------------------------------------ whole = merged shards


def test_every_run_succeeds(graded):
    assert graded["whole"].returncode == 0, graded["whole"].stderr[-2000:]
    for code, out, err in graded["tasks"]:
        assert code == 0, err[-2000:]
        assert "(shard " in out
    assert graded["merged"].returncode == 0, graded["merged"].stderr[-2000:]
    assert "4 learner(s)" in graded["merged"].stdout


def test_each_slurm_task_graded_its_slice_only(graded):
    for task in range(N):
        doc = _results(graded["root"] / "parts" / f"part-{task}")
        assert doc["shard"] == {"k": task + 1, "n": N}
        assert doc["learners"], "each shard holds a graded learner"
        assert all(shard_of(r["learner"], N) == task + 1 for r in doc["learners"])


def test_merged_gradebook_is_byte_identical(graded):
    whole = (graded["root"] / "whole" / "gradebook.csv").read_bytes()
    assert (graded["root"] / "merged" / "gradebook.csv").read_bytes() == whole
    rows = {r["learner"]: r for r in csv.DictReader(whole.decode().splitlines())}
    assert set(rows) == {"'" + n if n.startswith("=") else n for n in graded["names"]} | {"nobody"}
    assert rows["nobody"]["status"] == "missing"


def test_merged_results_feedback_and_report_match(graded):
    whole, merged = graded["root"] / "whole", graded["root"] / "merged"
    assert _results(merged) == _results(whole)
    assert (merged / "report.md").read_text("utf-8") == (whole / "report.md").read_text("utf-8")
    for folder in ("feedback", "feedback-instructor"):
        names = sorted(p.name for p in (whole / folder).iterdir())
        assert names == sorted(p.name for p in (merged / folder).iterdir()) and len(names) == 4
        for name in names:
            assert (merged / folder / name).read_bytes() == (whole / folder / name).read_bytes()
    assert "notes.txt: neither a folder nor a .zip" in (merged / "report.md").read_text("utf-8")


def test_merge_refuses_parts_that_are_not_one_class(graded):
    root = graded["root"]
    for parts, why in ((["parts/part-0", "parts/part-1"], "shard 3/3 missing"),
                       (["parts/part-0", "parts/part-0", "parts/part-1", "parts/part-2"], "given twice"),
                       (["whole", "parts/part-1"], "whole class"),
                       (["parts/nothing-here"], "not a readable results.json")):
        done = _grade(["merge", *parts, "--out", "bad", "--kit", "kit"], root)
        assert done.returncode == 2 and why in done.stderr, done.stderr
    assert not (root / "bad").exists()


def test_an_empty_shard_writes_an_empty_part_quickly(graded, tmp_path):
    root = graded["root"]
    empty = next(k for k in range(1, 40) if all(shard_of(n, 40) != k for n in [*graded["names"], "nobody"]))
    done = _grade(["grade", "subs", "--out", str(tmp_path / "p"), "--kit", "kit", "--shard", f"{empty}/40"], root)
    assert done.returncode == 0, done.stderr
    assert _results(tmp_path / "p")["learners"] == []
    bad = _grade(["grade", "subs", "--out", str(tmp_path / "q"), "--kit", "kit", "--shard", "4/3"], root)
    assert bad.returncode == 2 and "K must be between 1 and N" in bad.stderr and not (tmp_path / "q").exists()


# ------------------------------------------------------------------ item analysis


def test_item_analysis_lists_the_sentence_most_of_the_class_disputes(graded):
    report = (graded["root"] / "whole" / "report.md").read_text("utf-8")
    section = report.split("## Item analysis", 1)[1].split("\n## ", 1)[0]
    # Two of the three taggers gave s01 "quote" (key: reported); s05 is untagged by them, not disputed.
    assert "| s01 | reported | 2 of 3 | quote ×2 |" in section
    assert "| s02 |" not in section and "| s05 |" not in section
    assert "| q01_2 | 01-tiny.ipynb | 2 of 3 |" in section  # two answered "narration"
    assert '"narration" ×2' in section


def test_item_analysis_needs_a_majority_of_enough_answers():
    from reportkit.grading.itemanalysis import MIN_ANSWERS, disputed_questions
    from reportkit.grading.resultsfile import _notebook

    rel = _notebook({"name": "n.ipynb", "article": "a", "questions": ["q1"]})

    def learners(wrong: int, right: int) -> list[LearnerResult]:
        def answered(i: int) -> QuestionResult:
            ok = i >= wrong
            return QuestionResult("q1", "n.ipynb", float(ok), 1, passed=ok, answer="y" if ok else "x")

        return [LearnerResult(f"l{i}", questions=[answered(i)]) for i in range(wrong + right)]

    assert [d.unit for d in disputed_questions(learners(3, 2), [rel], set())] == ["q1"]
    assert disputed_questions(learners(2, 2), [rel], set()) == []  # half is not most
    assert disputed_questions(learners(MIN_ANSWERS - 1, 0), [rel], set()) == []


# ------------------------------------------------------------------ adjustments across a re-grade


def test_adjustments_survive_a_regrade_and_bad_lines_stop_it_early(graded, tmp_path):
    root = graded["root"]
    subs = tmp_path / "subs"
    (subs / "nobody").mkdir(parents=True)
    adj = tmp_path / "adjustments.csv"
    adj.write_text("learner,question,delta,override,reason\nnobody,total,,4,handed in on paper\n", "utf-8")
    first = _grade(["grade", str(subs), "--out", str(tmp_path / "r"), "--kit", "kit", "--adjustments", str(adj)], root)
    assert first.returncode == 0, first.stderr
    again = _grade(["grade", str(subs), "--out", str(tmp_path / "r"), "--kit", "kit"], root)  # no --adjustments
    assert again.returncode == 0, again.stderr
    row = next(csv.DictReader((tmp_path / "r" / "gradebook.csv").open(encoding="utf-8")))
    assert (row["auto"], row["adjusted"], row["total"]) == ("0", "+4", "4")
    feedback = next((tmp_path / "r" / "feedback").glob("nobody-*.md")).read_text("utf-8")
    assert "total: set to 4 (handed in on paper)" in feedback
    adj.write_text("learner,question,delta,override,reason\nnobody,total,1,,ok\nnobdy,q01_1,1,,typo\n", "utf-8")
    bad = _grade(["grade", str(subs), "--out", str(tmp_path / "s"), "--kit", "kit", "--adjustments", str(adj)], root)
    assert bad.returncode == 2 and "adjustments.csv line 3: no learner 'nobdy'" in bad.stderr, bad.stderr
    assert "did you mean 'nobody'" in bad.stderr and not (tmp_path / "s").exists()


# ------------------------------------------------------------------ the engines' files


def _check_jsonschema() -> str:
    found = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")
    if not found:
        pytest.fail("check-jsonschema is missing: pip install -r requirements-dev.txt")
    return found


def test_workflows_match_the_published_schema(tmp_path):
    tool = _check_jsonschema()
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert any(w.name == "classroom-shards.yml" for w in workflows)
    done = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", *map(str, workflows)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"  # the check can fail: a job without runs-on or steps
    broken.write_text((REPO / ".github/workflows/classroom-shards.yml").read_text("utf-8")
                      .replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest"), "utf-8")
    done = subprocess.run([tool, "--builtin-schema", "vendor.github-workflows", str(broken)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1


def test_the_sharded_workflow_runs_the_tested_commands():
    text = (REPO / ".github" / "workflows" / "classroom-shards.yml").read_text("utf-8")
    assert "python -m reportkit grade submissions --out \"$PART\"" in text and '--shard "$SHARD"' in text
    assert "python -m reportkit merge parts/part-* --out report" in text
    assert "kernel.apparmor_restrict_unprivileged_userns=0" in text  # the runner's sandbox fix


def test_the_slurm_script_refuses_to_run_outside_an_array(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    done = subprocess.run(["bash", str(SLURM), "subs", "parts"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0 and "sbatch --array" in done.stderr
    assert not (tmp_path / "parts").exists()
