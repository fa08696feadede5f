"""How good and how fast the rule-based baseline is, on every labelled text.

Three kinds of labelled text, printed side by side:

* the kit's articles with a reviewed key (``data/<id>/key.json``), which the baseline's author
  read while writing its rules — an optimistic, development-set figure;
* development texts in ``tests/fixtures/dev-*.txt``: short fictional reports in newsroom styles
  (AP inversions, long appositions, editor's notes …), labelled before the baseline ran on them,
  but the rules were revised with them in view;
* held-out texts in ``tests/fixtures/heldout-*.txt``, written and labelled by someone who had not
  seen the baseline (a blind figure, closer to a new article).

Each table gives the five labels and the three-way view used on real news (quote / attributed =
reported + analysis / unattributed = narration + furniture). Labels of a fixture are per unit of the
labeller's own split; the kit's segmenter may cut the text differently, so each segment takes the
label of the labelled unit it overlaps most, and the number of segments cut differently is reported.

Speed: the baseline and the segmenter on the same units, each as a ratio to a reference run in
this script (the one-line rule "any quotation mark → quote"). Run:
``.venv/bin/python benchmarks/measure_baseline.py``.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reportkit import lesson  # noqa: E402
from reportkit.article import list_articles, load_article  # noqa: E402
from reportkit.baseline import THREE_WAY, Scores, evaluate, propose_all, three_way  # noqa: E402
from reportkit.key import load_codebook  # noqa: E402
from reportkit.segment import sentence_records  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures"
ANY_QUOTE_MARK = re.compile(r"[“”\"]")


def heldout_gold(text_path: Path) -> tuple[list[tuple[str, str]], dict[str, str], dict[str, list[str]], int]:
    """(segments, gold label per segment, accepted alternatives per segment, segments not matching a unit)."""
    text = text_path.read_text("utf-8")
    units = json.loads(text_path.with_suffix(".labels.json").read_text("utf-8"))["units"]
    spans, at = [], 0
    for unit in units:
        start = text.index(unit["text"], at)
        spans.append((start, start + len(unit["text"]), unit))
        at = start + len(unit["text"])
    segments, gold, alternatives, mismatched = [], {}, {}, 0
    for record in sentence_records(text):
        start, end = record["start"], record["end"]
        overlap = [(min(end, e) - max(start, s), (s, e), u) for s, e, u in spans if min(end, e) > max(start, s)]
        _, (s, e), unit = max(overlap, key=lambda item: item[0])
        mismatched += (s, e) != (start, end)
        segments.append((record["id"], record["text"]))
        gold[record["id"]] = unit["label"]
        alternatives[record["id"]] = unit.get("alternatives", [])
    return segments, gold, alternatives, mismatched


def fixture_texts() -> list[tuple[str, Path]]:
    """(kind, path) of every labelled fixture: development texts first, then held-out ones."""
    return ([("development", p) for p in sorted(FIXTURES.glob("dev-*.txt"))]
            + [("held out", p) for p in sorted(FIXTURES.glob("heldout-*.txt"))])


def table(name: str, scores: Scores, labels: list[str], lenient: float, note: str) -> None:
    print(f"\n{name}  ({note})")
    print(f"  {'label':<12} {'support':>7} {'precision':>9} {'recall':>7} {'F1':>5}")
    for label in labels:
        print(f"  {label:<12} {scores.support[label]:>7} {scores.precision[label]:>9.2f} "
              f"{scores.recall[label]:>7.2f} {scores.f1[label]:>5.2f}")
    print(f"  accuracy {scores.accuracy:.2f}; counting the key's accepted alternatives as right: {lenient:.2f}")


def three_way_line(gold: dict[str, str], proposed: dict[str, str]) -> None:
    classes = list(dict.fromkeys(THREE_WAY.values()))
    scores = evaluate({s: three_way(g) for s, g in gold.items()}, {s: three_way(p) for s, p in proposed.items()},
                      classes)
    recalls = ", ".join(f"{c} {scores.recall[c]:.2f} (P {scores.precision[c]:.2f})" for c in classes)
    print(f"  three-way accuracy {scores.accuracy:.2f}; recall {recalls}")


def measure_articles(labels: list[str]) -> list[tuple[str, str]]:
    """Score the baseline on each reviewed article; returns every unit's text (for the speed run)."""
    units: list[tuple[str, str]] = []
    for article_id in list_articles(REPO):
        try:
            article = load_article(article_id, REPO)
        except Exception as error:  # noqa: BLE001 - an unreviewed article is skipped, and said so
            print(f"\n{article_id}: skipped ({str(error).splitlines()[0]})")
            continue
        proposals = lesson.run_baseline(article)
        gold = {e.id: e.label for e in article.key}
        proposed = {p.id: p.label for p in proposals}
        accepted = {sid: {a.label for a in article.key.entries[sid].accepted} for sid in gold}
        lenient = sum(proposed[sid] == gold[sid] or proposed[sid] in accepted[sid] for sid in gold) / len(gold)
        table(article_id, lesson.score_baseline(article, proposals), labels, lenient,
              "development article: rules written with it in view")
        three_way_line(gold, proposed)
        units += [(s.id, s.text) for s in article.sentences]
    return units


def measure_fixtures(labels: list[str]) -> None:
    for kind, text_path in fixture_texts():
        segments, gold, alternatives, mismatched = heldout_gold(text_path)
        proposed = {p.id: p.label for p in propose_all(segments)}
        lenient = sum(proposed[sid] == gold[sid] or proposed[sid] in alternatives[sid] for sid in gold) / len(gold)
        blind = "labelled blind" if kind == "held out" else "labelled before the baseline ran; rules revised since"
        table(text_path.stem, evaluate(gold, proposed, labels), labels, lenient,
              f"{kind}, {blind}; {len(segments)} segments, {mismatched} cut differently from the labels")
        three_way_line(gold, proposed)


def units_per_second(run: Callable[[], object], n_units: int, budget: float = 0.5) -> float:
    """Units per second of ``run`` (which handles ``n_units``), repeated for about ``budget`` seconds."""
    run()  # warm: lexicons and regexes are built on first use
    rounds, start = 0, time.perf_counter()
    while rounds == 0 or time.perf_counter() - start < budget:
        run()
        rounds += 1
    return rounds * n_units / (time.perf_counter() - start)


def measure_speed(units: list[tuple[str, str]]) -> None:
    texts = [path.read_text("utf-8") for _, path in fixture_texts()]
    n_segments = sum(len(sentence_records(text)) for text in texts)
    reference = units_per_second(lambda: [bool(ANY_QUOTE_MARK.search(t)) for _, t in units], len(units))
    machine = units_per_second(lambda: propose_all(units), len(units))
    cutting = units_per_second(lambda: [sentence_records(text) for text in texts], n_segments)
    print("\nspeed (units per second; ratio to the reference run in this script, 'any quotation mark → quote')")
    print(f"  reference        {reference:>12,.0f}  1.00")
    print(f"  baseline         {machine:>12,.0f}  {machine / reference:.4f}")
    print(f"  segmentation     {cutting:>12,.0f}  {cutting / reference:.4f}"
          f"  (the baseline is {machine / cutting:.1f}× as fast as segmentation)")


def main() -> None:
    labels = list(load_codebook(REPO).label_ids)
    units = measure_articles(labels)
    measure_fixtures(labels)
    measure_speed(units)


if __name__ == "__main__":
    main()
