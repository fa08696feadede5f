"""A rule-based baseline tagger: what a machine gets from quotation marks and reporting cues.

Rules are general; nothing here names an article. The data they use ship with the package:
``lexicon/cues.json`` (reporting verbs by lemma, with stance classes; every inflected form is
matched, through lemminflect) and ``lexicon/furniture.json`` (patterns for page furniture). The
rules, in order:

1. furniture: a furniture pattern, a repeated line, a headline with a dash attribution, or a
   short line without sentence punctuation;
2. quote: most of the unit is inside quotation marks (a quotation left open in an earlier unit
   counts, so a quotation the segmenter cut into sentences stays a quote), or the quotation is the
   content and the rest an attribution clause, before it (after a colon, or "said,") or after it
   (``"…," said Name, any apposition``);
3. reported or analysis: a reporting cue (analysis when the source is an observer);
4. narration: none of these.

The lesson compares it with the key to show where machines — and hurried readers — go wrong.
Lesson 08 lets learners add rules of their own: ``propose_all(sentences, extra_rules=[rule])``
where a rule is a plain function ``rule(text, previous)``. ``text`` is the sentence;
``previous`` is the final :class:`Proposal` for the unit before it (``None`` for the first),
with ``.text``, ``.label``, ``.source`` and ``.cue``. The rule returns a label id to replace
the baseline's proposal, or ``None`` to leave it. Rules run in order after the baseline, one
unit at a time, so a rule sees the labels that earlier rules gave the units before.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

LABELS = ("quote", "reported", "analysis", "narration", "furniture")
# The three classes used to measure on real news: who speaks, not in what role.
THREE_WAY = {"quote": "quote", "reported": "attributed", "analysis": "attributed",
             "narration": "unattributed", "furniture": "unattributed"}


def three_way(label: str) -> str:
    """The three-way class of a label: quote, attributed (reported, analysis) or unattributed."""
    return THREE_WAY.get(label, label)


# People whose statements are assessments from outside the events.
OBSERVERS = re.compile(
    r"\b(analysts?|experts?|observers?|commentators?|scholars?|researchers?|think[- ]tank|former|"
    r"professor|economists?|\w+ologists?|scientists?|historians?|strategists?|pollsters?|specialists?)\b",
    re.IGNORECASE,
)
INTERPRETIVE = re.compile(
    r"\b(signal(s|ed)?|suggest(s|ing)?|indicat(es|ing)|mean(s)?|shift|contrasts?)\b", re.IGNORECASE
)
DASH_ATTRIBUTED_HEADLINE = re.compile(r"\s[–—-]\s*[A-Z][\w.'’-]+( [A-Z][\w.'’-]+)?$")
_PREPOSITION_BEFORE = re.compile(
    r"\b(in|since|on|at|from|of|to|for|during|after|before|until|near|across|into)\s*$", re.IGNORECASE)
NAME = r"((?:[A-Z][\w.'’-]+\s)*(?:[A-Z][\w.'’-]+))"
_NOT_A_NAME = re.compile(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Today|Yesterday)\b")
# Cues whose source follows them ("according to the FT"); the others follow their source.
_SOURCE_AFTER = ("according to", "as outlined by", "as outlined in", "as reported by", "cited in", "cited by",
                 "quoted by", "speaking to")


# ---------------------------------------------------------------- the cue lexicon


class Cue(NamedTuple):
    """A reporting cue found in a unit: where it stands, its words, its lemma and stance."""

    start: int
    end: int
    text: str
    lemma: str
    stance: str


class _Entry(NamedTuple):
    rest: tuple[str, ...]  # the words after the first one ("out" in "point out")
    lemma: str
    stance: str
    kind: str  # "verb", "phrase" or "attitude" (an adjective after a form of "be")
    participle: bool  # the first word can be a past participle (a passive "is expected")
    noun: bool  # the first word can also be a noun ("report", "claims")


_WORD = re.compile(r"[A-Za-z]+")
# Words before a cue's form that make it a noun ("the report", "his claims").
_DETERMINERS = frozenset("a an the this these those his her its their our my your any no every each such".split())
_BE = frozenset("is are was were be been being".split())


def _lexicon_data(name: str) -> dict:
    return json.loads(resources.files("reportkit.lexicon").joinpath(name).read_text("utf-8"))


def _verb_forms(lemma: str) -> dict[str, tuple[bool, bool]]:
    """Every form of a verb lemma, each with whether it can be a past participle and whether a noun."""
    from lemminflect import getAllInflections, getAllInflectionsOOV, getAllLemmas

    inflections = getAllInflections(lemma, upos="VERB") or getAllInflectionsOOV(lemma, upos="VERB")
    participles = {lemma: False}
    for tag, words in inflections.items():
        for word in words:
            # lemminflect lists a regular past participle under VBD only ("blamed"); "was wrote" never occurs
            participles[word.lower()] = participles.get(word.lower(), False) or tag in ("VBN", "VBD")
    return {form: (participle, "NOUN" in getAllLemmas(form)) for form, participle in participles.items()}


@cache
def cue_index() -> dict[str, tuple[_Entry, ...]]:
    """First word of every cue form -> the cues it can start, longest first (built once, on first use)."""
    data = _lexicon_data("cues.json")
    index: dict[str, list[_Entry]] = {}
    for stance, lemmas in data["verbs"].items():
        for lemma in lemmas:
            head, *rest = lemma.split()
            for form, (participle, noun) in _verb_forms(head).items():
                index.setdefault(form, []).append(_Entry(tuple(rest), lemma, stance, "verb", participle, noun))
    for kind, section in (("phrase", "phrases"), ("attitude", "attitudes")):
        for stance, phrases in data[section].items():
            for phrase in phrases:
                head, *rest = phrase.split()
                index.setdefault(head, []).append(_Entry(tuple(rest), phrase, stance, kind, False, False))
    return {word: tuple(sorted(entries, key=lambda e: -len(e.rest))) for word, entries in index.items()}


# Words after which a form that can be a noun ("claim", "reports") is a verb: a subject pronoun,
# an auxiliary or "to".
_VERB_CONTEXT = frozenset("i we you they he she it who will would can could may might must should shall do does "
                          "did not also to has have had often repeatedly".split())
# Words that open an object or a clause after a verb ("analysts say the…", "officials fear they…").
_CLAUSE_OPENERS = _DETERMINERS | frozenset("i we you they he she it that there this more less fewer about nearly "
                                           "around roughly almost up".split())
# Words after which such a form is a noun ("claims of", "reports from").
_NOUN_FOLLOWERS = frozenset("of from by about for in on at over among with as and or were are have had".split())
_NOT_PLURAL = frozenset("was is has his its this as us does thus plus yes".split())
# Prepositions before such a form make it a noun ("amid worries", "despite claims").
_PREPOSITIONS = frozenset("amid of in with despite over after before about among against for from on at by".split())


def _word(words: list[re.Match], at: int) -> str:
    return words[at].group().lower() if 0 <= at < len(words) else ""


def _after_be(words: list[re.Match], at: int) -> bool:
    """The word at ``at`` follows a form of "be", perhaps with an adverb between ("were more sceptical")."""
    if _word(words, at - 1) in _BE:
        return True
    return _word(words, at - 2) in _BE and (_word(words, at - 1).endswith("ly") or _word(words, at - 1) in _DEGREE)


_DEGREE = frozenset("more less not far very quite so too".split())


def _verb_after_plural(words: list[re.Match], at: int, last: int, text: str) -> bool:
    """A base form (the cue's words from ``at`` to ``last``) after a plural subject and before an object or
    a clause: 'analysts say the…', 'officials estimate 300…', not 'terms as state treasurer'."""
    before = _word(words, at - 1)
    plural = before.endswith("s") and not before.endswith("ss") and before not in _NOT_PLURAL
    following = words[last + 1] if last + 1 < len(words) else None
    if following is None:
        return plural
    opens = (following.group()[0].isupper() or following.group().lower() in _CLAUSE_OPENERS
             or text[words[last].end(): following.start()].strip()[:1].isdigit())
    return plural and opens


def _reads_as_noun(words: list[re.Match], at: int, entry: _Entry, text: str) -> bool:
    """A form that can be a noun reads as one unless a subject, an auxiliary or 'that' marks it as a verb:
    'as state treasurer', 'claims of fraud' against 'officials claim', 'they report', 'estimate that'."""
    before, after = _word(words, at - 1), _word(words, at + 1 + len(entry.rest))
    if before in _VERB_CONTEXT or after == "that" or entry.rest[-1:] in (("to",), ("that",)):  # 'plans to'
        return False
    if before in _PREPOSITIONS:
        return True
    if words[at].group().lower() == entry.lemma.split()[0]:
        return not _verb_after_plural(words, at, at + len(entry.rest), text)
    return after in _NOUN_FOLLOWERS


def _not_a_cue(words: list[re.Match], at: int, entry: _Entry, end: int, text: str) -> bool:
    """A form of a cue that does not report here: a name's part ('United States'), a noun ('the report',
    'claims of'), a passive with no speaker ('is expected to'), or an attitude without 'be'."""
    word = words[at].group()
    if entry.kind == "attitude":
        return not _after_be(words, at)
    if entry.kind == "phrase" or at == 0:
        return False
    before = _word(words, at - 1)
    possessive = before == "s" and text[words[at - 1].start() - 1: words[at - 1].start()] in "'’"
    if word[0].isupper() or before in _DETERMINERS or possessive:  # 'the report', 'Trump's comments'
        return True
    if entry.noun and _reads_as_noun(words, at, entry, text):
        return True
    if entry.participle and _after_be(words, at):
        return not text[end:].lstrip().lower().startswith("by ")
    return False


def _match_entry(words: list[re.Match], at: int, entry: _Entry) -> int | None:
    """Index of the cue's last word when ``entry`` matches the words from ``at``, else None."""
    following = words[at + 1: at + 1 + len(entry.rest)]
    if tuple(w.group().lower() for w in following) != entry.rest:
        return None
    return at + len(entry.rest)


def find_cues(text: str) -> list[Cue]:
    """Every reporting cue in ``text``, in order ("said", "according to", "denied", "reportedly" …)."""
    index = cue_index()
    words = list(_WORD.finditer(text))
    cues: list[Cue] = []
    taken = -1  # the last word of the cue found so far ("as outlined by" holds "outlined")
    for at, word in enumerate(words):
        if at <= taken:
            continue
        for entry in index.get(word.group().lower(), ()):
            last = _match_entry(words, at, entry)
            if last is None:
                continue
            end = words[last].end()
            if not _not_a_cue(words, at, entry, end, text):  # else another reading may fit ('are worried')
                cues.append(Cue(word.start(), end, text[word.start(): end], entry.lemma, entry.stance))
                taken = last
                break
    if not cues:
        return cues
    silent = [m.span() for m in _non_statements().finditer(text.lower())]
    return [c for c in cues if not any(s <= c.start < e for s, e in silent)]


@cache
def _non_statements() -> re.Pattern:
    """Cues that report no content: 'declined to comment', 'asked not to be named' (``cues.json``)."""
    return re.compile("|".join(_lexicon_data("cues.json")["non_statements"]))  # read on lower-cased text


def find_cue(text: str) -> str | None:
    """The first reporting cue in ``text`` ("said", "according to", "alleging" …), or None."""
    cues = find_cues(text)
    return cues[0].text if cues else None


def cue_stances() -> dict[str, str]:
    """Every cue lemma (and phrase) of the lexicon with its stance."""
    return {entry.lemma: entry.stance for entries in cue_index().values() for entry in entries}


# ---------------------------------------------------------------- furniture patterns


@cache
def furniture_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """(kind, compiled pattern) for each pattern of ``lexicon/furniture.json``, case ignored.

    A pattern that asks for a capital letter somewhere ('(?-i:[A-Z])') is compiled with IGNORECASE
    and read against the text as it stands; the others, written in lower case, are compiled without
    it and read against the lower-cased text, which is several times faster.
    """
    anchors = {"line": r"^(?:{})$", "start": r"^(?:{})", "anywhere": "{}"}
    compiled = []
    for p in _lexicon_data("furniture.json")["patterns"]:
        pattern = anchors[p["where"]].format(p["pattern"])
        compiled.append((p["kind"], re.compile(pattern, re.IGNORECASE if "(?-i:" in pattern else 0)))
    return tuple(compiled)


@cache
def _anywhere_max_words() -> int:
    return int(_lexicon_data("furniture.json")["anywhere_max_words"])


class _FurnitureTable(NamedTuple):
    anchored: re.Pattern  # every lower-case anchored pattern in one expression, group k<n> for pattern n
    others: tuple[tuple[int, re.Pattern, bool, bool], ...]  # (n, pattern, on the text as it stands, anchored)


@cache
def _furniture_table() -> _FurnitureTable:
    """The patterns arranged for speed: one match at the start for the anchored lower-case ones."""
    patterns = furniture_patterns()
    anchored = [n for n, (_, p) in enumerate(patterns) if p.pattern.startswith("^") and not p.flags & re.IGNORECASE]
    combined = re.compile("|".join(f"(?P<k{n}>{patterns[n][1].pattern[1:]})" for n in anchored))
    others = tuple((n, p, bool(p.flags & re.IGNORECASE), p.pattern.startswith("^"))
                   for n, (_, p) in enumerate(patterns) if n not in anchored)
    return _FurnitureTable(combined, others)


def furniture_kind(text: str) -> str | None:
    """What kind of page furniture ``text`` is ("editor's note", "credit" …), or None."""
    lower, table, kinds = text.lower(), _furniture_table(), furniture_patterns()
    found = table.anchored.match(lower)
    hits = [int(found.lastgroup[1:])] if found and found.lastgroup else []
    short = len(text.split()) <= _anywhere_max_words()
    hits += [n for n, pattern, as_is, anchored in table.others
             if (anchored or short) and pattern.search(text if as_is else lower)]
    return kinds[min(hits)][0] if hits else None


# ---------------------------------------------------------------- quotation marks


class QuoteScan(NamedTuple):
    """The quoted stretches of a unit (marks included) and whether a quotation is still open at its end."""

    spans: list[tuple[int, int]]
    ends_open: bool


_DOUBLE = re.compile(r"[“”\"]|``|''")
_SINGLE = re.compile(r"‘[^’]*’(?!\w)|(?<!\w)'[^']+'(?!\w)")


def _opens(text: str, at: int, inside: bool) -> bool:
    """Whether the quotation mark at ``at`` opens a quotation (straight marks are read from their neighbours)."""
    mark = text[at]
    if mark != '"':
        return mark in "“`"
    before = text[at - 1] if at else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    if inside:
        return before in " \t([—–-" and not after.isspace()
    return not (not before.isspace() and before not in "([—–-" and (after.isspace() or after in ",.;:!?)—–-"))


def scan_quotes(text: str, inside: bool = False) -> QuoteScan:
    """Quoted stretches of ``text``; ``inside``: the unit starts inside a quotation opened before it.

    A closing mark with no opening one closes a quotation that began before the unit (the segmenter
    cut a quotation of several sentences).
    """
    spans: list[tuple[int, int]] = []
    start = 0 if inside else None
    for match in _DOUBLE.finditer(text):
        at = match.start()
        if start is None:
            if _opens(text, at, False):
                start = at
            else:
                spans.append((0, match.end()))
        elif not _opens(text, at, True):
            spans.append((start, match.end()))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    for match in _SINGLE.finditer(text):
        if not any(s <= match.start() < e for s, e in spans):
            spans.append(match.span())
    return QuoteScan(sorted(spans), start is not None)


def quoted_share(text: str, inside: bool = False) -> float:
    """Share of the sentence's letters that stand inside quotation marks."""
    return sum(e - s for s, e in scan_quotes(text, inside).spans) / max(1, len(text))


@cache
def _after_quote_verbs() -> re.Pattern:
    """Every form of the verbs that attribute only right after a quotation ("he continued")."""
    forms = set()
    for lemma in _lexicon_data("cues.json")["after_quote"]:
        head, *rest = lemma.split()
        forms |= {" ".join([form, *rest]) for form in _verb_forms(head)}
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, forms), key=len, reverse=True)) + r")\b")


def _attribution_after(text: str, close: int, cues: list[Cue]) -> bool:
    """A cue within a few words after the quotation closes, with no sentence break or new quotation before it."""
    starts = [c.start for c in cues if c.start >= close][:1]
    verb = _after_quote_verbs().search(text, close)
    starts += [verb.start()] if verb else []
    if not starts:
        return False
    between = text[close: min(starts)]
    # "." is allowed: titles and initials ("Sen. Lindsey Graham (R-S.C.) said"); the segmenter has cut sentences.
    return len(between.split()) <= 12 and not re.search(r"[?!;“”\"]", between)


def _attribution_before(text: str, open_at: int, cues: list[Cue]) -> bool:
    """The quotation is introduced by a colon, or follows a cue ('Reddick said, "Nobody…').

    A partial quote ('said the plan was "a wish list"') has neither."""
    before = text[:open_at].rstrip()
    if before.endswith(":"):
        return True
    return any(0 <= len(before.rstrip(",")) - c.end <= 12 for c in cues)


# A conjunction before a quotation that opens the sentence ('But "we will not stop," he said').
_CONJUNCTION_LEAD = re.compile(r"(?i)(but|and|still|yet|so|or|now|then|however)\b,?\s*$")


def _quote_reason(text: str, scan: QuoteScan, cues: list[Cue]) -> str | None:
    """Why the unit is a direct quote, or None."""
    if not scan.spans:
        return None
    if sum(e - s for s, e in scan.spans) / max(1, len(text)) >= 0.5:
        return "most of the sentence is inside quotation marks"
    outside = [c for c in cues if not any(s <= c.start < e for s, e in scan.spans)]
    first_start, first_end = scan.spans[0]
    # Punctuation inside the closing mark ("…," he said) or, in British style, a comma right after it.
    closed_sentence = (text[:first_end].rstrip("”\"'`")[-1:] in tuple(",.?!…—–-")
                       or text[first_end:].lstrip().startswith(","))
    opens_unit = first_start == 0 or _CONJUNCTION_LEAD.match(text[:first_start])
    if opens_unit and closed_sentence and _attribution_after(text, first_end, outside):
        return "a quotation opening the sentence, attributed after it"
    last_start, last_end = scan.spans[-1]
    to_the_end = not text[last_end:].strip(" .,;!?)")
    if to_the_end and text[last_start + 1: last_start + 2].isupper() and _attribution_before(text, last_start,
                                                                                             outside):
        return "an attribution, then the quotation to the end of the sentence"
    return None


# ---------------------------------------------------------------- proposals


@dataclass(frozen=True)
class Proposal:
    id: str
    label: str
    source: str | None
    cue: str | None
    cue_stance: str | None
    reason: str
    text: str = ""


Rule = Callable[[str, "Proposal | None"], "str | None"]


class RuleError(Exception):
    """A learner's rule failed on a sentence (it raised, or returned something that is not a label)."""

    def __init__(self, message: str, sentence_id: str, rule_name: str) -> None:
        super().__init__(message)
        self.sentence_id = sentence_id
        self.rule_name = rule_name


def _source_after(text: str, cue: Cue) -> str | None:
    after = text[cue.end:]
    found = re.match(r"\s*(?:an? (?:report|interview|article|statement) (?:by|in|with|from) )?(?:the )?" + NAME,
                     after)
    if not found:
        return None
    name = found.group(1).rstrip(".")
    if name.endswith(("’s", "'s")):  # "according to Ostrel's defence ministry": the ministry speaks
        owned = re.match(r"(?:\s[a-z][\w-]*){1,3}", after[found.end():])
        return name + owned.group() if owned else name
    return name


def _source_before(before: str) -> str | None:
    found = re.search(NAME + r"(?:\s(?:also|recently|later|then|has|had|have))?\s*,?\s*$", before)
    # "Russia's reported use" is not a speaker, nor is a place or a date ("Diplomats in Kastelgrad
    # said", "…since January, said"): a name right after a preposition is not the one speaking.
    if found and not found.group(1).endswith(("’s", "'s")) and not _PREPOSITION_BEFORE.search(
            before[: found.start()]):
        name = found.group(1)
        return name.lower() if name.lower() in ("he", "she", "they", "it") else name
    pronoun = re.search(r"\b(he|she|they|it)\s*$", before, re.IGNORECASE)
    if pronoun:
        return pronoun.group(1).lower()
    # A short noun phrase opening the sentence: "A former ambassador suggested…", "Diplomats in Kastelgrad said…"
    phrase = before.strip(" ,")
    if not phrase or len(phrase.split()) > 5 or "," in phrase:
        return None
    opens = re.match(r"(?i)(the|a|an|one|some)\b", phrase) or re.match(r"[A-Z][a-z]+s\b", phrase)
    return phrase if opens else None


def _source(text: str, cue: Cue) -> str | None:
    """Who speaks through ``cue``: the name after "according to", else the subject before the cue, else the
    name right after it ('said Hanna Oduya')."""
    if cue.lemma in _SOURCE_AFTER:
        return _source_after(text, cue)
    found = _source_before(text[: cue.start])
    if found or not cue.lemma[:1].isalpha():
        return found
    inverted = re.match(r"\s+" + NAME, text[cue.end:])
    return inverted.group(1) if inverted and not _NOT_A_NAME.match(inverted.group(1)) else None


_SMALL_WORDS = frozenset("a an the and or but of in on at to for by with from as is vs".split())


def _is_headline(stripped: str) -> bool:
    """Title Case words, no sentence punctuation at the end: a headline, here a teaser's."""
    if re.search(r"[.!?:;,”\"]$", stripped):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", stripped) if w.lower() not in _SMALL_WORDS]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _furniture_reason(stripped: str, seen_before: set[str] | None) -> str | None:
    kind = furniture_kind(stripped)
    if kind or (seen_before is not None and stripped in seen_before):
        return f"furniture pattern ({kind})" if kind else "a line the page repeats"
    if DASH_ATTRIBUTED_HEADLINE.search(stripped) and not stripped.endswith((".", "?", "!", "”", '"')):
        return "headline with a dash attribution (teaser)"
    if len(stripped.split()) <= 6 and not re.search(r"[.!?”\"]$", stripped):
        return "short line without sentence punctuation"
    if _is_headline(stripped):
        return "a headline: title case, no full stop (a teaser)"
    return None


def propose(sentence_id: str, text: str, seen_before: set[str] | None = None, *, inside_quote: bool = False
            ) -> Proposal:
    """Propose a label, source and cue for one sentence, with the rule that fired.

    ``inside_quote``: the sentence starts inside a quotation that an earlier unit opened.
    """
    stripped = text.strip()
    return replace(_propose(sentence_id, stripped, seen_before, scan_quotes(stripped, inside_quote)), text=text)


def _propose(sentence_id: str, stripped: str, seen_before: set[str] | None, scan: QuoteScan) -> Proposal:
    furniture = _furniture_reason(stripped, seen_before)
    if furniture:
        return Proposal(sentence_id, "furniture", None, None, None, furniture)
    cues = find_cues(stripped)
    # The first cue with an identifiable source wins ("Russia's reported use…, Zelensky told…").
    sourced = [(c, _source(stripped, c)) for c in cues]
    cue, source = next(((c, src) for c, src in sourced if src), (cues[0], None) if cues else (None, None))
    attributed = Proposal(sentence_id, "reported", source, cue.text if cue else None, cue.stance if cue else None, "")
    quote = _quote_reason(stripped, scan, cues)
    if quote:
        return replace(attributed, label="quote", reason=quote)
    if cue:
        if OBSERVERS.search(stripped[: cue.start] + " " + (source or "")):
            return replace(attributed, label="analysis", reason="cue with an observer as source")
        if cue.lemma.startswith("as outlined by") and INTERPRETIVE.search(stripped):
            return replace(attributed, label="analysis", reason="an outlet's interpretation")
        return replace(attributed, reason="reporting cue")
    if OBSERVERS.search(stripped) and re.search(r"\b(attribute|assess|believe|expect)\w*\b", stripped, re.I):
        return Proposal(sentence_id, "analysis", None, None, None, "observer with a verb of assessment")
    return Proposal(sentence_id, "narration", None, None, None, "no quotation, no cue: the reporter's voice")


def _rule_name(rule: Callable) -> str:
    name = getattr(rule, "__name__", None) or type(rule).__name__
    return "your lambda rule" if name == "<lambda>" else f"rule {name}"


def _rule_line(rule: Callable, error: BaseException) -> str:
    """' (line N of the rule)' for the innermost frame of the traceback that is in the rule's cell."""
    code = getattr(rule, "__code__", None)
    line = None
    tb = error.__traceback__
    while tb is not None:
        if code is not None and tb.tb_frame.f_code.co_filename == code.co_filename:
            line = tb.tb_lineno - code.co_firstlineno + 1
        tb = tb.tb_next
    return f" (line {line} of the rule)" if line else ""


def _short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _apply(rule: Callable, proposal: Proposal, previous: Proposal | None) -> Proposal:
    name = _rule_name(rule)
    where = f"{proposal.id} (“{_short(proposal.text)}”)"
    try:
        label = rule(proposal.text, previous)
    except Exception as error:  # noqa: BLE001 - the learner's code may raise anything
        raise RuleError(f"{name} raised {type(error).__name__}: {_short(str(error), 120)}{_rule_line(rule, error)} "
                        f"on {where}.", proposal.id, name) from None
    if label is None:
        return proposal
    if not isinstance(label, str) or label not in LABELS:
        raise RuleError(f"{name} returned {label!r} on {where}; a rule returns one of "
                        f"{', '.join(LABELS)}, or None to leave the baseline's label.", proposal.id, name)
    if label == proposal.label:
        return proposal
    return replace(proposal, label=label, reason=f"{name} (the baseline said {proposal.label})")


_OPEN_QUOTE_UNITS = 4  # units a quotation may run on without a mark


def propose_all(sentences: Iterable[tuple[str, str]], extra_rules: Iterable[Rule] = ()) -> list[Proposal]:
    """Proposals for (id, text) pairs in article order; repeated lines count as furniture.

    A quotation left open at the end of a unit goes on in the next (a quotation the segmenter cut
    into sentences), for at most ``_OPEN_QUOTE_UNITS`` units without a mark, so a stray mark
    cannot turn the rest of a page into quotes.

    ``extra_rules`` are applied in order after the baseline, unit by unit (see the module's
    docstring); a rule that raises or returns something that is not a label stops the run with
    a :class:`RuleError` that names the rule and the sentence.
    """
    rules = list(extra_rules)
    seen: set[str] = set()
    proposals: list[Proposal] = []
    inside, unmarked = False, 0
    for sid, text in sentences:
        stripped = text.strip()
        scan = scan_quotes(stripped, inside)
        proposal = replace(_propose(sid, stripped, seen, scan), text=text)
        previous = proposals[-1] if proposals else None
        for rule in rules:
            proposal = _apply(rule, proposal, previous)
        proposals.append(proposal)
        seen.add(stripped)
        unmarked = unmarked + 1 if inside and not _DOUBLE.search(stripped) else 0
        inside = scan.ends_open and proposal.label != "furniture" and unmarked < _OPEN_QUOTE_UNITS
    return proposals


def propose_article(article: Any, extra_rules: Iterable[Rule] = ()) -> list[Proposal]:
    """:func:`propose_all` on every unit of an article (anything with ``.sentences`` of id and text)."""
    return propose_all([(s.id, s.text) for s in article.sentences], extra_rules)

@dataclass(frozen=True)
class Scores:
    precision: dict[str, float]
    recall: dict[str, float]
    f1: dict[str, float]
    support: dict[str, int]
    accuracy: float
    confusion: dict[tuple[str, str], int]  # (key label, proposed label) -> count


def evaluate(gold: dict[str, str], proposed: dict[str, str], labels: list[str]) -> Scores:
    """Per-label precision, recall and F1 of ``proposed`` against ``gold`` (sentence id -> label)."""
    confusion = Counter((gold[sid], proposed.get(sid, "")) for sid in gold)
    precision, recall, f1, support = {}, {}, {}, {}
    for label in labels:
        tp = confusion[(label, label)]
        predicted = sum(n for (_, p), n in confusion.items() if p == label)
        actual = sum(n for (g, _), n in confusion.items() if g == label)
        precision[label] = tp / predicted if predicted else 0.0
        recall[label] = tp / actual if actual else 0.0
        both = precision[label] + recall[label]
        f1[label] = 2 * precision[label] * recall[label] / both if both else 0.0
        support[label] = actual
    accuracy = sum(n for (g, p), n in confusion.items() if g == p) / max(1, len(gold))
    return Scores(precision, recall, f1, support, accuracy, dict(confusion))


class Miss(NamedTuple):
    """A unit where the proposal differs from the key."""

    id: str
    key_label: str
    label: str
    reason: str


def misses(gold: dict[str, str], proposals: Iterable[Proposal]) -> list[Miss]:
    """(sentence id, key label, proposed label, the rule that fired) for each proposal the key disagrees with."""
    return [Miss(p.id, gold[p.id], p.label, p.reason) for p in proposals if p.id in gold and gold[p.id] != p.label]


@dataclass(frozen=True)
class Effect:
    """What extra rules changed against the key: units fixed, broken, and changed but still wrong."""

    fixed: list[str]
    broken: list[str]
    still_wrong: list[str]

    @property
    def changed(self) -> list[str]:
        return sorted(self.fixed + self.broken + self.still_wrong)


def effect(gold: dict[str, str], before: Iterable[Proposal], after: Iterable[Proposal]) -> Effect:
    """Compare two runs over the same units (the baseline, then the baseline with extra rules)."""
    old = {p.id: p.label for p in before}
    fixed, broken, still_wrong = [], [], []
    for p in after:
        if p.id not in gold or old.get(p.id) == p.label:
            continue
        if p.label == gold[p.id]:
            fixed.append(p.id)
        elif old.get(p.id) == gold[p.id]:
            broken.append(p.id)
        else:
            still_wrong.append(p.id)
    return Effect(fixed, broken, still_wrong)
