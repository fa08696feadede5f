"""A first figures ledger for a new article: every number in the text, for the author to review.

`propose_ledger` finds the numbers of each unit (digits such as 12,000 or 4.2 million, number
words such as "six months" or "two and a half", percentages, years and days of a month), and
drafts for each what it counts (the words after it), its kind, the hedge words near it and who
asserts it (the unit's drafted source, else the outlet). Every entry is marked unreviewed: the
words come from ``reportkit/lexicon/figures.json``, and the instructor decides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from reportkit.baseline import cue_index
from reportkit.key import PLACEHOLDER_COUNTS, FigureKind

# A number with thousands separators and decimals, a plain number, a word, or one other character.
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?|[A-Za-z]+|\S")
_QUOTES = frozenset("“”‘’\"'«»")


@cache
def lexicon() -> dict[str, Any]:
    """reportkit/lexicon/figures.json: the words the proposer reads (hedges, units, kinds)."""
    return json.loads(resources.files("reportkit.lexicon").joinpath("figures.json").read_text("utf-8"))


@cache
def _words(name: str) -> frozenset[str]:
    """A word list of the lexicon, lower-cased."""
    return frozenset(word.lower() for word in lexicon()[name])


@cache
def _hedges(where: str) -> tuple[tuple[str, ...], ...]:
    """Hedge phrases as word tuples, longest first ('at least' before 'least')."""
    phrases = (tuple(phrase.lower().split()) for phrase in lexicon()["hedges"][where])
    return tuple(sorted(set(phrases), key=len, reverse=True))


@dataclass(frozen=True)
class Number:
    """Where a number stands in the token list (first..last, inclusive) and what it is worth."""

    first: int
    last: int
    value: float | None
    currency: bool = False
    share: bool = False
    age: bool = False


@dataclass(frozen=True)
class Found:
    """A proposed figure inside one unit: its exact span and what the proposer guessed about it."""

    start: int
    end: int
    value: float | None
    kind: FigureKind
    counts: str
    hedge: str | None


class _Tokens:
    """The unit's tokens, with the small questions the proposer asks about them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.items = list(_TOKEN.finditer(text))

    def word(self, at: int) -> str:
        return self.items[at].group() if 0 <= at < len(self.items) else ""

    def low(self, at: int) -> str:
        return self.word(at).lower()

    def glued(self, at: int) -> bool:
        """True when token ``at`` follows the one before it with no space ('4.2bn')."""
        return 0 < at < len(self.items) and self.items[at].start() == self.items[at - 1].end()

    def is_digits(self, at: int) -> bool:
        return self.word(at)[:1].isdigit()


# ---------------------------------------------------------------- reading a number


def _word_value(tokens: _Tokens, at: int) -> tuple[float, int] | None:
    """A number word at ``at`` ('six', 'twenty-five'): its value and its last token."""
    numbers = lexicon()["number_words"]
    word = tokens.low(at)
    if word not in numbers:
        return None
    value, last = float(numbers[word]), at
    if numbers[word] >= 20 and tokens.word(at + 1) == "-" and numbers.get(tokens.low(at + 2), 99) < 10:
        value, last = value + numbers[tokens.low(at + 2)], at + 2
    return value, last


def _base(tokens: _Tokens, at: int) -> tuple[float | None, int] | None:
    """The number starting at ``at`` before scales: digits, a number word, or a vague quantity."""
    if tokens.is_digits(at):
        return float(tokens.word(at).replace(",", "")), at
    if tokens.low(at) in ("a", "an"):
        return 1.0, at
    if tokens.low(at) in _words("vague_quantities") and tokens.low(at + 1) == "of":
        return None, at
    return _word_value(tokens, at)


def _scaled(tokens: _Tokens, value: float | None, last: int) -> tuple[float | None, int]:
    """Apply 'and a half' and scale words ('4.2 million', 'two hundred thousand', '3bn')."""
    if [tokens.low(last + k) for k in (1, 2, 3)] == ["and", "a", "half"]:
        value, last = (value or 0) + 0.5, last + 3
    scales, glued = lexicon()["scales"], lexicon()["glued_scales"]
    while True:
        word = tokens.low(last + 1)
        if word in scales:
            factor = scales[word]
        elif word in glued and tokens.glued(last + 1):
            factor = glued[word]
        else:
            return value, last
        value, last = (value * factor if value is not None else None), last + 1


def _share_end(tokens: _Tokens, last: int) -> int | None:
    """The last token of a percentage sign or word right after the number, if any."""
    for phrase in sorted(lexicon()["share_words"], key=len, reverse=True):
        words = phrase.split() if phrase != "%" else ["%"]
        if [tokens.low(last + 1 + k) for k in range(len(words))] == words:
            return last + len(words)
    return None


def _age_end(tokens: _Tokens, last: int) -> int | None:
    """The last token of '-year-old' or 'years old' right after the number, if any."""
    if [tokens.low(last + k) for k in (1, 2, 3, 4)] == ["-", "year", "-", "old"]:
        return last + 4
    if tokens.low(last + 1) in ("year", "years") and tokens.low(last + 2) == "old":
        return last + 2
    return None


def _weak(tokens: _Tokens, at: int, value: float | None, last: int) -> bool:
    """'one', 'a' and 'an' are numbers only before a scale or a period ('a million', 'over a year ago')."""
    if tokens.low(at) not in _words("weak_number_words") or last > at:
        return False
    after = tokens.low(at + 1)
    if after not in _words("period_units"):
        return True
    if tokens.low(at) == "one":
        return False
    hedged = _hedge_before(tokens, at)[0] is not None
    return not (hedged or tokens.low(at + 2) in _words("period_after"))


def read_number(tokens: _Tokens, at: int) -> Number | None:
    """The number that starts at token ``at``, or None."""
    currency = tokens.word(at) in lexicon()["currency_symbols"] and tokens.is_digits(at + 1)
    base = _base(tokens, at + currency)
    if base is None:
        return None
    value, last = _scaled(tokens, *base)
    if _weak(tokens, at, value, last):
        return None
    share_end, age_end = _share_end(tokens, last), _age_end(tokens, last)
    return Number(at, share_end or age_end or last, value, currency, share_end is not None, age_end is not None)


# ---------------------------------------------------------------- what it counts


def _unit_word(tokens: _Tokens, at: int) -> bool:
    """A word that can belong to the phrase saying what a number counts."""
    word = tokens.word(at)
    low = word.lower()
    return (word.isalpha() and low not in _words("unit_stops") and low not in cue_index()
            and low not in lexicon()["number_words"] and low not in _words("months"))


def _unit_words(tokens: _Tokens, at: int) -> int:
    """The last token of the noun phrase from ``at`` (at - 1 when there is none)."""
    last, limit = at - 1, lexicon()["unit_max_words"]
    while last + 1 - at < limit and _unit_word(tokens, last + 1):
        last += 1
        if tokens.word(last + 1) == "-" and tokens.glued(last + 1) and _unit_word(tokens, last + 2):
            last += 2  # 'long-range missiles'
        if _plural(tokens.word(last)):
            break  # the head noun: '30% of homes lost power' counts homes
    return last


def _plural(word: str) -> bool:
    """'troops', 'cases': a plural noun ends the phrase (a verb after it is not part of the unit)."""
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _rate_end(tokens: _Tokens, last: int) -> int:
    """'vehicles a day': a rate after the unit belongs to it."""
    if tokens.low(last + 1) in _words("rate_words") and tokens.low(last + 2) in _words("period_units"):
        return last + 2
    return last


def _partitive(tokens: _Tokens, last: int) -> tuple[int, int] | None:
    """'two of its supports', 'dozens of civilians': the phrase after 'of' (and a determiner), unless
    another number is in it. Returns its first and last token."""
    if tokens.low(last + 1) != "of":
        return None
    first = last + 3 if tokens.low(last + 2) in _words("determiners") else last + 2
    end = _unit_words(tokens, first)
    if end < first or read_number(tokens, end + 1) is not None:
        return None
    return first, end


def _phrase(tokens: _Tokens, first: int, last: int) -> str:
    """The sentence's text from token ``first`` to token ``last``, exactly."""
    return tokens.text[tokens.items[first].start(): tokens.items[last].end()]


def _without_hedges(words: str) -> str:
    """'estimated Ukrainian military force' -> 'Ukrainian military force'."""
    hedges = {" ".join(h) for h in _hedges("before") + _hedges("nearby") if len(h) == 1}
    return " ".join(w for w in words.split() if w.lower() not in hedges)


def _noun_before(tokens: _Tokens, at: int) -> str:
    """'the estimated force of 1 million' counts the force: the phrase before 'of', back to a determiner."""
    if tokens.low(at - 1) != "of":
        return ""
    first = at - 1
    while first - 1 >= 0 and _unit_word(tokens, first - 1) and at - first <= lexicon()["unit_max_words"]:
        first -= 1
    return _without_hedges(_phrase(tokens, first, at - 2)) if first < at - 1 else ""


# ---------------------------------------------------------------- hedges


def _skip_back(tokens: _Tokens, at: int) -> int:
    """The token before ``at``, passing over quotation marks and period modifiers ('the first')."""
    before = at - 1
    while tokens.word(before) in _QUOTES or tokens.low(before) in _words("period_before"):
        before -= 1
    return before


def _hedge_before(tokens: _Tokens, at: int) -> tuple[str | None, int]:
    """The hedge right before the number ('about', 'at least') and its first token."""
    end = _skip_back(tokens, at)
    for phrase in _hedges("before"):
        first = end - len(phrase) + 1
        if first >= 0 and tuple(tokens.low(k) for k in range(first, end + 1)) == phrase:
            return _phrase(tokens, first, end), first
    return None, at


def _hedges_nearby(tokens: _Tokens, since: int, until: int) -> list[str]:
    """Hedge words a few words before the number ('evidence suggests', 'the estimated force of')."""
    found, at = [], max(since, until - lexicon()["nearby_window"])
    while at < until:
        phrase = next((p for p in _hedges("nearby")
                       if tuple(tokens.low(at + k) for k in range(len(p))) == p and at + len(p) <= until), None)
        if phrase:
            found.append(_phrase(tokens, at, at + len(phrase) - 1))
        at += len(phrase) if phrase else 1
    return found


def _hedge(tokens: _Tokens, number: Number, since: int) -> str | None:
    """Every hedge qualifying the number, in reading order: 'suggests … around'."""
    before, first = _hedge_before(tokens, number.first)
    parts = _hedges_nearby(tokens, since, first) + ([before] if before else [])
    return " … ".join(parts) or None


# ---------------------------------------------------------------- kinds and spans


def _is_year(tokens: _Tokens, number: Number) -> bool:
    years = lexicon()["years"]
    word = tokens.word(number.first)
    return (number.first == number.last and word.isdigit() and len(word) == 4
            and years["from"] <= int(word) <= years["to"])


def _date_span(tokens: _Tokens, number: Number) -> tuple[int, int] | None:
    """A year ('1968', 'March 2024') or a day of a month ('1 December', 'December 1'): its tokens."""
    months = _words("months")
    day = number.first == number.last and tokens.word(number.first).isdigit() and int(tokens.word(number.first)) <= 31
    if tokens.low(number.first - 1) in months and (day or _is_year(tokens, number)):
        return number.first - 1, number.last
    if day and tokens.low(number.last + 1) in months:
        year = Number(number.last + 2, number.last + 2, None)
        return number.first, number.last + 2 if _is_year(tokens, year) else number.last + 1
    if _is_year(tokens, number) and not _unit_word(tokens, number.last + 1):
        return number.first, number.last
    return None


def _clock_span(tokens: _Tokens, number: Number) -> tuple[int, int] | None:
    """A time of day ('18:05', '7am', '7 p.m.'): a date, not a quantity."""
    last = number.last
    minutes = tokens.word(last + 1) == ":" and tokens.is_digits(last + 2)
    if minutes and tokens.glued(last + 1) and tokens.glued(last + 2):
        last += 2
    if tokens.low(last + 1) in _words("clock_suffixes"):
        last += 1
    elif tokens.low(last + 1) in ("a", "p") and tokens.word(last + 2) == "." and tokens.low(last + 3) == "m":
        last += 3 + (tokens.word(last + 4) == ".")  # '7 p.m.
    return (number.first, last) if last > number.last and tokens.is_digits(number.first) else None


def _identifier_span(tokens: _Tokens, number: Number) -> tuple[int, int] | None:
    """'123 Brigade', 'Article 5': a number that names something."""
    if number.value is None or not tokens.is_digits(number.first):
        return None
    if tokens.word(number.last + 1) in lexicon()["identifier_after"] and not _unit_word(tokens, number.last + 2):
        return number.first, number.last + 1
    if tokens.word(number.first - 1) in lexicon()["identifier_before"]:
        return number.first - 1, number.last
    return None


def _period_span(tokens: _Tokens, first: int, last: int) -> tuple[int, int]:
    """Widen a period to its modifiers: 'first 10 months of 2024', 'previous two years combined'."""
    if tokens.low(first - 1) in _words("period_before"):
        first -= 1
    if tokens.low(last + 1) in _words("period_after"):
        last += 1
    elif tokens.low(last + 1) == "of" and _is_year(tokens, Number(last + 2, last + 2, None)):
        last += 2
    return first, last


def _kind(tokens: _Tokens, number: Number, unit: str) -> FigureKind:
    words = unit.lower().split()
    if number.share:
        return FigureKind.SHARE
    if number.currency or (words and words[0] in _words("currency_words")):
        return FigureKind.AMOUNT
    if number.age or any(tokens.low(number.first - k) in _words("age_words") for k in (1, 2, 3)):
        return FigureKind.AGE
    if words and words[0] in _words("period_units"):
        return FigureKind.PERIOD
    return FigureKind.COUNT


def _counted(tokens: _Tokens, number: Number) -> tuple[int, str]:
    """The figure's last token and what it counts (the noun phrase after it, or before 'of')."""
    last = _unit_words(tokens, number.last + 1)
    if last > number.last:
        end = _rate_end(tokens, last)
        return end, _without_hedges(_phrase(tokens, number.last + 1, end))
    partitive = _partitive(tokens, number.last)
    if partitive is not None:
        return partitive[1], _without_hedges(_phrase(tokens, *partitive))
    return number.last, _noun_before(tokens, number.first)


def describe(tokens: _Tokens, number: Number, since: int) -> tuple[Found, int]:
    """The figure for a number found at ``number``; and the last token it takes."""
    hedge = _hedge(tokens, number, since)
    placeholder = PLACEHOLDER_COUNTS
    span = _identifier_span(tokens, number)
    if span:
        noun = tokens.word(span[1]) if span[1] > number.last else tokens.word(span[0])
        return _found(tokens, span, number, FigureKind.IDENTIFIER, f"the {noun}'s number: a name, not a quantity",
                      hedge), span[1]
    span = None if number.currency or number.share else _clock_span(tokens, number) or _date_span(tokens, number)
    if span:
        return _found(tokens, span, number, FigureKind.DATE, placeholder, hedge), span[1]
    last, counts = _counted(tokens, number)
    kind = _kind(tokens, number, counts)
    first = number.first
    if kind is FigureKind.PERIOD:
        first, last = _period_span(tokens, first, last)
    return _found(tokens, (first, last), number, kind, counts or placeholder, hedge), last


def _found(tokens: _Tokens, span: tuple[int, int], number: Number, kind: FigureKind, counts: str,
           hedge: str | None) -> Found:
    start, end = tokens.items[span[0]].start(), tokens.items[span[1]].end()
    return Found(start, end, number.value, kind, counts, hedge)


def find_figures(text: str) -> list[Found]:
    """Every figure in one unit's text, in reading order, none overlapping."""
    tokens = _Tokens(text)
    found: list[Found] = []
    at, since = 0, 0
    while at < len(tokens.items):
        number = read_number(tokens, at)
        if number is None:
            at += 1
            continue
        figure, last = describe(tokens, number, since)
        found.append(figure)
        since, at = number.last + 1, max(last, number.last) + 1
    return found


# ---------------------------------------------------------------- the ledger


def how_to_check(kind: FigureKind, asserted_by: str, hedge: str | None) -> str:
    """A first how_to_check for the author to rewrite: per kind, plus a word on the hedge."""
    draft = lexicon()["how_to_check"][kind.value].format(asserted_by=asserted_by)
    return f"{draft} {lexicon()['hedged_check'].format(hedge=hedge)}" if hedge else draft


def ledger_entry(number: int, sentence_id: str, text: str, found: Found, source: str | None,
                 outlet: str) -> dict[str, Any]:
    """One unreviewed figures.json record for a figure found in a unit."""
    asserted_by = source or outlet
    return {
        "id": f"f{number:02d}", "sentence": sentence_id, "text": text[found.start: found.end],
        "value": found.value, "kind": found.kind.value, "counts": found.counts, "asserted_by": asserted_by,
        "channel": [source, outlet] if source and source != outlet else [outlet], "hedge": found.hedge,
        "how_to_check": how_to_check(found.kind, asserted_by, found.hedge), "reviewed": False,
    }


def propose_ledger(units: Sequence[tuple[str, str]], sources: Mapping[str, str | None],
                   outlet: str) -> dict[str, Any]:
    """figures.json for a new article: every figure of every unit, unreviewed.

    ``units`` are (sentence id, text) pairs in article order; ``sources`` the drafted source of each
    unit (the key's attribution), used for asserted_by and the channel, else the outlet.
    """
    figures: list[dict[str, Any]] = []
    for sentence_id, text in units:
        for found in find_figures(text):
            figures.append(ledger_entry(len(figures) + 1, sentence_id, text, found, sources.get(sentence_id),
                                        outlet))
    return {"figures": figures}
