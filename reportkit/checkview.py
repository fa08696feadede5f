"""How a check cell shows its verdict: one short coloured box, no traceback, and a cell that still fails.

A wrong answer raises :class:`CheckFailed` so that nbval (and the grader) see the cell fail. In a
Jupyter kernel, :func:`install` registers IPython's custom-exception handler for it: the handler
publishes an error with no traceback lines, so the learner sees only the box the check displayed.
"""

from __future__ import annotations

import html
from typing import Any

RESULT_MIME = "application/vnd.reportkit.check+json"

# (border colour, background tint, mark, heading) by outcome; the tints are translucent so the box
# reads on light and dark themes alike, and the mark and heading carry the meaning without colour.
_STYLES = {
    "right": ("#1b7f3b", "rgba(27,127,59,.13)", "✔", "Right"),
    "wrong": ("#c05a00", "rgba(192,90,0,.13)", "✘", "Not yet"),
    "recorded": ("#0072b2", "rgba(0,114,178,.12)", "✔", "Recorded"),
    "prompt": ("#0072b2", "rgba(0,114,178,.12)", "✎", "Your turn"),
}
_BOX = ("border-left:4px solid {border};background:{background};padding:.45em .8em;margin:.25em 0;"
        "border-radius:4px;font-family:var(--jp-content-font-family,system-ui,sans-serif);"
        "font-size:var(--jp-content-font-size1,14px);line-height:1.45;color:var(--jp-content-font-color1,inherit);"
        "white-space:normal;overflow-wrap:break-word;max-width:52em")


class CheckFailed(AssertionError):
    """A check whose answer is not right yet: the cell fails (nbval), the box above says why."""

    def _render_traceback_(self) -> list[str]:  # outside our handler IPython shows this one line
        return [str(self)]


def outcome(result: Any) -> str:
    if getattr(result, "form_only", False):
        return "recorded"
    return "right" if result.passed else "wrong"


# In JupyterLab, the failed cell's error output (one line, no traceback) sits right after the box that
# explains it: hide it there. Other frontends show that one line.
_HIDE_ERROR = ("<style>.jp-OutputArea-child:has(.reportkit-check-wrong) ~ .jp-OutputArea-child:has("
               "[data-mime-type='application/vnd.jupyter.stderr']){display:none}</style>")


def render_html(result: Any, kind: str | None = None) -> str:
    """The box: a heading line, then one paragraph per line of the message (``kind``: the outcome's style)."""
    kind = kind or outcome(result)
    border, background, mark, heading = _STYLES[kind]
    first, *rest = str(result.message).split("\n")
    paragraphs = "".join(f'<p style="margin:.3em 0 0">{_line(line)}</p>' for line in rest if line.strip())
    box = (f'<div class="reportkit-check reportkit-check-{kind}" '
           f'style="{_BOX.format(border=border, background=background)}">'
           f'<b>{mark} {heading}</b> · {html.escape(first)}{paragraphs}</div>')
    return box + (_HIDE_ERROR if kind == "wrong" else "")


def _line(line: str) -> str:
    """A message line, with its lead-in ("Hint:", "The key says …:") in bold."""
    for lead in ("Hint:", "Why:", "In ", "The key"):
        if line.startswith(lead) and ":" in line:
            head, tail = line.split(":", 1)
            return f"<b>{html.escape(head)}:</b>{html.escape(tail)}"
    return html.escape(line)


def render_text(result: Any, kind: str | None = None) -> str:
    _, _, mark, heading = _STYLES[kind or outcome(result)]
    return f"{mark} {heading} · {result.message}"


def show(result: Any) -> None:
    """Display the box (HTML, with plain text for terminals and nbval) and the result for the grader."""
    try:
        from IPython.display import display
    except ImportError:  # plain Python: the printed text is enough
        print(render_text(result))
        return
    bundle = {RESULT_MIME: result.as_dict(), "text/html": render_html(result), "text/plain": render_text(result)}
    display(bundle, raw=True)


def install() -> None:
    """In an IPython kernel, show a failed check as its box only (no traceback); elsewhere do nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or CheckFailed in getattr(shell, "custom_exceptions", ()):
        return
    shell.set_custom_exc((CheckFailed,), _quiet_failure)


def _quiet_failure(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> list[str]:
    """Publish the error (so nbval fails the cell) as one line, without the traceback: the box explains."""
    line = [str(value)]
    shell._showtraceback(etype, value, line)
    return line
