"""``python -m reportkit transfer``: each learner's agreement with the key on the studied and the unseen
article, side by side, per label.

Unit tests read small synthetic results.json documents against the real keys (the Kyiv Post and the
reviewed fictional harbour-bridge article); the rehearsal releases both articles, grades three learners'
hand-ins of exercise 06 with the README's command, and runs ``transfer`` as docs/grading.md writes it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from kits import FIXTURE_ID, FIXTURE_REVIEW, OWN, reviewed_fixture_kit

from reportkit.answers import AnswersFile
from reportkit.article import load_article
from reportkit.cli import main
from reportkit.grading.transfer import DROP_POINTS, OVERALL

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = "06-tag-the-article.ipynb"
LABELS = ("quote", "reported", "analysis", "narration", "furniture")
# The fictional article's key: quote s02 s03; reported s01 s05 s06 s09; analysis s07; narration s08;
# furniture s04 s10 s11 (no accepted alternatives).
BRIDGE = {sid: label for sid, (label, _, _) in FIXTURE_REVIEW.items()}


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return reviewed_fixture_kit(tmp_path_factory.mktemp("transfer") / "kit")


@pytest.fixture(scope="module")
def kyiv(kit: Path) -> dict[str, str]:
    """The Kyiv Post key's labels: quote s03 s04 s21 s34; narration s10 s18; analysis s09 s22–s25 s28
    (each accepts 'reported'); s18 accepts 'reported', s10 accepts 'analysis'."""
    article = load_article(OWN, kit)
    return {e.id: e.label for e in article.key or ()}


# ---------------------------------------------------------------- synthetic results.json


def results_doc(article: str, answers: dict[str, dict[str, str] | None], question: str = "q06_1",
                **extra: object) -> dict[str, object]:
    learners = [{"learner": name, "status": "ok", "questions": [
        {"question": question, "notebook": NOTEBOOK, "points": 0, "max_points": 10, "answer": labels}]}
        for name, labels in answers.items()]
    return {"format": 1, "questions": [question], "warnings": [], "sandboxed": True, "shard": None,
            "notebooks": [{"name": NOTEBOOK, "article": article, "release": "x", "questions": [question]}],
            "learners": learners, **extra}


def write_report(folder: Path, doc: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return folder


def run(tmp_path: Path, kit: Path, studied: dict, unseen: dict, capsys: pytest.CaptureFixture[str]
        ) -> tuple[int, str]:
    a, b = write_report(tmp_path / "studied", studied), write_report(tmp_path / "unseen", unseen)
    code = main(["transfer", str(a), str(b), "--out", str(tmp_path / "out"), "--kit", str(kit)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def csv_rows(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "transfer.csv").open(encoding="utf-8", newline="") as handle:
        return {row["learner"]: row for row in csv.DictReader(handle)}


def ben(kyiv: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Studied: s03 (quote) taken for reported, s10 (narration) for furniture, s09 (analysis) given its
    accepted alternative 'reported'. Unseen: s02 (quote) → reported, s05 (reported) → quote, s07
    (analysis) → reported."""
    studied = {**kyiv, "s03": "reported", "s10": "furniture", "s09": "reported"}
    return studied, {**BRIDGE, "s02": "reported", "s05": "quote", "s07": "reported"}


def test_per_label_agreement_counts_accepted_alternatives(tmp_path, kit, kyiv, capsys):
    studied, unseen = ben(kyiv)
    code, said = run(tmp_path, kit, results_doc(OWN, {"ben": studied}), results_doc(FIXTURE_ID, {"ben": unseen}),
                     capsys)
    assert code == 0, said
    row = csv_rows(tmp_path / "out")["ben"]
    # studied: quote 3/4, reported 18/18, analysis 6/6 (s09 accepted), narration 1/2, furniture 10/10, 38/40
    # unseen: quote 1/2, reported 3/4, analysis 0/1, narration 1/1, furniture 3/3, 8/11
    expected = {"quote": ("75.0", "50.0", "-25.0"), "reported": ("100.0", "75.0", "-25.0"),
                "analysis": ("100.0", "0.0", "-100.0"), "narration": ("50.0", "100.0", "+50.0"),
                "furniture": ("100.0", "100.0", "+0.0"), OVERALL: ("95.0", "72.7", "-22.3")}
    for label, (before, after, change) in expected.items():
        assert (row[f"{label}_studied"], row[f"{label}_unseen"], row[f"{label}_change"]) == (before, after, change)
    assert row["note"] == ""


def test_labels_outside_the_codebook_and_untagged_units_do_not_agree(tmp_path, kit, kyiv, capsys):
    studied = {**kyiv, "s03": "opinion", "s04": "quote"}
    unseen = {sid: label for sid, label in BRIDGE.items() if sid not in ("s04", "s10")}  # two untagged
    code, said = run(tmp_path, kit, results_doc(OWN, {"eve": studied}), results_doc(FIXTURE_ID, {"eve": unseen}),
                     capsys)
    assert code == 0, said
    row = csv_rows(tmp_path / "out")["eve"]
    assert (row["quote_studied"], row["overall_studied"]) == ("75.0", "97.5")
    assert (row["furniture_unseen"], row["overall_unseen"]) == ("33.3", "81.8")


def test_learners_are_matched_by_normalised_id_and_the_unmatched_listed(tmp_path, kit, kyiv, capsys):
    nfd = unicodedata.normalize("NFD", "Zoë")
    studied = results_doc(OWN, {nfd: kyiv, "ana": kyiv, "cleo": kyiv, "=HYPERLINK(1)": kyiv})
    unseen = results_doc(FIXTURE_ID, {" Zoë ": BRIDGE, "ana": None, "dara": BRIDGE})
    code, said = run(tmp_path, kit, studied, unseen, capsys)
    assert code == 0, said
    rows = csv_rows(tmp_path / "out")
    assert list(rows) == ["'=HYPERLINK(1)", "ana", "cleo", "dara", "Zoë"]  # escaped; sorted; one Zoë
    assert rows["Zoë"]["overall_change"] == "+0.0" and rows["Zoë"]["note"] == ""
    assert rows["ana"]["overall_studied"] == "100.0" and rows["ana"]["overall_unseen"] == ""
    assert rows["ana"]["note"] == "no tagging answers recorded for the unseen article"
    assert rows["cleo"]["quote_unseen"] == "" and rows["cleo"]["note"] == "only in the studied article's report"
    assert rows["dara"]["quote_studied"] == "" and rows["dara"]["overall_unseen"] == "100.0"
    assert rows["dara"]["note"] == "only in the unseen article's report"
    report = (tmp_path / "out" / "transfer.md").read_text("utf-8")
    assert "- dara: only in the unseen article's report" in report
    overall = next(line for line in report.splitlines() if line.startswith("| **All units**"))
    assert overall == "| **All units** | 40 / 11 | 1 | 100.0% | 100.0% | +0.0 | 0 of 1 |"  # Zoë alone is paired


def test_the_class_table_gives_paired_means_and_who_dropped(tmp_path, kit, kyiv, capsys):
    ben_studied, ben_unseen = ben(kyiv)
    studied = results_doc(OWN, {"ana": kyiv, "ben": ben_studied})
    unseen = results_doc(FIXTURE_ID, {"ana": BRIDGE, "ben": ben_unseen})
    code, said = run(tmp_path, kit, studied, unseen, capsys)
    assert code == 0, said
    report = (tmp_path / "out" / "transfer.md").read_text("utf-8")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in report.splitlines() if line.startswith("| ")}
    # quote: (100 + 75) / 2 studied, (100 + 50) / 2 unseen; ben fell by 25 (more than 20 points)
    assert rows["Direct quote (`quote`)"] == "| Direct quote (`quote`) | 4 / 2 | 2 | 87.5% | 75.0% | -12.5 | 1 of 2 |"
    assert rows["Third-party analysis (`analysis`)"].endswith("| 6 / 1 | 2 | 100.0% | 50.0% | -50.0 | 1 of 2 |")
    assert rows["Reporter's voice (`narration`)"].endswith("| 2 / 1 | 2 | 75.0% | 100.0% | +25.0 | 0 of 2 |")
    assert rows["**All units**"].endswith("| 40 / 11 | 2 | 97.5% | 86.4% | -11.1 | 1 of 2 |")
    assert f"dropped > {DROP_POINTS} points" in report
    assert "the unseen article is harder" in report and "does not tell these apart" in report
    assert "only one or two units of direct quote (4 / 2), third-party analysis (6 / 1), reporter's voice (2 / 1) " \
        "(units studied / unseen): there, one sentence moves a learner's share by 50 points or more." in report
    assert "2 learner(s), 2 graded on both articles; overall agreement 97.5% studied, 86.4% unseen" in said


def test_the_chart_is_at_most_1600_px_wide_and_described_in_words(tmp_path, kit, kyiv, capsys):
    class_of = {f"learner {n:02d}": kyiv for n in range(30)}
    code, said = run(tmp_path, kit, results_doc(OWN, class_of), results_doc(FIXTURE_ID, dict.fromkeys(class_of,
                     BRIDGE)), capsys)
    assert code == 0, said
    png = (tmp_path / "out" / "transfer.png").read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and 600 < width <= 1600 and height < 900
    report = (tmp_path / "out" / "transfer.md").read_text("utf-8")
    alt = re.search(r"!\[(.*)\]\(transfer\.png\)", report)
    assert alt and "direct quote 100.0% studied, 100.0% unseen" in alt.group(1) and "30 learners" in alt.group(1)


# ---------------------------------------------------------------- messages


@pytest.mark.parametrize(("change", "message"), [
    ("missing", "no results.json here; give a report folder written by `python -m reportkit grade`"),
    ("old", "results.json format 0, this grader reads format 1"),
    ("no notebooks", "written by an older grader (no list of notebooks); grade the class again"),
])
def test_a_missing_or_old_results_file_is_refused(tmp_path, kit, kyiv, capsys, change, message):
    studied = results_doc(OWN, {"ana": kyiv})
    if change == "old":
        studied["format"] = 0
    elif change == "no notebooks":
        del studied["notebooks"]
    a = write_report(tmp_path / "studied", studied)
    if change == "missing":
        (a / "results.json").unlink()
    b = write_report(tmp_path / "unseen", results_doc(FIXTURE_ID, {"ana": BRIDGE}))
    assert main(["transfer", str(a), str(b), "--out", str(tmp_path / "out"), "--kit", str(kit)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and str(a) in err
    assert not (tmp_path / "out").exists()


def test_a_part_of_a_sharded_run_is_refused(tmp_path, kit, kyiv, capsys):
    studied = results_doc(OWN, {"ana": kyiv}, shard={"k": 1, "n": 2})
    code, said = run(tmp_path, kit, studied, results_doc(FIXTURE_ID, {"ana": BRIDGE}), capsys)
    assert code == 1
    assert "part 1 of 2 of a sharded run; `python -m reportkit merge` the parts first" in said


def test_without_a_learner_on_both_articles_there_is_no_chart(tmp_path, kit, kyiv, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "transfer.png").write_bytes(b"an earlier run's chart")
    code, said = run(tmp_path, kit, results_doc(OWN, {"ana": kyiv}), results_doc(FIXTURE_ID, {"ben": BRIDGE}),
                     capsys)
    assert code == 0, said
    assert not (tmp_path / "out" / "transfer.png").exists()
    report = (tmp_path / "out" / "transfer.md").read_text("utf-8")
    assert "No chart: no learner was graded on both articles." in report and "](transfer.png)" not in report
    assert "| **All units** | 40 / 11 | 0 | — | — | — | — |" in report


def test_a_report_without_a_tagging_question_is_refused(tmp_path, kit, kyiv, capsys):
    studied = results_doc(OWN, {"ana": {"answer": "s03"}}, question="q02_1")
    code, said = run(tmp_path, kit, studied, results_doc(FIXTURE_ID, {"ana": BRIDGE}), capsys)
    assert code == 1
    assert "no tagging question among the questions graded (q02_1); grade the tagging exercise" in said


def test_the_same_article_twice_is_not_a_transfer(tmp_path, kit, kyiv, capsys):
    code, said = run(tmp_path, kit, results_doc(OWN, {"ana": kyiv}), results_doc(OWN, {"ana": kyiv}), capsys)
    assert code == 1
    assert f"both reports grade the same article ({OWN}): this is not a transfer" in said


def test_an_article_not_in_the_kit_is_named(tmp_path, kit, kyiv, capsys):
    code, said = run(tmp_path, kit, results_doc(OWN, {"ana": kyiv}),
                     results_doc("gazette-2031-no-such", {"ana": BRIDGE}), capsys)
    assert code == 1
    assert "grades article 'gazette-2031-no-such', which cannot be read with its key from the kit" in said
    assert "no article 'gazette-2031-no-such'" in said and "give the instructor's kit with --kit" in said


def test_a_learner_bundle_without_the_key_is_not_the_kit(tmp_path, kit, kyiv, capsys):
    bundle = tmp_path / "bundle"
    shutil.copytree(kit / "data", bundle / "data")
    shutil.copytree(kit / "seeds", bundle / "seeds")
    (bundle / "data" / FIXTURE_ID / "key.json").unlink()
    a = write_report(tmp_path / "studied", results_doc(OWN, {"ana": kyiv}))
    b = write_report(tmp_path / "unseen", results_doc(FIXTURE_ID, {"ana": BRIDGE}))
    assert main(["transfer", str(a), str(b), "--out", str(tmp_path / "out"), "--kit", str(bundle)]) == 1
    assert f"grades article '{FIXTURE_ID}', which cannot be read with its key" in capsys.readouterr().err


# ---------------------------------------------------------------- rehearsal: real releases, real grading


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("REPORTKIT_HOME", None)  # the kit is found from the folder the instructor is in
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _cli(kit: Path, line: str) -> subprocess.CompletedProcess[str]:
    """One command as the docs write it (``python -m reportkit …``), run from the kit's folder."""
    words = line.split()
    assert words[:3] == ["python", "-m", "reportkit"], line
    return subprocess.run([sys.executable, *words[1:]], cwd=kit, env=_env(), capture_output=True, text=True,
                          timeout=300)


def _docs_command(name: str) -> str:
    """The line of docs/grading.md's transfer section that runs ``name``."""
    text = (REPO / "docs" / "grading.md").read_text("utf-8")
    section = text.split("## Transfer: the studied and the unseen article", 1)[1].split("\n## ", 1)[0]
    return next(line.strip() for line in section.splitlines() if line.strip().startswith(f"python -m reportkit {name}"))


def _hand_in(kit: Path, folder: Path, release: Path, article: str, labels: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    shutil.copy2(release / "exercises" / NOTEBOOK, folder / NOTEBOOK)
    answers = AnswersFile(article, load_article(article, kit).seed_sha256, "tag-all", labels)
    (folder / "tag-all.answers.json").write_text(json.dumps(answers.to_dict()), "utf-8")


@pytest.mark.slow
def test_rehearsal_two_graded_classes_compared_as_the_docs_say(kit, kyiv):
    started = time.perf_counter()
    for step in ("release --out studied-release", "release --article gazette-harbour-bridge --out unseen-release"):
        made = _cli(kit, _docs_command(step))
        assert made.returncode == 0, made.stderr
    assert [p.name for p in (kit / "unseen-release" / "exercises").glob("*.ipynb")] == [NOTEBOOK]
    assert not (kit / "unseen-release" / "data" / FIXTURE_ID / "key.json").exists()
    ben_studied, ben_unseen = ben(kyiv)
    cleo = {sid: "reported" for sid in kyiv}  # every unit 'reported': the Kyiv Post's analysis accepts it
    learners = {"ana": (kyiv, BRIDGE), "ben": (ben_studied, ben_unseen), "cleo": (cleo, dict.fromkeys(BRIDGE,
                "reported"))}
    for name, (studied, unseen) in learners.items():
        _hand_in(kit, kit / "studied-handins" / name, kit / "studied-release", OWN, studied)
        _hand_in(kit, kit / "unseen-handins" / name, kit / "unseen-release", FIXTURE_ID, unseen)
    for step in ("grade studied-handins", "grade unseen-handins"):
        graded = _cli(kit, _docs_command(step))
        assert graded.returncode == 0, graded.stdout + graded.stderr
    for report in ("studied-report", "unseen-report"):  # graded in the sandbox, as the README says
        assert json.loads((kit / report / "results.json").read_text("utf-8"))["sandboxed"] is True
    compared = _cli(kit, _docs_command("transfer"))
    assert compared.returncode == 0, compared.stderr
    assert "3 learner(s), 3 graded on both articles" in compared.stdout
    out = kit / "transfer"
    rows = csv_rows(out)

    def side(name: str, which: str) -> dict[str, str]:
        return {label: rows[name][f"{label}_{which}"] for label in (*LABELS, OVERALL)}

    assert side("ana", "studied") == side("ana", "unseen") == dict.fromkeys((*LABELS, OVERALL), "100.0")
    assert side("ben", "studied") == {"quote": "75.0", "reported": "100.0", "analysis": "100.0", "narration": "50.0",
                                      "furniture": "100.0", OVERALL: "95.0"}
    assert side("ben", "unseen") == {"quote": "50.0", "reported": "75.0", "analysis": "0.0", "narration": "100.0",
                                     "furniture": "100.0", OVERALL: "72.7"}
    # cleo: 'reported' everywhere; accepted on the Kyiv Post's analysis and s18 (narration), 25 of 40
    assert side("cleo", "studied") == {"quote": "0.0", "reported": "100.0", "analysis": "100.0",
                                       "narration": "50.0", "furniture": "0.0", OVERALL: "62.5"}
    assert side("cleo", "unseen") == {"quote": "0.0", "reported": "100.0", "analysis": "0.0", "narration": "0.0",
                                      "furniture": "0.0", OVERALL: "36.4"}
    assert rows["cleo"]["narration_change"] == "-50.0" and not any(row["note"] for row in rows.values())
    report = (out / "transfer.md").read_text("utf-8")
    assert "| Third-party analysis (`analysis`) | 6 / 1 | 3 | 100.0% | 33.3% | -66.7 | 2 of 3 |" in report
    assert "| **All units** | 40 / 11 | 3 | 85.8% | 69.7% | -16.1 | 2 of 3 |" in report
    assert (out / "transfer.png").stat().st_size > 10_000
    print(f"rehearsal: two releases, 6 hand-ins graded, transfer compared in {time.perf_counter() - started:.1f} s")
