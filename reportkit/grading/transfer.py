"""``python -m reportkit transfer STUDIED UNSEEN --out DIR``: each learner's agreement with the key on
the article the class studied and on one it has not (the transfer release), side by side, per label.

Reads the two reports' results.json and nothing of the learners' files (DECISIONS §6); the articles
and their keys come from the instructor's kit. Agreement on a label is the share of the units the key
gives that label which the learner labelled acceptably (the key's label or an accepted alternative).
Writes ``transfer.csv`` (one row per learner), ``transfer.md`` (the class table and how to read it)
and ``transfer.png`` (a grouped bar chart per label).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportkit.grading.model import csv_safe, normalise_id
from reportkit.grading.resultsfile import RESULTS_FILE, ResultsDocument, ResultsError, load_results

if TYPE_CHECKING:
    from reportkit.article import Article

TAGGING = "tagging"  # the question kind whose answers are unit -> label maps
OVERALL = "overall"  # the CSV's and the table's column for every unit of the article
DROP_POINTS = 20  # a learner whose agreement falls by more than this many points "dropped"
FEW_UNITS = 3  # a label the key gives fewer units than this: one sentence moves its share a lot
MAX_DOTS = 60  # more learners than this: the chart shows the class means only
FIGURE_DPI = 100  # with the sizes below, no wider than 1600 px
STUDIED_COLOUR, UNSEEN_COLOUR = "#0072B2", "#E69F00"  # Okabe-Ito, as the class report's figures
INK = "#222222"


class TransferError(ValueError):
    """Two reports that cannot be compared (the message says which and why)."""


@dataclass(frozen=True)
class Tagging:
    """One report's tagging: its article (with the key), the question, and each learner's labels."""

    report: Path
    article: Article
    question: str
    labels: dict[str, dict[str, str] | None]  # normalised learner id -> labels (None: none recorded)


@dataclass(frozen=True)
class Agreement:
    """A learner's agreement with the key on one article, in percent."""

    per_label: dict[str, float | None]  # None: the key gives no unit this label
    overall: float

    def of(self, label: str) -> float | None:
        return self.overall if label == OVERALL else self.per_label.get(label)


@dataclass(frozen=True)
class LearnerRow:
    learner: str
    studied: Agreement | None
    unseen: Agreement | None
    note: str = ""

    def change(self, label: str) -> float | None:
        """Unseen minus studied, in points; None unless both are known."""
        before, after = _side(self.studied, label), _side(self.unseen, label)
        return None if before is None or after is None else after - before


@dataclass(frozen=True)
class LabelSummary:
    """The class on one label (or OVERALL): learners with both sides, their means, how many dropped."""

    label: str
    name: str
    units: tuple[int, int]  # units the key gives this label: studied, unseen
    paired: int
    studied_mean: float | None
    unseen_mean: float | None
    dropped: int

    @property
    def change(self) -> float | None:
        if self.studied_mean is None or self.unseen_mean is None:
            return None
        return self.unseen_mean - self.studied_mean


@dataclass(frozen=True)
class Comparison:
    studied: Tagging
    unseen: Tagging
    rows: list[LearnerRow]
    summaries: list[LabelSummary]


def _side(agreement: Agreement | None, label: str) -> float | None:
    return None if agreement is None else agreement.of(label)


# ---------------------------------------------------------------- reading the reports


def read_report(folder: Path) -> ResultsDocument:
    """A report folder's results.json; TransferError says what is missing or too old."""
    path = folder / RESULTS_FILE if folder.is_dir() else folder
    if not path.is_file():
        raise TransferError(f"{folder}: no {RESULTS_FILE} here; give a report folder written by "
                            "`python -m reportkit grade` (or merge)")
    try:
        doc = load_results(folder)
    except ResultsError as error:
        raise TransferError(str(error)) from error
    if doc.shard:  # the rest of the class is in the other parts: they would all look unmatched
        raise TransferError(f"{path}: part {doc.shard[0]} of {doc.shard[1]} of a sharded run; "
                            "`python -m reportkit merge` the parts first and give the merged report")
    return doc


def _article(kit: Path, article_id: str, report: Path) -> tuple[Article, dict[str, Any]]:
    from reportkit.errors import DataError
    from reportkit.grading.releases import article_and_questions

    try:
        return article_and_questions(str(kit), article_id)
    except DataError as error:
        raise TransferError(f"{report}: grades article {article_id!r}, which cannot be read with its key "
                            f"from the kit at {kit} ({error}); give the instructor's kit with --kit") from error


def tagging_question(doc: ResultsDocument, kit: Path) -> tuple[Article, str]:
    """The one tagging question among the report's notebooks, and its article (with the key)."""
    found: list[tuple[Article, str]] = []
    for notebook in doc.notebooks:
        article, questions = _article(kit, notebook.article, doc.path)
        found += [(article, q) for q in notebook.questions if q in questions and questions[q].kind == TAGGING]
    if not found:
        graded = ", ".join(q for n in doc.notebooks for q in n.questions) or "none"
        raise TransferError(f"{doc.path}: no tagging question among the questions graded ({graded}); "
                            "grade the tagging exercise (06-tag-the-article) to compare agreement")
    if len(found) > 1:
        raise TransferError(f"{doc.path}: {len(found)} tagging questions ({', '.join(q for _, q in found)}); "
                            "give reports that each grade one tagging exercise")
    return found[0]


def _usable(answer: Any) -> dict[str, str] | None:
    """A recorded tagging answer as unit -> label; None if nothing was tagged or results.json cut it."""
    if isinstance(answer, dict) and answer and "truncated" not in answer:
        return {str(unit): str(label) for unit, label in answer.items() if label}
    return None


def recorded_labels(doc: ResultsDocument, question: str) -> dict[str, dict[str, str] | None]:
    """Each learner's recorded labels for ``question``. A learner with none is listed with a note, not
    counted as agreeing on nothing (a hand-in without tags is not a reading of the article)."""
    labels: dict[str, dict[str, str] | None] = {}
    for learner in doc.learners:
        answer = next((q.answer for q in learner.questions if q.question == question), None)
        labels.setdefault(normalise_id(learner.learner), _usable(answer))
    return labels


def read_tagging(folder: Path, kit: Path) -> Tagging:
    doc = read_report(folder)
    article, question = tagging_question(doc, kit)
    return Tagging(folder, article, question, recorded_labels(doc, question))


# ---------------------------------------------------------------- the arithmetic


def units_by_label(article: Article) -> dict[str, list[str]]:
    """The unit ids the key gives each codebook label (every label present, perhaps empty)."""
    found: dict[str, list[str]] = {label: [] for label in article.codebook.label_ids}
    for entry in article.key or ():
        found.setdefault(entry.label, []).append(entry.id)
    return found


def _share(ids: list[str], labels: dict[str, str], article: Article) -> float:
    key = article.key
    assert key is not None  # loaded with require_key
    return 100 * sum(key[sid].accepts(labels.get(sid) or "") for sid in ids) / len(ids)


def agreement(labels: dict[str, str], article: Article) -> Agreement:
    """Per label: the share of the key's units of that label the learner labelled acceptably."""
    per_label = {label: _share(ids, labels, article) if ids else None
                 for label, ids in units_by_label(article).items()}
    return Agreement(per_label, _share(list(article.ids), labels, article))


def _note(in_studied: bool, in_unseen: bool, studied: Any, unseen: Any) -> str:
    if not in_studied:
        return "only in the unseen article's report"
    if not in_unseen:
        return "only in the studied article's report"
    missing = [side for side, labels in (("studied", studied), ("unseen", unseen)) if labels is None]
    return f"no tagging answers recorded for the {' and the '.join(missing)} article" if missing else ""


def learner_row(learner: str, studied: Tagging, unseen: Tagging) -> LearnerRow:
    before, after = studied.labels.get(learner), unseen.labels.get(learner)
    note = _note(learner in studied.labels, learner in unseen.labels, before, after)
    return LearnerRow(learner, None if before is None else agreement(before, studied.article),
                      None if after is None else agreement(after, unseen.article), note)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(rows: list[LearnerRow], label: str, name: str, units: tuple[int, int]) -> LabelSummary:
    """The class on ``label``: means over the learners with a value on both articles (a paired comparison)."""
    paired = [r for r in rows if r.change(label) is not None]
    studied = [v for r in paired if (v := _side(r.studied, label)) is not None]
    unseen = [v for r in paired if (v := _side(r.unseen, label)) is not None]
    dropped = sum(1 for r in paired if (r.change(label) or 0.0) < -DROP_POINTS)
    return LabelSummary(label, name, units, len(paired), _mean(studied), _mean(unseen), dropped)


def compare(studied: Tagging, unseen: Tagging) -> Comparison:
    """Every learner of either report, and the class per label (codebook order), then overall."""
    if studied.article.id == unseen.article.id:
        raise TransferError(f"both reports grade the same article ({studied.article.id}): this is not a "
                            "transfer; give the report of the article the class studied, then the report "
                            "of the article it has not (graded from `release --article ID --graded`)")
    learners = sorted(set(studied.labels) | set(unseen.labels), key=lambda x: (x.casefold(), x))
    rows = [learner_row(learner, studied, unseen) for learner in learners]
    before, after = units_by_label(studied.article), units_by_label(unseen.article)
    summaries = [summarise(rows, lab.id, lab.name, (len(before.get(lab.id, [])), len(after.get(lab.id, []))))
                 for lab in studied.article.codebook.labels]
    summaries.append(summarise(rows, OVERALL, "All units", (len(studied.article.ids), len(unseen.article.ids))))
    return Comparison(studied, unseen, rows, summaries)


# ---------------------------------------------------------------- writing


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}"


def csv_header(labels: Iterable[str]) -> list[str]:
    columns = [f"{label}_{side}" for label in [*labels, OVERALL] for side in ("studied", "unseen", "change")]
    return ["learner", *columns, "note"]


def csv_row(row: LearnerRow, labels: Iterable[str]) -> list[str]:
    cells = [csv_safe(row.learner)]
    for label in [*labels, OVERALL]:
        cells += [_cell(_side(row.studied, label)), _cell(_side(row.unseen, label)), _signed(row.change(label))]
    return [*cells, csv_safe(row.note)]


def write_csv(comparison: Comparison, path: Path) -> None:
    """One row per learner: per label and overall, agreement (%) on each article and the change (points)."""
    labels = [s.label for s in comparison.summaries if s.label != OVERALL]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(csv_header(labels))
        writer.writerows(csv_row(row, labels) for row in comparison.rows)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def table_lines(comparison: Comparison) -> list[str]:
    lines = ["| label | units (studied / unseen) | learners | studied | unseen | change (points) "
             f"| dropped > {DROP_POINTS} points |", "|---|---|---|---|---|---|---|"]
    for s in comparison.summaries:
        name = f"**{s.name}**" if s.label == OVERALL else f"{s.name} (`{s.label}`)"
        dropped = f"{s.dropped} of {s.paired}" if s.paired else "—"
        lines.append(f"| {name} | {s.units[0]} / {s.units[1]} | {s.paired} | {_pct(s.studied_mean)} "
                     f"| {_pct(s.unseen_mean)} | {_points(s.change)} | {dropped} |")
    return lines


def few_units_line(comparison: Comparison) -> str:
    """Which labels one sentence moves a lot (the key gives them few units on either article)."""
    few = [f"{s.name.lower()} ({s.units[0]} / {s.units[1]})" for s in comparison.summaries
           if s.label != OVERALL and 0 < min(s.units) < FEW_UNITS]
    absent = [s.name.lower() for s in comparison.summaries if s.label != OVERALL and 0 in s.units]
    parts = []
    if few:
        parts.append(f"The key gives one of the articles only one or two units of {', '.join(few)} (units "
                     "studied / unseen): there, one sentence moves a learner's share by 50 points or more.")
    if absent:
        parts.append(f"The key gives no unit of one article the label {', '.join(absent)}: nothing to compare.")
    return " ".join(parts)


READING_NOTE = (
    "**How to read this.** Agreement is the share of the units the key gives a label that a learner labelled "
    "the same (or with an alternative the key accepts); a change is unseen minus studied, in points, and the "
    "class columns are means over the learners graded on both articles. The studied article's key is shown "
    "in its lessons and the codebook handout, so part of its agreement can be recall; the unseen article was "
    "tagged without its key. A drop therefore may mean the skill did not transfer, but it may as well mean "
    "that the unseen article is harder, that its sentences of a label are less typical, or that its key is a "
    "closer call: this comparison does not tell these apart, and it says nothing about why one learner "
    "changed. With few learners or few units, a difference of a few points is within what one sentence or "
    "one learner makes; read each change with its unit count beside it, and look at the sentences "
    "(each report's item analysis) before drawing a conclusion.")


def markdown(comparison: Comparison, chart_alt: str | None) -> str:
    """transfer.md; ``chart_alt`` is None when there is no chart (no learner graded on both)."""
    s, u = comparison.studied, comparison.unseen
    lines = ["# Transfer: the studied and the unseen article", "",
             f"- Studied: *{s.article.title}* (`{s.article.id}`), question {s.question}, report `{s.report}`",
             f"- Unseen: *{u.article.title}* (`{u.article.id}`), question {u.question}, report `{u.report}`", "",
             *table_lines(comparison), ""]
    few = few_units_line(comparison)
    lines += [few, ""] if few else []
    chart = f"![{chart_alt}](transfer.png)" if chart_alt else "No chart: no learner was graded on both articles."
    lines += [chart, "", READING_NOTE, ""]
    noted = [r for r in comparison.rows if r.note]
    if noted:
        lines += ["## Learners not compared", ""] + [f"- {r.learner}: {r.note}" for r in noted] + [""]
    lines += ["Per learner: `transfer.csv` (agreement in percent per label and overall on each article, and the "
              "change in points).", ""]
    return "\n".join(lines)


def _charted(comparison: Comparison) -> list[LabelSummary]:
    return [s for s in comparison.summaries if s.studied_mean is not None and s.unseen_mean is not None]


def chart_alt(comparison: Comparison) -> str:
    """The chart in words: every bar's value, and what the dots are."""
    shown = _charted(comparison)
    bars = "; ".join(f"{s.name.lower()} {_pct(s.studied_mean)} studied, {_pct(s.unseen_mean)} unseen"
                     for s in shown)
    learners = max(s.paired for s in shown)
    dots = (f" Dots are the {learners} learners graded on both." if learners <= MAX_DOTS else "")
    return (f"Grouped bar chart of the class's mean agreement with the key per label, on the studied article "
            f"and the unseen article: {bars}.{dots}")


def _learner_dots(ax: Any, comparison: Comparison, shown: list[LabelSummary]) -> None:
    """Each learner's value as a dot on its bar, spread sideways so equal values stay visible."""
    paired = [r for r in comparison.rows if r.studied and r.unseen]
    if len(paired) > MAX_DOTS:
        return
    for i, s in enumerate(shown):
        for offset, side in ((-0.2, "studied"), (0.2, "unseen")):
            values = [v for r in paired if (v := _side(getattr(r, side), s.label)) is not None]
            spread = [offset + 0.24 * ((k + 0.5) / len(values) - 0.5) for k in range(len(values))]
            ax.scatter([i + x for x in spread], values, s=26, color="white", edgecolors=INK, linewidths=1.0,
                       zorder=3, clip_on=False, label="one learner" if i == 0 and side == "studied" else None)


def _chart_figure(comparison: Comparison, shown: list[LabelSummary]) -> Any:
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, safe in any process

    figure = Figure(figsize=(min(16, 2.5 + 1.5 * len(shown)), 4.8), facecolor="white", layout="constrained")
    ax = figure.subplots()
    ax.set_facecolor("white")
    xs = list(range(len(shown)))
    ax.bar([x - 0.2 for x in xs], [s.studied_mean or 0 for s in shown], 0.38, color=STUDIED_COLOUR,
           edgecolor=INK, linewidth=0.6, label=f"studied: {comparison.studied.article.id}")
    ax.bar([x + 0.2 for x in xs], [s.unseen_mean or 0 for s in shown], 0.38, color=UNSEEN_COLOUR,
           edgecolor=INK, linewidth=0.6, hatch="//", label=f"unseen: {comparison.unseen.article.id}")
    _learner_dots(ax, comparison, shown)
    if shown[-1].label == OVERALL and len(shown) > 1:  # the whole article is not one more label
        ax.axvline(len(shown) - 1.5, color=INK, linewidth=0.8, linestyle=":")
    ax.set_xticks(xs, [f"{s.name}\n({s.units[0]} / {s.units[1]} units)" for s in shown], fontsize=9, color=INK)
    ax.set_ylim(0, 105)
    ax.set_ylabel("agreement with the key (%)", color=INK)
    ax.tick_params(colors=INK)
    ax.set_title("Agreement with the key per label: the studied and the unseen article (class means)",
                 fontsize=11, color=INK)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize="small", frameon=False,
              labelcolor=INK)
    return figure


def write_chart(comparison: Comparison, path: Path) -> bool:
    """transfer.png (white background, so it reads the same in light and dark themes); False if no chart."""
    shown = _charted(comparison)
    if not shown:
        return False
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = _chart_figure(comparison, shown)
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=FIGURE_DPI, facecolor="white", metadata={"Software": None})
    return True


def transfer(studied: Path, unseen: Path, out: Path, kit: Path) -> Comparison:
    """Compare the two reports and write transfer.csv, transfer.md and transfer.png into ``out``."""
    comparison = compare(read_tagging(studied, kit), read_tagging(unseen, kit))
    out.mkdir(parents=True, exist_ok=True)
    write_csv(comparison, out / "transfer.csv")
    charted = write_chart(comparison, out / "transfer.png")
    if not charted:
        (out / "transfer.png").unlink(missing_ok=True)  # an earlier run's chart would no longer be true
    (out / "transfer.md").write_text(markdown(comparison, chart_alt(comparison) if charted else None), "utf-8")
    return comparison


# ---------------------------------------------------------------- the command line


def cmd_transfer(args: argparse.Namespace) -> int:
    from reportkit.datafiles import find_kit_root

    kit = Path(args.kit).resolve() if args.kit else find_kit_root()
    out = Path(args.out)
    try:
        comparison = transfer(Path(args.studied), Path(args.unseen), out, kit)
    except TransferError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    overall = comparison.summaries[-1]
    print(f"{len(comparison.rows)} learner(s), {overall.paired} graded on both articles; overall agreement "
          f"{_pct(overall.studied_mean)} studied, {_pct(overall.unseen_mean)} unseen")
    print(f"report: {out / 'transfer.md'}; per learner: {out / 'transfer.csv'}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``transfer`` to the kit's command line (called by reportkit.cli)."""
    p = subparsers.add_parser(
        "transfer", help="compare each learner's tagging on the studied and an unseen article, per label",
        description="Read the results.json of two graded reports (the article the class studied, then the "
                    "transfer article it has not) and write each learner's agreement with the key per label, "
                    "side by side: transfer.csv, transfer.md and transfer.png.")
    p.add_argument("studied", metavar="STUDIED_REPORT", help="the report folder of the article the class studied")
    p.add_argument("unseen", metavar="UNSEEN_REPORT", help="the report folder of the unseen (transfer) article")
    p.add_argument("--out", metavar="DIR", required=True, help="the folder to write into (created)")
    p.add_argument("--kit", metavar="DIR", help="the kit with data/ and both keys (default: found from here)")
    p.set_defaults(func=cmd_transfer)
