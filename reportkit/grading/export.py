"""``python -m reportkit export REPORT --lms canvas --into gradebook-export.csv --column NAME --out import.csv``:
the kit's final totals written into the gradebook the school's LMS exported, ready to import back.

The LMS knows its roster and its assignment ids; the kit knows the learner ids (hand-in names). So
the input is the LMS's own export: each row's identity columns are compared with the learner ids
(Unicode NFC, case-insensitive), the chosen assignment column gets the learner's final total
(adjustments included), and the file keeps the identity columns the LMS needs to import it.

- Canvas (Grades → Export): identity columns ``SIS Login ID``, ``SIS User ID``, ``ID``, ``Student``;
  assignment headers read ``Name (12345)``; the ``Points Possible`` row is kept as it is.
- Moodle (Grades → Export → Plain text file): identity columns ``Username``, ``ID number``,
  ``Email address`` (and the part before its ``@``); grade headers read ``Assignment: Name (Real)``.
  Import it with Grades → Import → CSV file, mapping the identity column you matched on.

Rows of the LMS with no hand-in keep their cell empty (never a zero); learners the LMS does not list
are reported. Text cells are escaped against CSV injection (``model.csv_safe``).
"""

from __future__ import annotations

import argparse
import csv
import enum
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportkit.grading.model import csv_safe, normalise_id


class Lms(enum.Enum):
    """An LMS: its identity columns (tried in order) and the columns its import needs kept."""

    CANVAS = ("canvas", ("SIS Login ID", "SIS User ID", "ID", "Student"),
              ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Root Account", "Section"),
              ("Current ", "Final ", "Unposted ", "Override "))
    MOODLE = ("moodle", ("Username", "ID number", "Email address"),
              ("First name", "Last name", "Username", "ID number", "Institution", "Department", "Email address"),
              ("Course total", "Last downloaded"))

    def __init__(self, code: str, identities: tuple[str, ...], kept: tuple[str, ...],
                 computed: tuple[str, ...]) -> None:
        self.code = code
        self.identities = identities
        self.kept = kept
        self.computed = computed  # starts of the headers of columns the LMS computes (never imported)


CANVAS_EXTRA_ROWS = ("Points Possible", "Manual Posting", "Muted")  # rows about the assignment, not a learner


class ExportError(ValueError):
    """An LMS file or column that cannot be used (the message says what to give instead)."""


@dataclass
class Export:
    header: list[str]
    rows: list[list[str]]
    column: str
    filled: dict[str, str] = field(default_factory=dict)  # learner -> the LMS row's name, for the summary
    not_in_lms: list[str] = field(default_factory=list)
    no_handin: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


def _key(text: str) -> str:
    return normalise_id(text).casefold()


def _identities(row: dict[str, str], lms: Lms) -> set[str]:
    found = {_key(row.get(c) or "") for c in lms.identities} - {""}
    email = row.get("Email address") or ""
    if lms is Lms.MOODLE and "@" in email:
        found.add(_key(email.split("@", 1)[0]))
    return found


def assignment_column(header: list[str], lms: Lms, wanted: str | None) -> str:
    """The header of the assignment to fill: ``wanted`` exactly, or the one it names (``Name (id)``,
    ``Assignment: Name (Real)``)."""
    candidates = [h for h in header if h not in lms.kept and h not in lms.identities
                  and not h.startswith(lms.computed)]
    if wanted:
        exact = [h for h in candidates if h == wanted]
        named = [h for h in candidates if h.startswith(f"{wanted} (") or h.startswith(f"Assignment: {wanted} (")]
        if len(exact or named) == 1:
            return (exact or named)[0]
    listed = "; ".join(candidates) or "none"
    how = f"no single column named {wanted!r}" if wanted else "give the assignment's column with --column"
    raise ExportError(f"{how}. The LMS file's assignment columns: {listed}")


def _is_extra_row(row: dict[str, str], lms: Lms) -> bool:
    return lms is Lms.CANVAS and (row.get("Student") or "").strip() in CANVAS_EXTRA_ROWS


def _safe(value: str) -> str:
    """Numbers stay numbers (a "-2" is a score); any other text is escaped against CSV injection."""
    try:
        float(value)
        return value
    except ValueError:
        return csv_safe(value)


def fill(lms_rows: list[dict[str, str]], header: list[str], totals: dict[str, float], lms: Lms,
         column: str) -> Export:
    """The import file's rows: the identity columns the LMS needs, and ``column`` with the totals."""
    kept = [h for h in header if h in lms.kept or h in lms.identities] + [column]
    export = Export(kept, [], column)
    learners = {_key(name): name for name in totals}
    for row in lms_rows:
        values = dict(row)
        if not _is_extra_row(row, lms):
            match = sorted({learners[k] for k in _identities(row, lms) if k in learners})
            if len(match) == 1 and match[0] not in export.filled:
                values[column] = f"{totals[match[0]]:g}"
                export.filled[match[0]] = row.get(lms.kept[0]) or ""
            elif len(match) > 1 or (match and match[0] in export.filled):
                export.ambiguous.append(" / ".join(match))
                values[column] = ""
            else:
                export.no_handin.append(row.get(lms.kept[0]) or row.get(lms.identities[0]) or "?")
                values[column] = ""
        export.rows.append([_safe(values.get(h) or "") for h in kept])
    export.not_in_lms = sorted(name for name in totals if name not in export.filled)
    return export


def read_lms_file(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ExportError(f"{path}: cannot be read as UTF-8 CSV ({error})") from error
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    if not reader.fieldnames:
        raise ExportError(f"{path}: empty; export the gradebook from the LMS first")
    return list(reader.fieldnames), rows


def export_report(report: Path, lms: Lms, into: Path, out: Path, column: str | None) -> Export:
    """Write ``out`` from REPORT's results.json and the LMS's own export ``into``."""
    from reportkit.grading.resultsfile import load_results

    totals = {r.learner: r.total for r in load_results(report).learners}
    header, rows = read_lms_file(into)
    if not any(c in header for c in lms.identities):
        raise ExportError(f"{into}: none of {lms.code}'s identity columns ({', '.join(lms.identities)}); "
                          f"is it a {lms.code} gradebook export?")
    export = fill(rows, header, totals, lms, assignment_column(header, lms, column))
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_safe(h) for h in export.header])
        writer.writerows(export.rows)
    return export


def summary(export: Export) -> list[str]:
    lines = [f"filled {export.column!r} for {len(export.filled)} learner(s)"]
    if export.not_in_lms:
        lines.append(f"graded but not in the LMS file ({len(export.not_in_lms)}): {', '.join(export.not_in_lms)}")
    if export.no_handin:
        lines.append(f"in the LMS file, no graded hand-in, left empty ({len(export.no_handin)}): "
                     f"{', '.join(export.no_handin)}")
    if export.ambiguous:
        lines.append(f"matched more than one way, left empty: {', '.join(export.ambiguous)}")
    return lines


def cmd_export(args: argparse.Namespace) -> int:
    from reportkit.grading.resultsfile import ResultsError

    try:
        export = export_report(Path(args.report), Lms[args.lms.upper()], Path(args.into), Path(args.out),
                               args.column)
    except (ExportError, ResultsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for line in summary(export):
        print(line)
    print(f"import this file into {args.lms}: {args.out}")
    return 0


def register(subparsers: Any) -> None:
    """Add ``export`` to the kit's command line (called by reportkit.cli)."""
    p = subparsers.add_parser(
        "export", help="write a report's totals into the gradebook CSV your LMS exported (Canvas, Moodle)",
        description="Fill one assignment column of the gradebook your LMS exported with the final totals of "
                    "REPORT (matched by learner id), and write the file the LMS imports.")
    p.add_argument("report", metavar="REPORT", help="a report folder written by grade or merge")
    p.add_argument("--lms", choices=[x.code for x in Lms], required=True, help="the LMS the file comes from")
    p.add_argument("--into", metavar="CSV", required=True, help="the gradebook CSV exported from the LMS")
    p.add_argument("--column", metavar="NAME", help="the assignment to fill (its name or its full column header)")
    p.add_argument("--out", metavar="CSV", required=True, help="the file to import into the LMS (written)")
    p.set_defaults(func=cmd_export)
