"""Segmentation of tricky cases: the units learners label must be the sentences a reader sees."""

from __future__ import annotations

import pytest

from reportkit.segment import paragraphs, segment, sentence_records

CASES = [
    ("abbreviation U.S.", "The U.S. said it would help. Officials agreed.",
     ["The U.S. said it would help.", "Officials agreed."]),
    ("straight quotes spanning sentences", '"We will not give up. Never," she said. Then she left.',
     ['"We will not give up. Never," she said.', "Then she left."]),
    ("curly quotes spanning sentences",
     "“Our army is tired. That is true,” he said, referring to the front. Talks went on.",
     ["“Our army is tired. That is true,” he said, referring to the front.", "Talks went on."]),
    ("outlet name with a dot", "He spoke to Table.Briefings on Monday. It was brief.",
     ["He spoke to Table.Briefings on Monday.", "It was brief."]),
    ("thousands separator", "About 12,000 troops arrived. More may follow.",
     ["About 12,000 troops arrived.", "More may follow."]),
    ("time with p.m.", "The meeting ended at 3 p.m. on Friday. Talks resume today.",
     ["The meeting ended at 3 p.m. on Friday.", "Talks resume today."]),
    ("dash-attributed headline", "Zelensky and Putin Will Have a Strategy to Get Trump on Their Side – Kuleba",
     ["Zelensky and Putin Will Have a Strategy to Get Trump on Their Side – Kuleba"]),
    ("colon-introduced quote", "He put it simply: “We need weapons. Now.” The room was silent.",
     ["He put it simply: “We need weapons. Now.”", "The room was silent."]),
    ("single quotes", "'It is over,' he said. 'We lost.'", ["'It is over,' he said.", "'We lost.'"]),
    ("decimal number", "The figure rose 3.5 percent. Analysts were surprised.",
     ["The figure rose 3.5 percent.", "Analysts were surprised."]),
    ("bracketed insertion", "“You need younger [conscription age]. I said no,” he stated. Then he left.",
     ["“You need younger [conscription age]. I said no,” he stated.", "Then he left."]),
    # A quotation left open at a paragraph's end (AP style) is cut into sentences; the baseline carries
    # the open quotation from unit to unit (tests/test_baseline.py), so the cut is right as it is.
    ("open quotation cut into sentences", '"That is a lot to ask. But nobody wants rationing.',
     ['"That is a lot to ask.', "But nobody wants rationing."]),
    ("trailing attribution with a long apposition",
     '"Both sides have dug in," said Paulo Ferrant, a labour economist who has studied port disputes. Ships wait.',
     ['"Both sides have dug in," said Paulo Ferrant, a labour economist who has studied port disputes.',
      "Ships wait."]),
]


def test_known_limit_a_quotation_after_a_closing_mark_is_not_cut():
    # pySBD keeps 'was "a wish list." "We will…' together: the unit holds a claim and a quote, and a
    # labeller's two units become one segment (dev-politics-budget). Recorded, not corrected: a fix
    # belongs in the segmenter's corrections, and changing the cut would renumber existing articles.
    text = 'He said the plan was "a wish list." "We will pass a budget," he said.'
    assert len(segment(text)) == 1


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tricky_sentences(name, text, expected):
    spans = segment(text)
    assert [s.text for s in spans] == expected
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_paragraphs_are_non_empty_lines_and_offsets_are_exact():
    text = "First line.\n\n  Second para. Two.  \nThird\n"
    spans = segment(text)
    expected = [(1, "First line."), (2, "Second para."), (2, "Two."), (3, "Third")]
    assert [(s.paragraph, s.text) for s in spans] == expected
    assert paragraphs(text) == [(0, 11), (15, 32), (35, 40)]


def test_corrections_merge_and_split_are_replayed():
    text = "Mr. Brown. Smith said so. Then it rained and the match ended."
    plain = [s.text for s in segment(text)]
    merged = [s.text for s in segment(text, [{"action": "merge", "at": text.index("Smith"), "why": "x"}])]
    assert len(merged) == len(plain) - 1
    at = text.index("the match")
    split = [s.text for s in segment(text, [{"action": "split", "at": at, "why": "x"}])]
    assert split[-2:] == ["Then it rained and", "the match ended."]


def test_continuing_quotation_is_linked_to_its_attributed_sentence():
    text = "“We are strong. That is true,” he said. “We will win.” Then he left."
    records = sentence_records(text)
    assert [r.get("continues") for r in records] == [None, "s01", None]
