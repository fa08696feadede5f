"""What the grader writes: gradebook, one feedback file per learner, and the class report.

REPORT/
  gradebook.csv          learner × question points, auto, adjusted, total, status, flags, message
  results.json           everything, for scripts (one object per learner)
  feedback/<learner>.md  each question: points, the check's explanation; and what went wrong
  report.md              the class report, with figures/:
  figures/success.png    share of learners who got each question fully right
  figures/confusion.png  key label × label given, over all learners' tagging answers
  figures/mislabeled.png the ten sentences most often mislabeled, and what they were taken for
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from reportkit.grading.itemanalysis import item_analysis_lines
from reportkit.grading.model import (
    RESULTS_FORMAT,
    LearnerResult,
    Severity,
    Status,
    csv_safe,
    file_stem,
)
from reportkit.grading.releases import ReleasedNotebook, article_and_questions
from reportkit.grading.resultsfile import notebook_entry

UNTAGGED = "(untagged)"
MAX_RESULTS_BYTES = 20 * 2**20  # results.json: a class of 300 fits; a runaway answer does not
FIGURE_DPI = 100  # with the sizes below, no figure is wider than 1600 px
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def plain_text(text: str) -> str:
    """Terminal colour codes removed (tracebacks carry them)."""
    return _ANSI.sub("", text)


def _question_order(released: list[ReleasedNotebook]) -> list[str]:
    return [q for rel in released for q in rel.questions]


def short_message(result: LearnerResult) -> str:
    """One short line a teacher reads in the gradebook; the details are in the learner's feedback file."""
    parts = []
    counts = Counter(f.code for f in result.flags)
    parts += [f"{code.code}" + (f" ×{n}" if n > 1 else "") for code, n in counts.items()]
    if result.notes:
        parts.insert(0, _clip(plain_text(result.notes[0])) + (f" (+{len(result.notes) - 1} more)"
                                                              if len(result.notes) > 1 else ""))
    return "; ".join(parts) or "ok"


def _clip(text: str, limit: int = 120) -> str:
    """``text`` cut at a list boundary (or a word) before ``limit`` characters, marked with …"""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(", ") if ", " in cut else cut.rfind(" ")
    return (cut[:end] if end > limit // 2 else cut).rstrip(" ,.") + ", …"


GRADEBOOK_TAIL = ["auto", "adjusted", "total", "max_total", "status", "flags", "message"]


def adjusted_cell(result: LearnerResult) -> str:
    """The instructor's net change to the total ("+1", "-2"), empty without adjustments."""
    return f"{result.total - result.auto_total:+g}" if result.adjustments else ""


def write_gradebook(results: list[LearnerResult], questions: list[str], path: Path) -> None:
    """One row per learner: each question's final points; ``auto`` (the grader's total), ``adjusted``
    (the instructor's net change) and ``total`` (the final grade)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", *questions, *GRADEBOOK_TAIL])
        for r in results:
            points = {q.question: r.points_of(q) for q in r.questions}
            codes = ";".join(dict.fromkeys(f.code.code for f in r.flags))
            writer.writerow([csv_safe(r.learner), *(f"{points.get(q, 0.0):g}" for q in questions),
                             f"{r.auto_total:g}", adjusted_cell(r), f"{r.total:g}", f"{r.max_total:g}",
                             r.status.code, codes, csv_safe(short_message(r))])


def feedback_markdown(result: LearnerResult, *, for_learner: bool = True) -> str:
    """A learner's feedback file; ``for_learner`` leaves out the flags only the instructor sees."""
    flags = [f for f in result.flags if not (for_learner and f.code.instructor_only)]
    lines = [f"# Feedback for {result.learner}", "",
             f"**Total: {result.total:g} of {result.max_total:g} points.** Status: `{result.status.code}`.", ""]
    if result.adjustments:
        lines += [f"## Changed by your instructor (the grader gave {result.auto_total:g})", ""]
        lines += [f"- {a.question}: {a.describe()}" for a in result.adjustments] + [""]
    if result.notes:
        lines += ["## What the grader noticed", ""] + [f"- {plain_text(n)}" for n in result.notes] + [""]
    if flags:
        lines += ["## Things your instructor may look at", ""]
        lines += [f"- `{f.code.code}`{f' ({f.notebook})' if f.notebook else ''}: {plain_text(f.detail)}"
                  for f in flags]
        lines.append("")
    notebook = None
    for q in result.questions:
        if q.notebook != notebook:
            notebook = q.notebook
            lines += [f"## {notebook}", ""]
        points = result.points_of(q)
        changed = f" (the grader gave {q.points:g})" if points != q.points else ""
        full = points >= q.max_points if changed else q.passed
        mark = "✔" if full else ("◐" if points > 0 else "✘")
        count = f" ({q.right} of {q.total} right)" if q.total > 1 else ""
        lines += [f"### {mark} {q.question}: {points:g} / {q.max_points:g} points{count}{changed}", ""]
        lines += [plain_text(q.message).strip() or "(no message)", ""]
    return "\n".join(lines)


def confusion(answers: list[dict[str, Any]], article: Any) -> tuple[list[str], list[str], list[list[int]]]:
    """Rows: the key's label; columns: the label given (or untagged); cells: counts."""
    rows = list(article.codebook.label_ids)
    cols = rows + [UNTAGGED]
    matrix = [[0] * len(cols) for _ in rows]
    for labels in answers:
        for s in article.sentences:
            given = labels.get(s.id) or UNTAGGED
            if given not in cols:
                continue  # not a label: counted as wrong by the check, not charted
            matrix[rows.index(article.key[s.id].label)][cols.index(given)] += 1
    return rows, cols, matrix


def mislabeled(answers: list[dict[str, Any]], article: Any, top: int = 10) -> list[dict[str, Any]]:
    """Sentences most often given a label the key does not accept, with what they were taken for."""
    rows = []
    for s in article.sentences:
        entry = article.key[s.id]
        taken = Counter(labels[s.id] for labels in answers
                        if labels.get(s.id) and not entry.accepts(labels[s.id]))
        if taken:
            rows.append({"sentence": s.id, "text": s.text, "key": entry.label, "wrong": sum(taken.values()),
                         "tagged": sum(1 for labels in answers if labels.get(s.id)), "taken_for": taken})
    rows.sort(key=lambda r: (-r["wrong"], r["sentence"]))
    return rows[:top]


def _figures(results: list[LearnerResult], questions: list[str], tag_data: list[tuple[Any, list]],
             folder: Path) -> dict[str, str]:
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, safe in any process

    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, str] = {}
    graded = [r for r in results if r.status not in (Status.BAD_ARCHIVE, Status.MISSING, Status.INVALID)] or results
    if questions and graded:
        rates = []
        for q in questions:
            done = [x for r in graded for x in r.questions if x.question == q]
            rates.append(100 * sum(x.passed for x in done) / len(done) if done else 0)
        partial = []
        for q in questions:
            done = [x for r in graded for x in r.questions if x.question == q]
            partial.append(100 * sum(x.points / x.max_points for x in done if x.max_points) / len(done)
                           if done else 0)
        # At most 16 inches at FIGURE_DPI: 1600 px, readable without zooming out.
        fig = Figure(figsize=(min(16, max(5, 0.55 * len(questions) + 2)), 4.2), layout="constrained")
        ax = fig.subplots()
        xs = range(len(questions))
        ax.bar([x - 0.2 for x in xs], rates, 0.4, label="fully right", color="#0072B2")
        ax.bar([x + 0.2 for x in xs], partial, 0.4, label="mean share of points", color="#E69F00")
        ax.set_xticks(list(xs), questions, rotation=45, ha="right")
        ax.set_ylim(0, 100)
        ax.set_ylabel("% of learners")
        ax.set_title(f"Success per question ({len(graded)} learners graded)")
        ax.legend(loc="upper right", fontsize="small")
        fig.savefig(folder / "success.png", dpi=FIGURE_DPI)
        made["success"] = "figures/success.png"
    for n, (article, answers) in enumerate(tag_data):
        if not answers:
            continue
        suffix = "" if len(tag_data) == 1 else f"-{n + 1}"
        rows, cols, matrix = confusion(answers, article)
        fig = Figure(figsize=(7, 4.8), layout="constrained")
        ax = fig.subplots()
        image = ax.imshow(matrix, cmap="Blues")
        ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xlabel("label given by learners")
        ax.set_ylabel("the key's label")
        top = max(max(r) for r in matrix) or 1
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                if value:
                    ax.text(j, i, str(value), ha="center", va="center",
                            color="white" if value > top / 2 else "black", fontsize=9)
        fig.colorbar(image, ax=ax, shrink=0.8)
        ax.set_title(f"Tagging: key × given ({len(answers)} learners)")
        fig.savefig(folder / f"confusion{suffix}.png", dpi=FIGURE_DPI)
        made[f"confusion{suffix}"] = f"figures/confusion{suffix}.png"
        worst = mislabeled(answers, article)
        if worst:
            labels = [*article.codebook.label_ids]
            colors = {lab.id: lab.color for lab in article.codebook.labels}
            fig = Figure(figsize=(7, 0.45 * len(worst) + 1.4), layout="constrained")
            ax = fig.subplots()
            names = [f"{w['sentence']} (key: {w['key']})" for w in worst][::-1]
            left = [0] * len(worst)
            for label in labels:
                widths = [w["taken_for"].get(label, 0) for w in worst][::-1]
                if any(widths):
                    ax.barh(names, widths, left=left, label=label, color=colors.get(label))
                    left = [a + b for a, b in zip(left, widths, strict=True)]
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of learners
            ax.set_xlabel("learners who gave this wrong label")
            ax.set_title("Most often mislabeled sentences")
            ax.legend(fontsize="small", loc="lower right")
            fig.savefig(folder / f"mislabeled{suffix}.png", dpi=FIGURE_DPI)
            made[f"mislabeled{suffix}"] = f"figures/mislabeled{suffix}.png"
    return made


def class_report(results: list[LearnerResult], released: list[ReleasedNotebook], figures: dict[str, str],
                 tag_data: list[tuple[Any, list]], warnings: list[str], sandboxed: bool = True) -> str:
    questions = _question_order(released)
    statuses = Counter(r.status for r in results)
    totals = sorted(r.total for r in results)
    max_total = max((r.max_total for r in results), default=0)
    lines = ["# Class report", ""]
    if not sandboxed:
        lines += ["> **Warning: graded with `--no-sandbox`.** Learner code ran as the grader's user, with the "
                  "key and other learners' files in reach; a hostile hand-in could have changed any score. "
                  "Grade again with the sandbox (`python -m reportkit grade --check-sandbox`).", ""]
    lines += [f"{len(results)} learner(s); maximum {max_total:g} points. Statuses: "
              f"{', '.join(f'{n} {s.code}' for s, n in sorted(statuses.items(), key=lambda x: x[0].severity))}"
              f"{'' if statuses else 'none'}.", ""]
    if totals:
        median = totals[len(totals) // 2]
        lines += [f"Points: lowest {totals[0]:g}, median {median:g}, highest {totals[-1]:g}.", ""]
    if warnings:
        lines += ["## Skipped in the submissions folder", ""] + [f"- {w}" for w in warnings] + [""]
    lines += ["## Success per question", ""]
    if "success" in figures:
        lines += [f"![success per question]({figures['success']})", ""]
    lines += ["| question | notebook | points | fully right | mean points |", "|---|---|---|---|---|"]
    for rel in released:
        for q in rel.questions:
            done = [x for r in results for x in r.questions if x.question == q]
            if not done:
                continue
            right = sum(x.passed for x in done)
            mean = sum(x.points for x in done) / len(done)
            lines.append(f"| {q} | {rel.name} | {done[0].max_points:g} | {right} of {len(done)} | {mean:.2f} |")
    lines.append("")
    for n, (article, answers) in enumerate(tag_data):
        if not answers:
            continue
        suffix = "" if len(tag_data) == 1 else f"-{n + 1}"
        lines += [f"## Tagging: {article.title}", "",
                  f"{len(answers)} learner(s) handed in tagging answers.", ""]
        if f"confusion{suffix}" in figures:
            lines += [f"![confusion matrix]({figures[f'confusion{suffix}']})", ""]
        worst = mislabeled(answers, article)
        if worst:
            lines += ["### The ten sentences most often mislabeled", ""]
            if f"mislabeled{suffix}" in figures:
                lines += [f"![most often mislabeled]({figures[f'mislabeled{suffix}']})", ""]
            lines += ["| sentence | key | wrong | taken for | text |", "|---|---|---|---|---|"]
            for w in worst:
                taken = ", ".join(f"{label} ×{k}" for label, k in w["taken_for"].most_common())
                text = w["text"].replace("|", "\\|")
                text = text if len(text) <= 90 else text[:87] + "…"
                lines.append(f"| {w['sentence']} | {w['key']} | {w['wrong']} of {w['tagged']} | {taken} | {text} |")
            lines.append("")
    attention = sorted((r for r in results if r.status is not Status.OK
                        or any(f.code.severity is Severity.INTEGRITY for f in r.flags)),
                       key=lambda r: (r.status.severity, r.learner))
    if attention:
        lines += ["## Learners who need a look", "", "| learner | status | total | why |", "|---|---|---|---|"]
        for r in attention:
            why = short_message(r).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {r.learner} | {r.status.code} | {r.total:g} | {why[:200]} |")
        lines += ["", "Details (what each flag found, with the cell) are in `feedback-instructor/`.", ""]
    lines += item_analysis_lines(results, released, tag_data)
    lines += ["## Gradebook", "", "`gradebook.csv`: " + ", ".join(["learner", *questions, *GRADEBOOK_TAIL])
              + ". Feedback per learner in `feedback/`.", ""]
    return "\n".join(lines)


def results_document(results: list[LearnerResult], questions: list[str], warnings: list[str], *,
                     released: list[ReleasedNotebook] | None = None, sandboxed: bool = True,
                     shard: tuple[int, int] | None = None) -> str:
    """results.json (DECISIONS §6): capped, so one runaway hand-in cannot make it unreadable. It names
    the notebooks graded and the shard it holds, so ``merge`` and ``--rescore`` need nothing else."""
    learners = [r.as_dict() for r in results]
    doc: dict[str, Any] = {"format": RESULTS_FORMAT, "questions": questions, "warnings": warnings,
                           "notebooks": [notebook_entry(rel) for rel in released or []], "sandboxed": sandboxed,
                           "shard": {"k": shard[0], "n": shard[1]} if shard else None,
                           "learners": learners}
    text = json.dumps(doc, indent=1, default=str, ensure_ascii=False)
    if len(text.encode("utf-8")) > MAX_RESULTS_BYTES:
        for learner in learners:
            for q in learner["questions"]:
                q["answer"] = None if q["answer"] is None else {"truncated": "left out: results.json is capped"}
        text = json.dumps(doc, indent=1, default=str, ensure_ascii=False)
    return text


def write_report(results: list[LearnerResult], released: list[ReleasedNotebook], out: Path, *,
                 kit: Path, warnings: list[str] | None = None, sandboxed: bool = True,
                 shard: tuple[int, int] | None = None) -> None:
    """Write the gradebook, feedback files, results.json and the class report into ``out``."""
    warnings = warnings or []
    questions = _question_order(released)
    out.mkdir(parents=True, exist_ok=True)
    write_gradebook(results, questions, out / "gradebook.csv")
    for folder, for_learner in (("feedback", True), ("feedback-instructor", False)):
        (out / folder).mkdir(exist_ok=True)
        for r in results:
            (out / folder / f"{file_stem(r.learner)}.md").write_text(feedback_markdown(r, for_learner=for_learner),
                                                                     "utf-8")
    (out / "results.json").write_text(results_document(results, questions, warnings, released=released,
                                                       sandboxed=sandboxed, shard=shard), "utf-8")
    tag_data = []
    for article_id in dict.fromkeys(rel.article for rel in released):
        article, qs = article_and_questions(str(kit), article_id)
        tagging_qs = {q for rel in released if rel.article == article_id for q in rel.questions
                      if q in qs and qs[q].kind == "tagging"}
        if tagging_qs:
            answers = [x.answer for r in results for x in r.questions
                       if x.question in tagging_qs and isinstance(x.answer, dict) and x.answer]
            tag_data.append((article, answers))
    figures = _figures(results, questions, tag_data, out / "figures")
    (out / "report.md").write_text(class_report(results, released, figures, tag_data, warnings, sandboxed), "utf-8")
