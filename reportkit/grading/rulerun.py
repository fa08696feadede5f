"""Step 5b — run a learner's rule answer again, by the grader, inside the sandbox.

``python -m reportkit.grading.rulerun JOB.json OUT.json``. JOB holds the baseline's proposals
(computed by the grader, outside the sandbox), the learner's cells that define the rule, and
the check's expression. This program runs those cells, takes the rule, and writes what
:func:`reportkit.checks.record_rule` would record: the labels after the rule, or the error it
raised, its source and its evidence. The grader scores that with the key, outside; patching the
kit's modules in the learner's kernel changes nothing here.
"""

from __future__ import annotations

import json
import sys
import types
from typing import Any


def _python(source: str) -> str:
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - no IPython, or a transformer bug: the raw source
        return source


def _define(cells: list[str], expr: str) -> Any:
    """Run the learner's cells (each on its own; one that fails does not stop the rest)."""
    import linecache

    namespace: dict[str, Any] = {"__name__": "__main__", "display": lambda *a, **k: None}
    for n, source in enumerate(cells):
        code = _python(source)
        name = f"<answer cell {n + 1}>"  # registered, so that inspect.getsource finds the rule's text
        linecache.cache[name] = (len(code), None, code.splitlines(keepends=True), name)
        try:
            exec(compile(code, name, "exec"), namespace)  # noqa: S102 - sandboxed
        except BaseException:  # noqa: BLE001 - learner code; SystemExit included
            continue
    return eval(expr, namespace)  # noqa: S307 - the release's own check expression, in the sandbox


def run(job: dict[str, Any]) -> dict[str, Any]:
    """The record of the rule in ``job``, computed here (see the module's docstring)."""
    from reportkit.baseline import Proposal, RuleError, _apply
    from reportkit.checks import _MAX_SOURCE, _MAX_STRINGS, _rule_source, _takes_two_arguments, rule_evidence

    proposals = [Proposal(**p) for p in job["proposals"]]  # taken before learner code runs
    try:
        rule = _define(job["cells"], job["expr"])
    except BaseException as error:  # noqa: BLE001
        return {"name": "rule", "source": None, "strings": [], "reads": [], "signature_ok": False,
                "defined": False, "error": f"the rule could not be defined: {type(error).__name__}: {error}"}
    if not isinstance(rule, types.FunctionType):
        return {"name": "rule", "source": None, "strings": [], "reads": [], "signature_ok": False,
                "defined": False, "error": "the answer is not a function"}
    source = _rule_source(rule)
    evidence = rule_evidence(rule)
    record: dict[str, Any] = {"name": rule.__name__, "source": source[:_MAX_SOURCE] if source else None,
                              "strings": list(evidence.strings[:_MAX_STRINGS]), "reads": list(evidence.reads),
                              "signature_ok": _takes_two_arguments(rule), "defined": True}
    if record["signature_ok"]:
        try:
            final: list[Any] = []
            for proposal in proposals:
                final.append(_apply(rule, proposal, final[-1] if final else None))
        except RuleError as error:
            record["error"] = str(error)
        else:
            record["labels"] = {p.id: p.label for p in final}
    return record


def main(argv: list[str] | None = None) -> int:
    job_path, out_path = (argv or sys.argv[1:])[:2]
    with open(job_path, encoding="utf-8") as handle:
        job = json.load(handle)
    record = run(job)
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
