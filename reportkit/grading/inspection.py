"""Step 3 — inspection: does an answer cell touch the grading machinery?

The grader does not rely on this to be safe: learner code runs in the sandbox and is never
trusted for a score (answers are recorded and scored outside). It tells the instructor who
tried, with the line.
"""

from __future__ import annotations

import ast

GUARDED_NAMES = {"check", "Checker", "ARTICLE", "score", "Tagger", "tagger"}
INTROSPECTION_ATTRS = {"__closure__", "__globals__", "__code__", "__builtins__", "__call__",
                       "__defaults__", "__kwdefaults__"}
SHELL_ATTRS_OK = {"run_line_magic", "run_cell_magic", "system", "getoutput"}
SUSPECT_MODULES = {"builtins", "gc", "ctypes", "importlib", "sys"}


def _python_source(source: str) -> str:
    """IPython syntax (magics, ``!cmd``) turned into Python, so the AST can read the cell."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - no IPython, or a transformer bug: use the raw source
        return source


def inspect_answer(source: str, reportkit_names: set[str]) -> list[str]:
    """Why this answer cell touches the grading machinery; empty if it does not.

    ``reportkit_names`` are names bound to reportkit modules/objects in the notebook's setup.
    The grader does not rely on this to be safe (it never calls the learner's ``check``);
    it tells the instructor who tried.
    """
    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return []
    # The cell's own imports of the kit count too: `import reportkit.baseline as b; b.f = …`.
    guarded = GUARDED_NAMES | reportkit_names | {"reportkit"} | _kit_imports(tree)
    found: list[str] = []

    def root_name(node: ast.AST) -> str | None:
        while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
            node = node.func if isinstance(node, ast.Call) else node.value
        return node.id if isinstance(node, ast.Name) else None

    def target_names(target: ast.AST) -> list[ast.AST]:
        if isinstance(target, (ast.Tuple, ast.List)):
            return [t for e in target.elts for t in target_names(e)]
        return [target]

    for node in ast.walk(tree):
        line = getattr(node, "lineno", "?")
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = [t for tg in node.targets for t in target_names(tg)]
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        elif isinstance(node, (ast.NamedExpr,)):
            targets = [node.target]
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            targets = target_names(node.target)
        for target in targets:
            name = root_name(target)
            if isinstance(target, ast.Name) and target.id in guarded:
                found.append(f"line {line}: assigns `{target.id}`")
            elif name and (name in guarded or name.startswith("_rk_")) and not isinstance(target, ast.Name):
                found.append(f"line {line}: changes `{ast.unparse(target)}`")
            elif name and name.startswith("_rk_"):
                found.append(f"line {line}: assigns the grader's name `{name}`")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in guarded:
            found.append(f"line {line}: defines `{node.name}`")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                full = f"{module}.{alias.name}" if module else alias.name
                if bound in guarded and not full.startswith("reportkit"):
                    found.append(f"line {line}: imports something as `{bound}`")
                if full.split(".")[0] in SUSPECT_MODULES and full.split(".")[0] != "sys":
                    found.append(f"line {line}: imports `{full}`")
        if isinstance(node, ast.Attribute):
            if node.attr in INTROSPECTION_ATTRS:
                found.append(f"line {line}: uses `.{node.attr}`")
            if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                found.append(f"line {line}: uses `sys.modules`")
            if (isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                    and node.value.func.id == "get_ipython" and node.attr not in SHELL_ATTRS_OK):
                found.append(f"line {line}: uses `get_ipython().{node.attr}`")
        if isinstance(node, ast.Name) and node.id in ("__builtins__", "__import__"):
            found.append(f"line {line}: uses `{node.id}`")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("setattr", "delattr") and node.args and root_name(node.args[0]) in guarded:
                found.append(f"line {line}: calls `{node.func.id}` on `{ast.unparse(node.args[0])}`")
            if node.func.id in ("globals", "vars", "exec", "eval", "compile"):
                found.append(f"line {line}: calls `{node.func.id}()`")
    return list(dict.fromkeys(found))


def _kit_imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reportkit"):
            names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("reportkit"))
    return names


def reportkit_names(sources: list[str]) -> set[str]:
    """Names the setup cells bind to reportkit: ``from reportkit.checks import Checker`` -> Checker."""
    names: set[str] = set()
    for source in sources:
        try:
            names |= _kit_imports(ast.parse(_python_source(source)))
        except SyntaxError:
            continue
    return names
