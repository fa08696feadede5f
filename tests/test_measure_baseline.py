"""The baseline's measurement on labelled fixtures: the labels line up with the text, the script runs,
and the figures it prints (development and held-out texts) do not slip unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reportkit.baseline import evaluate, propose_all, three_way
from reportkit.key import load_codebook

KIT = Path(__file__).resolve().parent.parent
SCRIPT = KIT / "benchmarks" / "measure_baseline.py"
FIXTURES = KIT / "tests" / "fixtures"
HELDOUT = sorted(FIXTURES.glob("heldout-*.txt"))
DEVELOPMENT = sorted(FIXTURES.glob("dev-*.txt"))
sys.path.insert(0, str(KIT / "benchmarks"))

from measure_baseline import heldout_gold  # noqa: E402


@pytest.mark.parametrize("path", HELDOUT + DEVELOPMENT, ids=lambda p: p.stem)
def test_labels_cover_the_text_in_order(path: Path) -> None:
    labels = set(load_codebook(KIT).label_ids)
    text = path.read_text("utf-8")
    units = json.loads(path.with_suffix(".labels.json").read_text("utf-8"))["units"]
    at = 0
    for unit in units:
        start = text.index(unit["text"], at)  # ValueError: a unit is not in the text, or out of order
        assert not text[at:start].strip(), f"{path.name}: text not labelled before {unit['text'][:40]!r}"
        assert unit["label"] in labels and set(unit.get("alternatives", [])) <= labels
        at = start + len(unit["text"])
    assert not text[at:].strip(), f"{path.name}: text after the last labelled unit"


def test_there_are_held_out_and_development_texts_in_several_styles() -> None:
    assert HELDOUT, "no held-out text in tests/fixtures"
    styles = [json.loads(p.with_suffix(".labels.json").read_text("utf-8"))["style"] for p in DEVELOPMENT]
    joined = " ".join(styles)
    for style in ("inversions", "apposition", "according to", "editor's note", "contributor", "several sentences"):
        assert style in joined, f"no development text exercises {style!r}"


# Three-way accuracy and recalls measured when the rules were last changed (issue 14); a change to the
# rules that lowers one must say so here, knowingly.
FLOORS = {
    "heldout-varnia-talks": (0.93, {"quote": 1.0, "attributed": 0.93}),
    "dev-wire-dock-strike": (1.0, {"quote": 1.0, "attributed": 1.0}),
    "dev-feature-reservoir": (1.0, {"quote": 1.0, "attributed": 1.0}),
    "dev-politics-budget": (0.95, {"quote": 0.8, "attributed": 1.0}),  # a quote merged into a claim by pySBD
    "dev-court-ruling": (1.0, {"quote": 1.0, "attributed": 1.0}),  # 0.94 when first run, before "rule that"
}


@pytest.mark.parametrize("path", HELDOUT + DEVELOPMENT, ids=lambda p: p.stem)
def test_three_way_figures_hold(path: Path) -> None:
    segments, gold, _, _ = heldout_gold(path)
    proposed = {p.id: three_way(p.label) for p in propose_all(segments)}
    scores = evaluate({s: three_way(g) for s, g in gold.items()}, proposed, ["quote", "attributed", "unattributed"])
    accuracy, recalls = FLOORS[path.stem]
    assert scores.accuracy >= accuracy - 0.005
    for label, floor in recalls.items():
        assert scores.recall[label] >= floor - 0.005, (label, scores.recall[label])


def test_measurement_prints_every_table_and_the_speeds() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=180, check=True)
    assert "kyivpost-2024-12-zelensky-kyodo" in done.stdout
    for path in HELDOUT:
        assert f"{path.stem}  (held out" in done.stdout
    for path in DEVELOPMENT:
        assert f"{path.stem}  (development" in done.stdout
    assert done.stdout.count("three-way accuracy") == 1 + len(HELDOUT) + len(DEVELOPMENT)
    for line in ("reference", "baseline", "segmentation"):
        assert f"\n  {line} " in done.stdout
