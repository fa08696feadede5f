"""Cutting a seed text into sentence units with exact offsets (pySBD, plus recorded corrections).

Paragraphs are the seed's non-empty lines. pySBD segments each paragraph; it keeps a
quotation that spans sentences together with its attribution ("“A. B,” he said.") as one
unit, and keeps "Table.Briefings" and "U.S." intact. A quotation that goes on in a new
sentence with no attribution of its own becomes its own unit, linked with ``continues``.
Hand corrections are data (``sentences.json``'s ``corrections``), applied after pySBD.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENING_QUOTES = "“\"‘'"


@dataclass(frozen=True)
class Span:
    paragraph: int
    start: int
    end: int
    text: str


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line, whitespace trimmed."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        if line.strip():
            lead = len(line) - len(line.lstrip())
            spans.append((match.start() + lead, match.start() + len(line.rstrip())))
    return spans


def segment(text: str, corrections: list[dict] | tuple = (), language: str = "en") -> list[Span]:
    """Sentence spans of ``text`` in order; ``corrections`` are merges/splits at seed offsets."""
    import pysbd

    segmenter = pysbd.Segmenter(language=language, clean=False)
    spans: list[Span] = []
    for number, (p_start, p_end) in enumerate(paragraphs(text), start=1):
        cursor = p_start
        for piece in segmenter.segment(text[p_start:p_end]):
            piece = piece.strip()
            if not piece:
                continue
            start = text.index(piece, cursor, p_end)  # offsets by search: exact, never pySBD's guess
            spans.append(Span(number, start, start + len(piece), piece))
            cursor = start + len(piece)
    for correction in corrections:
        spans = _apply(text, spans, correction)
    return spans


def _apply(text: str, spans: list[Span], correction: dict) -> list[Span]:
    at = correction["at"]
    out: list[Span] = []
    if correction["action"] == "split":
        for span in spans:
            if span.start < at < span.end:
                left, right = text[span.start : at].rstrip(), text[at : span.end].lstrip()
                r_start = span.end - len(right)
                out += [Span(span.paragraph, span.start, span.start + len(left), left),
                        Span(span.paragraph, r_start, span.end, right)]
            else:
                out.append(span)
        return out
    # merge: the span starting at `at` joins the one before it
    for span in spans:
        if span.start == at and out and out[-1].paragraph == span.paragraph:
            prev = out.pop()
            out.append(Span(prev.paragraph, prev.start, span.end, text[prev.start : span.end]))
        else:
            out.append(span)
    return out


def quote_continues(previous: str, current: str) -> bool:
    """True when ``current`` is a bare quotation that goes on from a quotation in ``previous``."""
    return current[:1] in _OPENING_QUOTES and previous[:1] in _OPENING_QUOTES and not re.search(
        r"\b(said|says|told|stated|added|asked)\b", current
    )


def sentence_records(text: str, corrections: list[dict] | tuple = (), language: str = "en") -> list[dict]:
    """``sentences.json`` records: ids s01, s02, … (zero-padded to the count's width)."""
    spans = segment(text, corrections, language)
    width = max(2, len(str(len(spans))))
    records: list[dict] = []
    for number, span in enumerate(spans, start=1):
        record = {"id": f"s{number:0{width}d}", "paragraph": span.paragraph,
                  "start": span.start, "end": span.end, "text": span.text}
        if records and records[-1]["paragraph"] == span.paragraph and quote_continues(
            records[-1]["text"], span.text
        ):
            record["continues"] = records[-1].get("continues", records[-1]["id"])
        records.append(record)
    return records
