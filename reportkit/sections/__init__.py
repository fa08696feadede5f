"""Lesson sections chosen from the data, so lessons 01–05 and 07 run on any article.

A lesson's code cell asks for a *section* by id (``lesson.section(article, "02.partial-quote")``).
Each section is declared once, in the module of its lesson (``l01.py`` … ``l07.py``), with a
chooser that picks its units from what the key records (a rule it cites, a cue's stance, the
figures ledger), a default note written from the key for any article, and one sentence for an
article that has nothing the section needs.

An article's ``article.json`` may override both, per section, under ``lessons``::

    "lessons": {"02.partial-quote": {"units": ["s05", "s07"], "note": "In s05 the reporter …"}}

The notebooks' own article keeps its hand-picked examples and its own prose that way; another article gets
the key's choices and notes written from the key's rationales.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportkit.article import Article

LESSON_MODULES = ("l01", "l02", "l03", "l04", "l05", "l07", "l09")
Chooser = Callable[[Article], list[str]]
Writer = Callable[[Article, list[str]], str]


@dataclass(frozen=True)
class Section:
    """One section of a lesson: which units it shows and what it says about them.

    ``choose`` picks units from the key (best first); ``limit`` caps how many are shown;
    ``write`` drafts the note (Markdown) from the key for the chosen units (default: each unit's
    label and rationale); ``absent`` is the one sentence shown when no unit fits.
    """

    id: str
    choose: Chooser
    absent: str
    limit: int = 3
    write: Writer | None = None


_REGISTRY: dict[str, Section] = {}
# Sections that show something else than marked-up units (lesson 09: comparisons side by side).
_RENDERERS: dict[str, Callable[[Article, str], Any]] = {}


def render_with(show: Callable[[Article, str], Any], *section_ids: str) -> None:
    """Declare that ``lesson.section`` shows these sections with ``show(article, section_id)``."""
    for section_id in section_ids:
        _RENDERERS[section_id] = show


def renderer(section_id: str) -> Callable[[Article, str], Any] | None:
    """The section's own way of showing itself, if its lesson declared one."""
    _load_modules()
    return _RENDERERS.get(section_id)


def register(*sections: Section) -> None:
    """Declare sections (called by each lesson module at import)."""
    for item in sections:
        if item.id in _REGISTRY and _REGISTRY[item.id] != item:
            raise ValueError(f"section {item.id!r} is declared twice")
        _REGISTRY[item.id] = item


@cache
def _load_modules() -> None:
    for name in LESSON_MODULES:
        importlib.import_module(f"reportkit.sections.{name}")


def registry() -> dict[str, Section]:
    """Every declared section, by id."""
    _load_modules()
    return dict(_REGISTRY)


def get(section_id: str) -> Section:
    """The section ``section_id``; a KeyError names the known ones."""
    sections = registry()
    if section_id not in sections:
        raise KeyError(f"no lesson section {section_id!r}; known: {', '.join(sorted(sections))}")
    return sections[section_id]


def override(article: Article, section_id: str) -> dict[str, Any]:
    """article.json's ``lessons`` entry for the section ({} when it has none)."""
    return dict(article.lessons.get(section_id, {}))


def units(article: Article, section_id: str) -> list[str]:
    """The units the section shows: article.json's choice, else the key's (at most ``limit``)."""
    chosen = override(article, section_id).get("units")
    if chosen is not None:
        return list(chosen)
    section = get(section_id)
    if article.key is None:
        return []
    return section.choose(article)[: section.limit]


def note(article: Article, section_id: str) -> str:
    """The section's note (Markdown): article.json's, else drafted from the key, else ``absent``."""
    own = override(article, section_id).get("note")
    if own:
        return str(own)
    chosen = units(article, section_id)
    section = get(section_id)
    if not chosen:
        return section.absent
    return (section.write or rationale_note)(article, chosen)


def label_name(article: Article, label_id: str) -> str:
    """A label's name as prose: 'direct quote', 'reported claim', …"""
    return article.codebook.label(label_id).name.lower()


def rationale_note(article: Article, chosen: list[str]) -> str:
    """The default note: each unit's label and the key's rationale for it, one line each."""
    lines = []
    for sid in chosen:
        entry = article.key[sid] if article.key is not None else None
        if entry is None:
            continue
        lines.append(f"- **{sid}** ({label_name(article, entry.label)}): {entry.rationale}")
    return "\n".join(lines)
