"""The codebook as a handout (Markdown): labels, decision rules, and examples from an article.

Generated from ``data/codebook.json`` and an article's key, so the handout, the checks and the
key can never disagree. ``python -m reportkit codebook ARTICLE --out data/codebook.md``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from reportkit.article import Article, load_article
from reportkit.key import Label, keyed

INTRO = """\
# Codebook: who is speaking in a news report?

Every sentence on a news page does one of five jobs. Label each sentence with the **one** job that
describes its main content; where two labels are defensible, the key names the alternative and why.

Ask two questions (rule D1):

1. **Whose voice is it?** The page's (furniture), the reporter's (no source named), the newsmaker's
   or a participant's, or an outside observer's?
2. **In what form?** Inside quotation marks, or in the reporter's words?

Then decide, in this order: page furniture first; then **form decides for quotes** — when the main
content is inside quotation marks it is a direct quote, whoever speaks; then the voice: the newsmaker
or a participant makes a reported claim, an outside observer's reading is analysis, and with no
source it is the reporter's voice. Form decides first by convention, because a reader checks a quote
against the recording or transcript and a paraphrase against what the source meant. Words in the
[glossary](#glossary) are explained at the end.

Licence: CC BY 4.0. The examples are sentences quoted from the {outlet} article at {url},
for teaching; the article's text is not covered by the kit's licence.
"""

STANCES_INTRO = """\
## Cue words and what they signal

The reporting cue tells you more than who spoke:

| stance | what it does, with cues |
|---|---|
"""

CHANNEL = """
Also write down the **channel**: who said it first, and through which outlets it reached this page
(for example *{example}*), and the **hedges**
(“around”, “estimated”, “evidence suggests”, “might”).
"""


def channel_example(article: Article) -> str:
    """The longest chain in the article's key (the first, if several are as long), as 'A → B → page';
    a neutral one without the key, or when no claim travels through another outlet."""
    lengths = {entry.attribution.channel: len(entry.attribution.channel) for entry in article.key or ()}
    longest = max(lengths, key=lambda chain: lengths[chain], default=())
    if len(longest) >= 3:
        return " → ".join(longest)
    return f"the speaker → the outlet they spoke to → {article.outlet}"


def _quote(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def render(article: Article) -> str:
    """The handout for ``article``: every label, every rule, each rule's examples from the key."""
    codebook = article.codebook
    lines = [INTRO.format(outlet=article.outlet, url=article.url), "## The five labels", ""]
    lines += ["| label | key | ask | definition |", "|---|---|---|---|"]
    for label in codebook.labels:
        lines.append(f"| **{label.name}** (`{label.id}`) | {label.shortcut} | {label.question} | {label.definition} |")
    lines.append("")
    lines.append("## Decision rules, with examples from the article")
    groups: list[Label | None] = [*codebook.labels, None]
    for group in groups:
        rules = [r for r in codebook.rules if r.label == (group.id if group else "any")]
        if not rules:
            continue
        lines += ["", f"### {group.name if group else 'For every label'}", ""]
        for rule in rules:
            lines.append(f"**{rule.id} — {rule.title}.** {rule.text}")
            examples = [e for e in keyed(article.key) if rule.id in e.rules]
            for entry in examples[:3]:
                sentence = article.sentence(entry.id)
                also = "".join(f"; also defensible: {a.label}" for a in entry.accepted)
                lines.append(f"- **{entry.id} → {entry.label}{also}.** *{_quote(sentence.text)}* — {entry.rationale}")
            lines.append("")
    doc = json.loads((article.root / "data" / "codebook.json").read_text("utf-8"))
    stances = doc.get("cue_stances", {})
    lines.append(STANCES_INTRO + "".join(f"| {name} | {text} |\n" for name, text in stances.items())
                 + CHANNEL.format(example=channel_example(article)))
    lines += glossary(doc.get("glossary", {}))
    return "\n".join(lines).rstrip() + "\n"


def glossary(terms: dict[str, str]) -> list[str]:
    """The glossary section (anchor ``#glossary``), one line per term."""
    if not terms:
        return []
    heading = ["", '<a id="glossary"></a>', "", "## Glossary", ""]
    return heading + [f"- **{term}**: {text}" for term, text in terms.items()]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("codebook", help="write the codebook handout (Markdown) for an article",
                              description="Render the codebook with the article's sentences as examples.")
    p.add_argument("article", metavar="ARTICLE")
    p.add_argument("--out", type=Path, help="write here instead of printing (e.g. data/codebook.md)")
    p.set_defaults(func=_cmd_codebook)


def _cmd_codebook(args: argparse.Namespace) -> int:
    text = render(load_article(args.article))
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0
