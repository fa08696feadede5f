"""The baseline's measurement on held-out text: the labels line up with the text and the script runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reportkit.key import load_codebook

KIT = Path(__file__).resolve().parent.parent
SCRIPT = KIT / "benchmarks" / "measure_baseline.py"
HELDOUT = sorted((KIT / "tests" / "fixtures").glob("heldout-*.txt"))


def test_heldout_labels_cover_the_text_in_order() -> None:
    assert HELDOUT, "no held-out text in tests/fixtures"
    labels = set(load_codebook(KIT).label_ids)
    for path in HELDOUT:
        text = path.read_text("utf-8")
        units = json.loads(path.with_suffix(".labels.json").read_text("utf-8"))["units"]
        at = 0
        for unit in units:
            start = text.index(unit["text"], at)  # ValueError: a unit is not in the text, or out of order
            assert not text[at:start].strip(), f"{path.name}: text not labelled before {unit['text'][:40]!r}"
            assert unit["label"] in labels and set(unit.get("alternatives", [])) <= labels
            at = start + len(unit["text"])
        assert not text[at:].strip(), f"{path.name}: text after the last labelled unit"


def test_measurement_prints_both_tables() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=120, check=True)
    assert "kyivpost-2024-12-zelensky-kyodo" in done.stdout
    for path in HELDOUT:
        assert f"{path.stem}  (held out" in done.stdout
    assert done.stdout.count("accuracy") == 1 + len(HELDOUT)
