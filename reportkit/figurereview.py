"""Reviewing the figures ledger that `new` proposes: ``python -m reportkit figures ARTICLE``.

The ledger is reviewed like the key: every proposed figure is ``"reviewed": false`` and
`validate` refuses the article until each is confirmed (`review_figure`, with corrections)
or deleted (`delete_figure`). Each call reads figures.json, changes one record and writes the
whole file atomically; nothing is written when a change is refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reportkit.authoring import open_record, write_json
from reportkit.datafiles import find_kit_root
from reportkit.key import PLACEHOLDER_COUNTS, Figure, FigureKind

FIELDS = ("text", "value", "kind", "counts", "hedge", "asserted_by", "channel", "how_to_check", "who_could_confirm")
HEDGE_SEPARATOR = "…"  # 'suggests … around': hedge words apart in the sentence


def _open_ledger(article_id: str, figure_id: str, root: Path) -> tuple[Path, dict[str, Any], dict[str, Any], str]:
    """figures.json's path and document, the record ``figure_id`` and its sentence's text."""
    return open_record(article_id, "figures.json", figure_id, root)


def _required_text(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{item['id']}: {name.replace('_', ' ')} must be some text")
    return value.strip()


def _hedge(item: dict[str, Any], sentence: str) -> str | None:
    """The hedge, or None; each of its parts must occur in the sentence."""
    hedge = item.get("hedge")
    if hedge is None or (isinstance(hedge, str) and not hedge.strip()):
        return None
    if not isinstance(hedge, str):
        raise ValueError(f"{item['id']}: the hedge is text, such as 'about'")
    for part in (p.strip() for p in hedge.split(HEDGE_SEPARATOR)):
        if part and part.casefold() not in sentence.casefold():
            raise ValueError(f"{item['id']}: the hedge {part!r} does not occur in the sentence; copy the words "
                             f"exactly, parts apart in the sentence joined by ' {HEDGE_SEPARATOR} '")
    return hedge.strip()


def _value(item: dict[str, Any]) -> float | None:
    value = item.get("value")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{item['id']}: the value is a number (4.2 million is 4200000), or none")
    return float(value)


def _channel(item: dict[str, Any]) -> list[str]:
    channel = item.get("channel")
    if isinstance(channel, str) or not isinstance(channel, list) or not all(isinstance(c, str) for c in channel):
        raise ValueError(f"{item['id']}: the channel is a list of names, from who asserts it to the outlet")
    names = [c.strip() for c in channel if c.strip()]
    if not names:
        raise ValueError(f"{item['id']}: the channel needs at least one name (the outlet)")
    return names


def _checked(item: dict[str, Any], sentence: str) -> dict[str, Any]:
    """A whole figure checked against its sentence and the schema's kinds; returns it cleaned."""
    text = _required_text(item, "text")
    if text not in sentence:
        raise ValueError(f"{item['id']}: {text!r} does not occur in sentence {item['sentence']}; quote it exactly")
    kinds = [kind.value for kind in FigureKind]
    if item.get("kind") not in kinds:
        raise ValueError(f"{item['id']}: kind {item.get('kind')!r} is not one of {', '.join(kinds)}")
    counts = _required_text(item, "counts")
    if counts == PLACEHOLDER_COUNTS:
        raise ValueError(f"{item['id']}: say what the number counts (--counts …): the proposer found no unit")
    cleaned = {**item, "text": text, "value": _value(item), "counts": counts, "hedge": _hedge(item, sentence),
               "asserted_by": _required_text(item, "asserted_by"), "channel": _channel(item),
               "how_to_check": _required_text(item, "how_to_check")}
    if not (item.get("who_could_confirm") or "").strip():
        cleaned.pop("who_could_confirm", None)
    return cleaned


def _merge(item: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """The record with ``fields`` applied; a new asserted_by also heads a channel its old one headed."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(sorted(unknown))}: use {', '.join(FIELDS)}")
    new = {**item, **fields}
    old_channel = list(item.get("channel") or [])
    if "asserted_by" in fields and "channel" not in fields and old_channel[:1] == [item.get("asserted_by")]:
        new["channel"] = [fields["asserted_by"], *old_channel[1:]]
    return new


def review_figure(article_id: str, figure_id: str, *, root: Path | None = None, **fields: Any) -> dict[str, Any]:
    """Confirm one figure, with corrections (any of text, value, kind, counts, hedge, asserted_by,
    channel, how_to_check, who_could_confirm), and mark it reviewed; writes figures.json atomically.

    Refuses (ValueError, KeyError for an unknown id) a text or hedge the sentence does not hold, an
    unknown kind and the proposer's placeholder for what it counts; nothing is written then."""
    root = root or find_kit_root()
    path, document, item, sentence = _open_ledger(article_id, figure_id, root)
    new = _checked(_merge(item, fields), sentence)
    new["reviewed"] = True
    item.clear()
    item.update(new)
    write_json(path, document)
    return item


def delete_figure(article_id: str, figure_id: str, *, root: Path | None = None) -> dict[str, Any]:
    """Remove one figure from the ledger (a year the lessons need not ask about); returns it.
    The other figures keep their ids: questions may name them."""
    root = root or find_kit_root()
    path, document, item, _ = _open_ledger(article_id, figure_id, root)
    document["figures"].remove(item)
    write_json(path, document)
    return item


# ---------------------------------------------------------------------- the command


def _cell(value: object, width: int) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


COLUMNS = (("#", 3), ("id", 4), ("unit", 4), ("kind", 10), ("figure", 28), ("hedge", 16), ("counts", 26),
           ("asserted by", 20), ("reviewed", 8))


def ledger_table(figures: tuple[Figure, ...]) -> str:
    """The ledger as a numbered plain-text table, one figure a row."""
    rows: list[list[object]] = [
        [str(n), f.id, f.sentence, f.kind, f.text, f.hedge, f.counts, f.asserted_by, "yes" if f.reviewed else "no"]
        for n, f in enumerate(figures, start=1)]
    return "\n".join([_line([name for name, _ in COLUMNS]), *(_line(row) for row in rows)])


def _line(values: list[object]) -> str:
    cells = (_cell(value, width).ljust(width) for value, (_, width) in zip(values, COLUMNS, strict=True))
    return "  ".join(cells).rstrip()


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "figures", help="review the figures ledger: list it, --confirm ID (with corrections) or --delete ID",
        description="Print an article's figures ledger as a numbered table, or review one figure: --confirm ID "
                    "marks it reviewed (with any corrections given), --delete ID removes it. `validate` refuses "
                    "the article until every figure is reviewed or deleted.")
    p.add_argument("article", metavar="ARTICLE", help="an article id (see `articles`)")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--confirm", metavar="ID", nargs="+",
                        help="mark figure ID (e.g. f01) reviewed, with the corrections; several IDs: each as it is")
    action.add_argument("--delete", metavar="ID", nargs="+", help="remove figure ID (or several) from the ledger")
    p.add_argument("--text", help="the figure exactly as the sentence writes it")
    p.add_argument("--value", type=float, help="its value as a number (4.2 million: 4200000)")
    p.add_argument("--kind", choices=[k.value for k in FigureKind], help="what kind of figure it is")
    p.add_argument("--counts", help="what it counts, e.g. 'vehicles crossing the bridge a day'")
    p.add_argument("--hedge", help="the hedge words, e.g. 'about' (parts apart joined by ' … '; '' for none)")
    p.add_argument("--asserted-by", dest="asserted_by", help="who asserts the figure")
    p.add_argument("--channel", action="append", metavar="NAME",
                   help="one link of the channel, from who asserts it to the outlet (repeat the option)")
    p.add_argument("--how-to-check", dest="how_to_check", help="how a reader could check it")
    p.add_argument("--who-could-confirm", dest="who_could_confirm", help="who is in a position to confirm it")
    p.set_defaults(func=_cmd_figures)


def _corrections(args: argparse.Namespace) -> dict[str, Any]:
    return {name: getattr(args, name) for name in FIELDS if getattr(args, name) is not None}


def _cmd_figures(args: argparse.Namespace) -> int:
    corrections = _corrections(args)
    if corrections and (not args.confirm or len(args.confirm) > 1):
        print(f"error: corrections ({', '.join(corrections)}) go with --confirm and one ID", file=sys.stderr)
        return 1
    try:
        for figure_id in args.confirm or ():  # each checked and written on its own: a refusal stops the rest
            figure = review_figure(args.article, figure_id, **corrections)
            print(f"{figure['id']} reviewed: {figure['text']!r} ({figure['kind']}, counts {figure['counts']!r}, "
                  f"hedge {figure['hedge']!r}, asserted by {figure['asserted_by']})")
        for figure_id in args.delete or ():
            figure = delete_figure(args.article, figure_id)
            print(f"{figure['id']} deleted: {figure['text']!r} in {figure['sentence']}")
        if args.confirm or args.delete:
            return 0
    except (KeyError, ValueError) as error:
        print(f"error: {error.args[0] if isinstance(error, KeyError) else error}", file=sys.stderr)
        return 1
    return _print_ledger(args.article)


def _print_ledger(article_id: str) -> int:
    from reportkit.article import load_article

    figures = load_article(article_id, require_reviewed=False).figures
    if not figures:
        print(f"{article_id}: the figures ledger is empty.")
        return 0
    print(ledger_table(figures))
    waiting = sum(not f.reviewed for f in figures)
    if not waiting:
        print(f"\nAll {len(figures)} figures reviewed. Next: python -m reportkit validate {article_id}")
        return 0
    print(f"\n{len(figures) - waiting} of {len(figures)} reviewed. Check each against its sentence "
          f"(`python -m reportkit show {article_id}`), then confirm it, correcting what is wrong:\n"
          f"  python -m reportkit figures {article_id} --confirm f01 --counts \"…\" --hedge \"about\"\n"
          f"confirm several that are right as they are: python -m reportkit figures {article_id} --confirm f02 f03\n"
          f"or delete it (a year the lessons need not ask about): "
          f"python -m reportkit figures {article_id} --delete f01")
    return 0
