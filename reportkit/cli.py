"""``python -m reportkit``: list, show, export and validate articles; more commands register here."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any

from reportkit.errors import DataError, Problem
from reportkit.key import keyed

if TYPE_CHECKING:
    from reportkit.article import Article

# Modules that add their own subcommands through `register(subparsers)`. Each is imported only when
# its command runs, so `python -m reportkit --help` stays fast; the help lines are kept here (a test
# checks them against what the modules register).
PLUGIN_COMMANDS: dict[str, tuple[str, str]] = {
    "codebook": ("reportkit.handout", "write the codebook handout (Markdown) for an article"),
    "new": ("reportkit.authoring", "make a new article from a plain-text file (baseline proposals, unreviewed)"),
    "sections": ("reportkit.sections.command", "list what each lesson section shows for an article"),
    "figures": ("reportkit.figurereview",
                "review the figures ledger: list it, --confirm ID (with corrections) or --delete ID"),
    "questions": ("reportkit.questiongen", "generate an article's questions from its key, for review"),
    "exercises": ("reportkit.release", "make exercises/ from solutions/ (--check: fail if out of date)"),
    "index": ("reportkit.release", "write notebooks/README.md (--check: fail if out of date)"),
    "release": ("reportkit.release",
                "copy a learner bundle (--graded: no key; --article ID; --transfer: a final)"),
    "execute": ("reportkit.release", "run notebooks in a fresh kernel and store their outputs"),
    "grade": ("reportkit.grading", "grade a class's hand-ins: gradebook, feedback and class report"),
    "merge": ("reportkit.grading.merge", "put the parts of a sharded grading run (grade --shard K/N) into one report"),
    "export": ("reportkit.grading.export",
               "write a report's totals into the gradebook CSV your LMS exported (Canvas, Moodle)"),
    "transfer": ("reportkit.grading.transfer",
                 "compare each learner's tagging on the studied and an unseen article, per label"),
}
PLUGIN_MODULES: tuple[str, ...] = tuple(dict.fromkeys(module for module, _ in PLUGIN_COMMANDS.values()))


def _article_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("article", metavar="ARTICLE", help="an article id (see `articles`)")


def cmd_articles(args: argparse.Namespace) -> int:
    from reportkit.article import list_articles

    for article_id in list_articles():
        print(article_id)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from reportkit.article import load_article

    article = load_article(args.article, require_key=False, require_reviewed=False)
    width = args.width
    print(f"{article.title}\n{article.outlet}, {article.published} — {article.url}\n")
    for paragraph in article.paragraphs():
        for sentence in paragraph:
            print(textwrap.fill(sentence.text, width=width, initial_indent=f"[{sentence.id}] ",
                                subsequent_indent=" " * (len(sentence.id) + 3)))
        print()
    unreviewed = [entry.id for entry in article.key or () if not entry.reviewed]
    if unreviewed:
        print(textwrap.fill(f"{_count(unreviewed, 'key entry is', 'key entries are')} not reviewed yet: "
                            f"{_id_list(unreviewed)} (confirm them in author mode).", width=width))
    figures = [figure.id for figure in article.figures if not figure.reviewed]
    if figures:
        print(textwrap.fill(f"{_count(figures, 'figure is', 'figures are')} not reviewed yet: {', '.join(figures)} "
                            f"(python -m reportkit figures {article.id}).", width=width))
    return 0


def _count(items: Sequence[object], one: str, many: str) -> str:
    return f"1 {one}" if len(items) == 1 else f"{len(items)} {many}"


def _id_list(ids: Sequence[str], limit: int = 12) -> str:
    """'s01, s02, s03' — at most ``limit`` ids, then '…'."""
    return ", ".join(ids[:limit]) + (", …" if len(ids) > limit else "")


def unreviewed_ids(problems: Sequence[object]) -> tuple[list[str], list[object]]:
    """Split DataError problems into the ids of unreviewed key entries and every other problem
    (unreviewed figures stay in the others: each is listed with its own line)."""
    ids, others = [], []
    for problem in problems:
        record = getattr(problem, "record", None)
        in_key = str(getattr(problem, "file", "")).endswith("key.json")
        if getattr(problem, "field", None) == "reviewed" and record and in_key:
            ids.append(str(record).split(" ")[0].strip("'"))
        else:
            others.append(problem)
    return ids, others


def unreviewed_figures(problems: Sequence[object]) -> tuple[dict[str, list[str]], list[object]]:
    """Split problems into the ids of unreviewed figures (by figures.json file) and every other problem."""
    figures: dict[str, list[str]] = {}
    others = []
    for problem in problems:
        shown, record = str(getattr(problem, "file", "")), getattr(problem, "record", None)
        if getattr(problem, "field", None) == "reviewed" and record and shown.endswith("figures.json"):
            figures.setdefault(shown, []).append(str(record).split(" ")[0].strip("'"))
        else:
            others.append(problem)
    return figures, others


def cmd_key(args: argparse.Namespace) -> int:
    from reportkit.article import load_article

    article = load_article(args.article)
    key = keyed(article.key)
    rows: list[dict[str, Any]] = []
    for sentence in article.sentences:
        entry = key[sentence.id]
        attribution = entry.attribution
        rows.append({
            "id": sentence.id,
            "paragraph": sentence.paragraph,
            "text": sentence.text,
            "label": entry.label,
            "accepted": [alt.label for alt in entry.accepted],
            "accepted_notes": {alt.label: alt.note for alt in entry.accepted},
            "rationale": entry.rationale,
            "rules": list(entry.rules),
            "source": attribution.source,
            "source_type": attribution.source_type,
            "cue": attribution.cue,
            "cue_stance": attribution.cue_stance,
            "channel": list(attribution.channel),
            "channel_note": attribution.channel_note,
            "mixed_quotes": list(attribution.mixed_quotes),
            "hedges": list(attribution.hedges),
        })
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for row in rows:
            also = f"(also {', '.join(row['accepted'])})" if row["accepted"] else ""
            print(f"{row['id']}  {row['label']:<10} {also:<20} {row['text'][:60]}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from reportkit.article import load_article

    try:
        article = load_article(args.article)
    except DataError as error:
        print(f"{args.article}: INVALID", file=sys.stderr)
        unreviewed, others = unreviewed_ids(error.problems)
        if unreviewed:  # one line for all of them: a new article starts with every entry unreviewed
            print(f"  - {_count(unreviewed, 'key entry is', 'key entries are')} not reviewed yet: "
                  f"{_id_list(unreviewed)} (confirm or fix them in author mode)", file=sys.stderr)
        figures, others = unreviewed_figures(others)
        for shown, ids in figures.items():  # every id: the author reviews them one by one with `figures`
            print(f"  - {shown}: {_count(ids, 'figure is', 'figures are')} not reviewed yet: {', '.join(ids)} "
                  f"(review each: python -m reportkit figures {args.article} --confirm ID [corrections], "
                  "or --delete ID)", file=sys.stderr)
        for problem in others:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    later = teaching_problems(article)
    if later:
        print(f"{args.article}: INVALID", file=sys.stderr)
        for problem in later:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{article.id}: OK — {len(article.sentences)} sentences, all keyed; "
          f"{len(article.figures)} figures; seed sha256 {article.seed_sha256[:12]}…")
    drafted = drafted_rationales(article)
    if drafted:  # allowed, but learners read every rationale: worth a second look
        print(f"  note: {_count(drafted, 'rationale is', 'rationales are')} the kit's suggestion, confirmed "
              f"unedited: {_id_list(drafted)}. Learners read them; reword any that do not fit the sentence.")
    return 0


def teaching_problems(article: Article) -> list[Problem]:
    """What only a loaded article can show: lesson sections no lesson declares, questions the key
    no longer answers."""
    from reportkit.questiongen import unanswerable
    from reportkit.sections.command import unknown

    shown = f"data/{article.id}"
    found = [Problem(f"{shown}/article.json", f"lessons.{sid}", None, "no lesson has this section (a typo?)")
             for sid in unknown(article)]
    return found + [Problem(f"{shown}/questions.json", qid, None, why) for qid, why in unanswerable(article)]


def drafted_rationales(article: Article) -> list[str]:
    """Ids of key entries whose rationale was confirmed exactly as author mode drafted it."""
    entries = json.loads((article.data_dir / "key.json").read_text("utf-8"))["entries"]
    return [e["id"] for e in entries if e.get("rationale_drafted")]


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. Plugin commands are listed by name and help; only ``command``'s module (all of
    them when ``command`` is None) is imported to add its full subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m reportkit",
        description="The reading-war-reporting kit: articles, keys, exercises and grading.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("articles", help="list the article ids, one per line",
                       description="List the ids of the articles in the kit's data/ folder.")
    p.set_defaults(func=cmd_articles)

    p = sub.add_parser("show", help="print an article as a reader sees it, with sentence ids",
                       description="Print the article paragraph by paragraph, each sentence with its id.")
    _article_arg(p)
    p.add_argument("--width", type=int, default=100, help="wrap lines at this width (default 100)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("key", help="print the answer key (--json for a JSON list)",
                       description="Print the answer key: one row per sentence with its label and attribution.")
    _article_arg(p)
    p.add_argument("--json", action="store_true",
                   help="a JSON list of objects: id, text, label, accepted, source, channel, …")
    p.set_defaults(func=cmd_key)

    p = sub.add_parser("validate", help="check an article's data; exit 1 listing every problem",
                       description="Load the article and check every file against the seed and the codebook.")
    _article_arg(p)
    p.set_defaults(func=cmd_validate)

    wanted = PLUGIN_MODULES if command is None else {m for c, (m, _) in PLUGIN_COMMANDS.items() if c == command}
    registered: set[str] = set()
    for module in wanted:
        before = set(sub.choices)
        import_module(module).register(sub)
        registered |= set(sub.choices) - before
    for name, (_, help_line) in PLUGIN_COMMANDS.items():
        if name not in registered:  # listed for --help; its module loads when the command is run
            sub.add_parser(name, help=help_line, add_help=False)
    return parser


def _command(argv: Sequence[str]) -> str:
    """The subcommand named in ``argv`` ("" if none): the first word that is not an option."""
    return next((word for word in argv if not word.startswith("-")), "")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_command(argv)).parse_args(argv)
    try:
        return args.func(args)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `… | head` closed the pipe: not an error
        return 0
