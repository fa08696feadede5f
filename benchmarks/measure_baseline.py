"""How good the rule-based baseline is: per-label precision, recall and F1 on every labelled text.

Two measurements, printed side by side:

* the kit's articles with a reviewed key (``data/<id>/key.json``), which the baseline's author
  read while writing its rules — an optimistic, development-set figure;
* held-out texts in ``tests/fixtures/heldout-*.txt`` with ``*.labels.json``, written and labelled
  by someone who had not seen the baseline (a blind figure, closer to a new article).

Held-out labels are per unit of the labeller's own split; the kit's segmenter may cut the text
differently, so each segment takes the label of the labelled unit it overlaps most, and the
number of segments whose boundaries differ is reported. Run:
``.venv/bin/python benchmarks/measure_baseline.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reportkit import lesson  # noqa: E402
from reportkit.article import list_articles, load_article  # noqa: E402
from reportkit.baseline import Scores, evaluate, propose_all  # noqa: E402
from reportkit.key import load_codebook  # noqa: E402
from reportkit.segment import sentence_records  # noqa: E402


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


def table(name: str, scores: Scores, labels: list[str], lenient: float, note: str) -> None:
    print(f"\n{name}  ({note})")
    print(f"  {'label':<10} {'support':>7} {'precision':>9} {'recall':>7} {'F1':>5}")
    for label in labels:
        print(f"  {label:<10} {scores.support[label]:>7} {scores.precision[label]:>9.2f} "
              f"{scores.recall[label]:>7.2f} {scores.f1[label]:>5.2f}")
    print(f"  accuracy {scores.accuracy:.2f}; counting the key's accepted alternatives as right: {lenient:.2f}")


def main() -> None:
    codebook = load_codebook(REPO)
    labels = list(codebook.label_ids)
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
    for text_path in sorted((REPO / "tests" / "fixtures").glob("heldout-*.txt")):
        segments, gold, alternatives, mismatched = heldout_gold(text_path)
        proposed = {p.id: p.label for p in propose_all(segments)}
        lenient = sum(proposed[sid] == gold[sid] or proposed[sid] in alternatives[sid] for sid in gold) / len(gold)
        table(text_path.stem, evaluate(gold, proposed, labels), labels, lenient,
              f"held out, labelled blind; {len(segments)} segments, {mismatched} cut differently from the labels")


if __name__ == "__main__":
    main()
