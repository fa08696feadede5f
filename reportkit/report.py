"""What the grader writes: gradebook, one feedback file per learner, and the class report.

REPORT/
  gradebook.csv          learner × question points, total, status, flags, message
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
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reportkit.grading import LearnerResult, ReleasedNotebook

UNTAGGED = "(untagged)"


def _question_order(released: list[ReleasedNotebook]) -> list[str]:
    return [q for rel in released for q in rel.questions]


def _safe_file(learner: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]", "_", learner)[:80] or "learner"


def _summary(result: LearnerResult) -> str:
    parts = list(result.notes)
    parts += [f"{f.code}: {f.detail}" for f in result.flags]
    return " | ".join(parts)


def write_gradebook(results: list[LearnerResult], questions: list[str], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", *questions, "total", "max_total", "status", "flags", "message"])
        for r in results:
            points = {q.question: q.points for q in r.questions}
            codes = ";".join(dict.fromkeys(f.code for f in r.flags))
            writer.writerow([r.learner, *(f"{points.get(q, 0.0):g}" for q in questions),
                             f"{r.total:g}", f"{r.max_total:g}", r.status, codes, _summary(r)])


def feedback_markdown(result: LearnerResult) -> str:
    lines = [f"# Feedback for {result.learner}", "",
             f"**Total: {result.total:g} of {result.max_total:g} points.** Status: `{result.status}`.", ""]
    if result.notes:
        lines += ["## What the grader noticed", ""] + [f"- {n}" for n in result.notes] + [""]
    if result.flags:
        lines += ["## Flags for your instructor", ""]
        lines += [f"- `{f.code}`{f' ({f.notebook})' if f.notebook else ''}: {f.detail}" for f in result.flags]
        lines.append("")
    notebook = None
    for q in result.questions:
        if q.notebook != notebook:
            notebook = q.notebook
            lines += [f"## {notebook}", ""]
        mark = "✔" if q.passed else ("◐" if q.points > 0 else "✘")
        count = f" ({q.right} of {q.total} right)" if q.total > 1 else ""
        lines += [f"### {mark} {q.question}: {q.points:g} / {q.max_points:g} points{count}", ""]
        lines += [q.message.strip() or "(no message)", ""]
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
    graded = [r for r in results if r.status not in ("bad-archive", "missing", "invalid")] or results
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
        fig = Figure(figsize=(max(5, 0.7 * len(questions) + 2), 3.6), layout="constrained")
        ax = fig.subplots()
        xs = range(len(questions))
        ax.bar([x - 0.2 for x in xs], rates, 0.4, label="fully right", color="#0072B2")
        ax.bar([x + 0.2 for x in xs], partial, 0.4, label="mean share of points", color="#E69F00")
        ax.set_xticks(list(xs), questions, rotation=45, ha="right")
        ax.set_ylim(0, 100)
        ax.set_ylabel("% of learners")
        ax.set_title(f"Success per question ({len(graded)} learners graded)")
        ax.legend(loc="upper right", fontsize="small")
        fig.savefig(folder / "success.png", dpi=110)
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
        fig.savefig(folder / f"confusion{suffix}.png", dpi=110)
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
            fig.savefig(folder / f"mislabeled{suffix}.png", dpi=110)
            made[f"mislabeled{suffix}"] = f"figures/mislabeled{suffix}.png"
    return made


def class_report(results: list[LearnerResult], released: list[ReleasedNotebook], figures: dict[str, str],
                 tag_data: list[tuple[Any, list]], warnings: list[str]) -> str:
    questions = _question_order(released)
    statuses = Counter(r.status for r in results)
    totals = sorted(r.total for r in results)
    max_total = max((r.max_total for r in results), default=0)
    lines = ["# Class report", "",
             f"{len(results)} learner(s); maximum {max_total:g} points. "
             f"Statuses: {', '.join(f'{n} {s}' for s, n in statuses.most_common()) or 'none'}.", ""]
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
    attention = [r for r in results if r.status != "ok" or r.flags]
    if attention:
        lines += ["## Learners who need a look", "", "| learner | status | total | why |", "|---|---|---|---|"]
        for r in attention:
            why = _summary(r).replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {r.learner} | {r.status} | {r.total:g} | {why[:300]} |")
        lines.append("")
    lines += ["## Gradebook", "", "`gradebook.csv`: " + ", ".join(["learner", *questions, "total",
              "max_total", "status", "flags", "message"]) + ". Feedback per learner in `feedback/`.", ""]
    return "\n".join(lines)


def write_report(results: list[LearnerResult], released: list[ReleasedNotebook], out: Path, *,
                 kit: Path, warnings: list[str] | None = None) -> None:
    """Write the gradebook, feedback files, results.json and the class report into ``out``."""
    from reportkit.grading import _article_and_questions

    warnings = warnings or []
    questions = _question_order(released)
    out.mkdir(parents=True, exist_ok=True)
    write_gradebook(results, questions, out / "gradebook.csv")
    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    for r in results:
        (feedback / f"{_safe_file(r.learner)}.md").write_text(feedback_markdown(r), "utf-8")
    (out / "results.json").write_text(
        json.dumps({"learners": [r.as_dict() for r in results], "questions": questions,
                    "warnings": warnings}, indent=1, default=str), "utf-8")
    tag_data = []
    for article_id in dict.fromkeys(rel.article for rel in released):
        article, qs = _article_and_questions(str(kit), article_id)
        tagging_qs = {q for rel in released if rel.article == article_id for q in rel.questions
                      if q in qs and qs[q].kind == "tagging"}
        if tagging_qs:
            answers = [x.answer for r in results for x in r.questions
                       if x.question in tagging_qs and isinstance(x.answer, dict) and x.answer]
            tag_data.append((article, answers))
    figures = _figures(results, questions, tag_data, out / "figures")
    (out / "report.md").write_text(class_report(results, released, figures, tag_data, warnings), "utf-8")
