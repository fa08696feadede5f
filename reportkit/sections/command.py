"""``python -m reportkit sections ARTICLE``: what each lesson section shows for an article, and why.

For the author of a new article: before releasing, see which units each section of lessons 01–05,
07 and 09 picked from the key (or from ``article.json``'s ``lessons``), and which sections will
say that the article has nothing for them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reportkit.article import Article


def rows(article: Article) -> list[tuple[str, str, str]]:
    """(section id, where its units come from, the units or the section's one sentence)."""
    from reportkit import sections

    found = []
    for section_id in sorted(sections.registry()):
        chosen = sections.units(article, section_id)
        override = sections.override(article, section_id)
        origin = "article.json" if "units" in override else "key" if chosen else "absent"
        found.append((section_id, origin, ", ".join(chosen) if chosen else sections.get(section_id).absent))
    return found


def unknown(article: Article) -> list[str]:
    """Section ids in article.json's ``lessons`` that no lesson declares (a typo shows nothing)."""
    from reportkit import sections

    return sorted(set(article.lessons) - set(sections.registry()))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("sections", help="list what each lesson section shows for an article",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("article", metavar="ARTICLE", help="an article id")
    parser.set_defaults(func=_cmd_sections)


def _cmd_sections(args: argparse.Namespace) -> int:
    from reportkit.article import load_article
    from reportkit.errors import DataError

    try:
        article = load_article(args.article)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for section_id, origin, shown in rows(article):
        print(f"  {section_id:<28} {origin:<12} {shown}")
    for section_id in unknown(article):
        print(f"warning: article.json lessons.{section_id}: no lesson has this section", file=sys.stderr)
    return 1 if unknown(article) else 0
