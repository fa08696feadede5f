"""Display blocks every lesson helper shares: a Block (HTML with a plain-text twin), tables, Markdown
notes, one-sentence stand-ins, and the attribution chains and id ranges lessons print.

Lower than ``lesson``, ``upstream``, ``plots`` and the lesson sections, which all import from here
(so none of them has to import another to show something).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from reportkit.article import Article

QUOTE_RE = re.compile(r"“[^”]*”|\"[^\"]*\"")

@dataclass(frozen=True)
class Block:
    """HTML for Jupyter with a plain-text twin (the text/plain output)."""

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text

    def __add__(self, other: Block) -> Block:
        return Block(self.html + other.html, f"{self.text}\n{other.text}")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def table(headers: list[str], rows: list[list[str]], rows_html: list[list[str]] | None = None) -> Block:
    rows_html = rows_html or [[esc(c) for c in row] for row in rows]
    head = "".join(f'<th style="text-align:left">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<td style="text-align:left;vertical-align:top">{c}</td>'
                                     for c in row) + "</tr>" for row in rows_html)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    widths = [min(w, 40) for w in widths]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return Block(f"<table>{'<thead><tr>' + head + '</tr></thead>'}<tbody>{body}</tbody></table>",
                 "\n".join(lines))


def sentence(text: str) -> Block:
    """One sentence in place of a table or list the article has nothing for."""
    return Block(f"<p>{esc(text)}</p>", text)


def id_ranges(ids: list[str]) -> str:
    """'s01–s07, s11' from a list of ids in article order."""
    numbers = [int(i[1:]) for i in ids]
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"s{r[0]:02d}" if len(r) == 1 else f"s{r[0]:02d}–s{r[-1]:02d}" for r in runs)


Chain = tuple[tuple[str, bool], ...]  # (name, reached by an inferred step) from the source to the page


def chains(article: Article) -> list[tuple[Chain, list[str]]]:
    """Each distinct attribution chain of the report (furniture left out) with its sentences; a chain
    with an inferred step is distinct from the same names stated."""
    found: dict[Chain, list[str]] = {}
    for entry in article.key or ():
        if entry.label == "furniture" or len(entry.attribution.channel) < 2:
            continue
        found.setdefault(entry.attribution.chain_nodes(), []).append(entry.id)
    return sorted(found.items(), key=lambda item: (-len(item[1]), item[1][0]))


def chain_text(chain: Chain) -> str:
    """'A → B → page', with '⇢ B (inferred)' where a step is the reader's inference."""
    text = ""
    for i, (name, inferred) in enumerate(chain):
        arrow = "" if i == 0 else (" ⇢ " if inferred else " → ")
        text += arrow + (f"{name} (inferred)" if inferred else name)
    return text


def markdown(text: str) -> Block:
    """Markdown prose (a section's note) as a Block: HTML for Jupyter, the Markdown as text."""
    import mistune

    render = mistune.create_markdown(escape=True)
    return Block(f'<div class="reportkit-note">{render(text)}</div>', text)
