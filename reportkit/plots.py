"""The lessons' figures, drawn with matplotlib's Agg canvas and never through pyplot.

Every function returns a ``Chart``: Jupyter shows its PNG, and its text/plain output is the
chart's alt text, a full description in words (what a screen reader, a terminal and nbval
see). Figures have a white background with dark text, so they read the same on light and
dark themes, and colour is never the only cue: labels carry their names or a letter.
No global pyplot state is touched, so nothing needs closing and no backend is switched.
"""

from __future__ import annotations

import html
import io
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from reportkit.article import Article
from reportkit.blocks import chain_text, chains, id_ranges

INK = "#222222"
FAINT = "#666666"
DPI = 80
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}  # rows of the strip, in its alt text
LETTERS = {"quote": "Q", "reported": "R", "analysis": "A", "narration": "N", "furniture": "F"}


@dataclass
class Chart:
    """A figure and its alt text. Shown as PNG in Jupyter; ``repr()`` is the alt text."""

    figure: Figure | None  # None: nothing to draw, and the alt text says so in one sentence
    alt: str

    def png(self) -> bytes:
        if self.figure is None:
            raise ValueError(f"no chart to save: {self.alt}")
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI, facecolor="white",
                            metadata={"Software": None})
        return buffer.getvalue()

    def _repr_png_(self) -> bytes | None:
        return self.png() if self.figure is not None else None

    def _repr_html_(self) -> str | None:  # only with nothing to draw: the sentence as prose, not code
        return None if self.figure is not None else f"<p>{html.escape(self.alt)}</p>"

    def __repr__(self) -> str:
        return self.alt

    def save(self, path: str) -> None:
        if self.figure is None:
            raise ValueError(f"no chart to save: {self.alt}")
        self.figure.savefig(path, dpi=DPI, facecolor="white", metadata={"Software": None})


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), facecolor="white", layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _text_colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return INK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def _style(ax) -> None:  # noqa: ANN001 - a matplotlib Axes
    ax.set_facecolor("white")
    ax.tick_params(colors=INK, labelcolor=INK)
    for spine in ax.spines.values():
        spine.set_color(FAINT)
    ax.title.set_color(INK)
    ax.xaxis.label.set_color(INK)
    ax.yaxis.label.set_color(INK)


def label_strip(article: Article, answers: Mapping[str, str] | None = None, *,
                title: str | None = None, whose: str | None = None) -> Chart:
    """The article as a strip of its units in reading order, each coloured and lettered by label.

    ``answers`` (sentence id -> label) draws a learner's labels instead of the key's.
    """
    labels = dict(answers) if answers is not None else {e.id: e.label for e in article.key or ()}
    codebook = article.codebook
    ids = article.ids
    per_row = 20
    rows = (len(ids) + per_row - 1) // per_row
    figure = _figure(10, 1.1 + 0.9 * rows)
    ax = figure.add_subplot()
    _style(ax)
    for i, sid in enumerate(ids):
        row, col = divmod(i, per_row)
        label = labels.get(sid)
        colour = codebook.label(label).color if label else "#FFFFFF"
        ax.add_patch(FancyBboxPatch((col + 0.06, -row - 0.94), 0.88, 0.88, boxstyle="round,pad=0,rounding_size=0.08",
                                    facecolor=colour, edgecolor=FAINT, linewidth=0.8))
        ax.text(col + 0.5, -row - 0.42, LETTERS.get(label, "?") if label else "–", ha="center",
                va="center", fontsize=11, fontweight="bold", color=_text_colour(colour))
        ax.text(col + 0.5, -row - 0.8, sid[1:], ha="center", va="center", fontsize=6.5,
                color=_text_colour(colour))
    ax.set_xlim(0, per_row)
    ax.set_ylim(-rows, 0.05)
    ax.set_axis_off()
    handles = [FancyBboxPatch((0, 0), 1, 1, facecolor=lab.color, edgecolor=FAINT) for lab in codebook.labels]
    ax.legend(handles, [f"{LETTERS.get(lab.id, '?')} = {lab.name}" for lab in codebook.labels],
              loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles), frameon=False,
              fontsize=9, labelcolor=INK)
    whose = whose or ("your labels" if answers is not None else "the key's labels")
    ax.set_title(title or f"The page unit by unit (s01–{ids[-1]}), coloured by {whose}", fontsize=11, color=INK)
    counts = {lab.id: [sid for sid in ids if labels.get(sid) == lab.id] for lab in codebook.labels}
    parts = [f"{lab.name.lower()} {len(counts[lab.id])} ({id_ranges(counts[lab.id])})"
             for lab in codebook.labels if counts[lab.id]]
    untagged = [sid for sid in ids if not labels.get(sid)]
    if untagged:
        parts.append(f"untagged {len(untagged)}")
    layout = f"one row of {len(ids)}" if rows == 1 else f"{NUMBER_WORDS.get(rows, str(rows))} rows of {per_row}"
    alt = (f"Strip chart of the {len(ids)} units of the page in reading order, {layout}, "
           f"each box lettered and coloured by {whose}: " + "; ".join(parts) + ".")
    return Chart(figure, alt)


def _wrap(name: str, width: int = 16) -> str:
    return "\n".join(textwrap.wrap(name, width)) or name


def chain_diagram(article: Article) -> Chart:
    """Every attribution chain of the report as a row of boxes: source → outlet → … → the page."""
    found = chains(article)
    if not found:
        return Chart(None, "This article's key records no attribution chain, so there is no diagram to draw.")
    depth = max(len(chain) for chain, _ in found)
    figure = _figure(10, 0.62 * len(found) + 1.0)
    ax = figure.add_subplot()
    _style(ax)
    kinds: dict[str, str] = {}
    for entry in article.key or ():
        a = entry.attribution
        if a.source:
            kinds.setdefault(a.source, a.source_type or "")
    outlet_names = {u["name"] for u in article.upstream} | {article.outlet}
    fills = {"outlet": "#DCEBF7", "person": "#FBE3C8", "other": "#E4E4E4"}
    for row, (chain, ids) in enumerate(found):
        y = -row
        offset = depth - len(chain)
        for i, (name, inferred) in enumerate(chain):
            x = (offset + i) * 2.2
            kind = "outlet" if name in outlet_names or kinds.get(name) == "outlet" else (
                "person" if "person" in kinds.get(name, "") else "other")
            ax.add_patch(FancyBboxPatch((x, y - 0.3), 1.8, 0.6, boxstyle="round,pad=0.02,rounding_size=0.1",
                                        facecolor=fills[kind], edgecolor=INK if inferred else FAINT,
                                        linewidth=0.8, linestyle="--" if inferred else "-"))
            ax.text(x + 0.9, y, _wrap(name) + ("\n(inferred)" if inferred else ""), ha="center", va="center",
                    fontsize=7.5, color=INK, style="italic" if inferred else "normal")
            if i:
                ax.add_patch(FancyArrowPatch(((x - 0.4), y), (x, y), arrowstyle="-|>", mutation_scale=10,
                                             color=INK, linewidth=0.9, linestyle="--" if inferred else "-"))
        ax.text(depth * 2.2 + 0.1, y, f"{id_ranges(ids)}  ({len(ids)})", ha="left", va="center",
                fontsize=8, color=INK)
    ax.set_xlim(-0.1, depth * 2.2 + 3.2)
    ax.set_ylim(-len(found) + 0.4, 0.6)
    ax.set_axis_off()
    handles = [FancyBboxPatch((0, 0), 1, 1, facecolor=fills[k], edgecolor=FAINT) for k in fills]
    ax.legend(handles, ["outlet", "person (named or unnamed)", "government or other"], loc="upper center",
              bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False, fontsize=8, labelcolor=INK)
    ax.set_title("Who said it, and through whom it reached the page (sentences on the right);\n"
                 "dashed: a link the article does not state, the reader's inference",
                 fontsize=11, color=INK)
    alt = ("Diagram of the report's attribution chains, one row each, read left to right from the "
           "source to the page, with the sentences that use it: "
           + "; ".join(f"{chain_text(chain)} ({id_ranges(ids)})" for chain, ids in found)
           + ". A dashed link (⇢) is the reader's inference: the article does not state it.")
    return Chart(figure, alt)


def figures_chart(article: Article) -> Chart:
    """The figures ledger as a dot chart: each number against who asserts it; filled = hedged."""
    figures = list(article.figures)
    if not figures:
        return Chart(None, "This article has no figures in its ledger, so there is nothing to chart."
                     if article.key is not None else "The figures ledger is not in this bundle.")
    asserters = list(dict.fromkeys(f.asserted_by for f in figures))
    figure = _figure(10, 0.38 * len(figures) + 1.6)
    ax = figure.add_subplot()
    _style(ax)
    for i, f in enumerate(figures):
        x = asserters.index(f.asserted_by)
        hedged = bool(f.hedge)
        ax.plot([x], [i], marker="o", markersize=9, color=INK, markerfacecolor=INK if hedged else "white",
                linestyle="none")
        if hedged:
            ax.annotate(f"“{f.hedge}”", (x, i), xytext=(9, 0), textcoords="offset points", va="center",
                        fontsize=8, color=INK)
    ax.set_yticks(range(len(figures)), [f"{f.text} ({f.sentence})" for f in figures], fontsize=8)
    ax.set_xticks(range(len(asserters)), [_wrap(a, 18) for a in asserters], fontsize=8)
    ax.set_xlim(-0.5, len(asserters) - 0.2)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    ax.set_xlabel("who asserts the figure", fontsize=9)
    ax.set_ylabel("figure (sentence)", fontsize=9)
    ax.set_title("The figures ledger: filled dot = hedged (the hedge is written beside it), "
                 "open dot = not hedged", fontsize=10)
    alt = ("Dot chart of the article's figures (rows) against who asserts them (columns); a filled dot "
           "marks a hedged figure: " + "; ".join(
               f"{f.text} ({f.sentence}) by {f.asserted_by}, " + (f"hedged “{f.hedge}”" if f.hedge else "not hedged")
               for f in figures) + ".")
    return Chart(figure, alt)


def confusion(article: Article, answers: Mapping[str, str], *, whose: str = "your") -> Chart:
    """The learner's labels against the key's: rows are the key, columns are yours (and untagged).

    ``whose`` names the labeller in the title, axis and alt text ("the baseline's" in lesson 08).
    """
    codebook = article.codebook
    key_ids = list(codebook.label_ids)
    cols = key_ids + ["untagged"]
    matrix = [[0] * len(cols) for _ in key_ids]
    accepted = 0
    for entry in article.key or ():
        given = answers.get(entry.id)
        c = cols.index(given) if given in key_ids else len(cols) - 1
        matrix[key_ids.index(entry.label)][c] += 1
        accepted += given != entry.label and entry.accepts(given or "")
    figure = _figure(7.2, 5.0)
    ax = figure.add_subplot()
    _style(ax)
    peak = max(max(row) for row in matrix) or 1
    ax.imshow([[v / peak for v in row] for row in matrix], cmap="Greys", vmin=0, vmax=1.6, aspect="auto")
    for r, row in enumerate(matrix):
        for c, value in enumerate(row):
            weight = "bold" if r == c else "normal"
            ax.text(c, r, str(value), ha="center", va="center", fontsize=11, fontweight=weight,
                    color="white" if value / peak > 0.6 else INK)
    names = [codebook.label(i).name for i in key_ids]
    ax.set_xticks(range(len(cols)), [_wrap(n, 11) for n in names] + ["untagged"], fontsize=8)
    ax.set_yticks(range(len(key_ids)), names, fontsize=8)
    ax.set_xlabel(f"{whose} label", fontsize=9)
    ax.set_ylabel("the key's label", fontsize=9)
    agree = sum(matrix[i][i] for i in range(len(key_ids)))
    total = len(article.sentences)
    ax.set_title(f"{whose[:1].upper() + whose[1:]} labels against the key: {agree} of {total} on the diagonal",
                 fontsize=10)
    off = [f"{matrix[r][c]} {names[r].lower()} as {cols[c] if c == len(cols) - 1 else names[c].lower()}"
           for r in range(len(key_ids)) for c in range(len(cols)) if r != c and matrix[r][c]]
    alt = (f"Confusion matrix, rows the key's label and columns {whose} label: {agree} of {total} units agree "
           f"with the key; {accepted} more use an accepted alternative. "
           + ("Off the diagonal: " + "; ".join(off) + "." if off else "Nothing off the diagonal."))
    return Chart(figure, alt)


METRICS = (("precision", "P", ""), ("recall", "R", "//"), ("f1", "F1", ".."))


def baseline_scores(article: Article, scores: Any, *, whose: str = "the baseline") -> Chart:
    """Precision, recall and F1 per label as grouped bars: colour is the label, the hatch and the
    letter under each bar the measure, and every bar carries its value.

    ``scores`` is a :class:`reportkit.baseline.Scores` (``evaluate`` against the key).
    """
    codebook = article.codebook
    labels = [label for label in codebook.labels if label.id in scores.precision]
    figure = _figure(10, 4.4)
    ax = figure.add_subplot()
    _style(ax)
    width = 0.26
    for g, label in enumerate(labels):
        for m, (field, letter, hatch) in enumerate(METRICS):
            value = getattr(scores, field)[label.id]
            x = g + (m - 1) * width
            ax.bar(x, value, width * 0.92, color=label.color, edgecolor=INK, linewidth=0.6, hatch=hatch)
            ax.text(x, value + 0.02, f"{value:.2f}", ha="center", va="bottom", fontsize=8, color=INK)
            ax.text(x, -0.02, letter, ha="center", va="top", fontsize=8, color=INK, fontweight="bold")
    ax.set_xticks(range(len(labels)),
                  [f"{_wrap(label.name, 14)}\n({scores.support[label.id]} in the key)" for label in labels],
                  fontsize=8.5)
    ax.tick_params(axis="x", length=0, pad=16)
    ax.set_ylim(0, 1.12)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_ylabel("score (1 = perfect)", fontsize=9)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    handles = [Patch(facecolor="white", edgecolor=INK, hatch=hatch) for _, _, hatch in METRICS]
    ax.legend(handles, ["P = precision: of the units it gave the label, the share the key agrees with",
                        "R = recall: of the key's units with the label, the share it found",
                        "F1 = the balance of the two"],
              loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, frameon=False, fontsize=8,
              labelcolor=INK)
    name = whose[:1].upper() + whose[1:]
    ax.set_title(f"{name} against the key, label by label (accuracy {scores.accuracy:.2f})", fontsize=11)
    parts = [f"{label.name.lower()}: precision {scores.precision[label.id]:.2f}, recall "
             f"{scores.recall[label.id]:.2f}, F1 {scores.f1[label.id]:.2f} ({scores.support[label.id]} units in "
             "the key)" for label in labels]
    alt = (f"Bar chart of {whose}'s precision, recall and F1 against the key for each label, three bars per "
           f"label; accuracy {scores.accuracy:.2f}. " + "; ".join(parts) + ".")
    return Chart(figure, alt)
