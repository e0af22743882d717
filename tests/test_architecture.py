"""Architecture tests: they protect the design, not behaviour.

The design: a pure compiler in `compiler/` (import name `nelc`); a separate runner in `runner/`
(`nelc.runner`) that reads only the compiler's public API and never a rule; rules in `rules/`
(`nelc.rules`) that never import each other, ordered by position with `after=` saying why; the CLI
(`nelc.cli`) as the only layer that prints or exits, so nothing imports it; and every diagnostic
code that can be printed registered in `nelc.rules.CATALOGUE`, so `nelc rules CODE` explains it.

Modules are discovered from pyproject.toml's package-dir table and the filesystem, never listed by
hand, so these tests follow the layout as it moves. Import edges come from `ast`, not from running
code, and include function-level imports: a cycle hidden inside a function is still a cycle.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA_ONLY = {"nelc.schemas", "nelc.recipes"}
MEASURED = re.compile(r"\d+(\.\d+)?\s*ms")
WHOLE_CODE = re.compile(r"^[A-Z]\d{3}$")
PRINTED_CODE = re.compile(r"\b(?:error|warning|note)\[([A-Z]\d{3})\]")


@functools.cache
def modules() -> dict[str, Path]:
    """Import name -> file for every code module of nelc (`__main__` skipped)."""
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"].get("package-dir", {})
    mapped = {name: (ROOT / folder).resolve() for name, folder in table.items() if name and (ROOT / folder).is_dir()}
    claimed = set(mapped.values())  # a folder with its own entry is walked under that name only
    found: dict[str, Path] = {}
    for package, folder in sorted(mapped.items()):
        stack = [] if package in DATA_ONLY else [(package, folder)]
        while stack:  # files before subpackages, so a package `x/` wins over a stale `x.py`
            name, directory = stack.pop()
            for path in sorted(directory.iterdir()):
                if path.is_dir() and path.resolve() not in claimed and (path / "__init__.py").is_file():
                    stack.append((f"{name}.{path.name}", path))
                elif path.suffix == ".py" and path.stem != "__main__":
                    found[name if path.stem == "__init__" else f"{name}.{path.stem}"] = path
    return found


class Import(NamedTuple):
    line: int
    end_line: int
    targets: tuple[str, ...]  # the known nelc modules this statement loads
    in_function: bool
    type_checking: bool


def _targets(name: str, node: ast.Import | ast.ImportFrom) -> tuple[str, ...]:
    """The nelc modules one import statement loads (the exact module, not its parent packages)."""
    known, out = modules(), []
    if isinstance(node, ast.Import):
        for alias in node.names:  # `import a.b.c`: the longest prefix that is a known module
            parts = alias.name.split(".")
            out += [".".join(parts[:i]) for i in range(len(parts), 0, -1) if ".".join(parts[:i]) in known][:1]
        return tuple(out)
    base = node.module or ""
    if node.level:  # relative: resolve against the module's own package
        package = (name if known[name].name == "__init__.py" else name.rpartition(".")[0]).split(".")
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    for alias in node.names:
        out += [f"{base}.{alias.name}"] if f"{base}.{alias.name}" in known else [base] if base in known else []
    return tuple(dict.fromkeys(out))


@functools.cache
def imports(name: str) -> tuple[Import, ...]:
    """Every import statement in a module, wherever it is."""
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(Import(node.lineno, node.end_lineno or node.lineno, _targets(name, node), in_function, type_checking))
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            for child in node.body:
                visit(child, in_function, True)
            for child in node.orelse:
                visit(child, in_function, type_checking)
            return
        inner = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for child in ast.iter_child_nodes(node):
            visit(child, inner, type_checking)

    visit(ast.parse(modules()[name].read_text(), str(modules()[name])), False, False)
    return tuple(found)


def edges(name: str) -> set[str]:
    """The nelc modules `name` imports at run time (TYPE_CHECKING blocks excluded)."""
    return {target for imp in imports(name) if not imp.type_checking for target in imp.targets}


IMPORT_ALL = """if True:
    import importlib, os, sys
    failed = []
    for name, path in zip(sys.argv[1::2], sys.argv[2::2]):
        try:
            module = importlib.import_module(name)
        except BaseException as exc:
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        if os.path.realpath(getattr(module, "__file__", None) or "") != os.path.realpath(path):
            failed.append(f"{name}: loaded from {module.__file__}, not {path} (stale editable install?)")
    print(*failed, sep="\\n")
    sys.exit(1 if failed else 0)
"""


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    names = sorted(modules())
    for order, ordered in (("sorted", names), ("reverse sorted", names[::-1])):
        argv = [arg for name in ordered for arg in (name, str(modules()[name]))]
        result = subprocess.run([sys.executable, "-c", IMPORT_ALL, *argv], capture_output=True, text=True,
                                timeout=120, cwd=ROOT)
        assert result.returncode == 0, f"importing every module in {order} order failed:\n{result.stdout}{result.stderr}"


def _shortest_cycle(graph: dict[str, set[str]], start: str) -> list[str]:
    """A shortest import chain from `start` back to itself (breadth first), for the message."""
    paths, frontier = {start: [start]}, [start]
    while frontier:
        node = frontier.pop(0)
        for succ in sorted(graph[node]):
            if succ == start:
                return paths[node] + [start]
            if succ not in paths:
                paths[succ] = paths[node] + [succ]
                frontier.append(succ)
    return [start]


def test_no_import_cycles() -> None:
    graph = {name: edges(name) for name in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def strongconnect(node: str) -> None:  # Tarjan; ~100 modules, so recursion depth is no concern
        index[node] = low[node] = len(index)
        stack.append(node)
        for succ in graph[node]:
            if succ not in index:
                strongconnect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            components.append(sorted(stack[stack.index(node):]))
            del stack[stack.index(node):]

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)
    cycles = [c for c in components if len(c) > 1 or c[0] in graph[c[0]]]
    assert not cycles, "import cycles (function-level imports count too):\n" + "\n".join(
        f"  {{{', '.join(c)}}}\n    e.g. {' -> '.join(_shortest_cycle(graph, c[0]))}" for c in cycles)


def test_no_rule_imports_another_rule() -> None:
    rules = {name for name in modules() if name.startswith("nelc.rules.")}
    pairs = [f"  {name} imports {target}" for name in sorted(rules) for target in sorted(edges(name) & rules - {name})]
    assert not pairs, "rule modules import other rule modules (share code through nelc instead):\n" + "\n".join(pairs)


def test_runner_imports_no_rule_module() -> None:
    runner = sorted(name for name in modules() if name == "nelc.runner" or name.startswith("nelc.runner."))
    is_package = any(name != "nelc.runner" or modules()[name].name == "__init__.py" for name in runner)
    assert is_package, ("the runner package nelc.runner is missing (expected runner/ mapped to nelc.runner in "
                        f"pyproject's package-dir); found {[str(modules()[n].relative_to(ROOT)) for n in runner]}")
    offenders = [f"  {name} imports {target}" for name in runner for target in sorted(edges(name))
                 if target == "nelc.rules" or target.startswith("nelc.rules.")]
    assert not offenders, "the runner must read only the compiler's public API, never a rule:\n" + "\n".join(offenders)


def test_function_level_imports_are_justified() -> None:
    problems = []
    for name, path in sorted(modules().items()):
        text = path.read_text()
        lines = text.splitlines()
        comments = {tok.start[0]: tok.string for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                    if tok.type == tokenize.COMMENT}
        for imp in imports(name):
            if not imp.in_function or imp.type_checking:  # TYPE_CHECKING imports never run
                continue
            own = [comments.get(n, "") for n in range(imp.line, imp.end_line + 1)]
            above = comments.get(imp.line - 1, "") if imp.line > 1 and lines[imp.line - 2].lstrip().startswith("#") else ""
            if not any(MEASURED.search(comment) for comment in (*own, above)):
                problems.append(f"{path.relative_to(ROOT)}:{imp.line}: function-level import without a measured start-up cost")
    assert not problems, "\n".join(problems)


def test_nothing_imports_cli() -> None:
    offenders = sorted(name for name in modules() if name not in {"nelc.cli", "nelc.__main__"} and "nelc.cli" in edges(name))
    assert not offenders, f"only the CLI prints and exits, so nothing may import nelc.cli; these do: {offenders}"


def printable_codes() -> dict[str, list[str]]:
    """Diagnostic code -> where it appears (file:line), from every string literal outside docstrings."""
    found: dict[str, list[str]] = {}
    for path in sorted(modules().values()):
        tree = ast.parse(path.read_text(), str(path))
        owners = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)))]
        docstrings = {id(o.body[0].value) for o in owners if o.body and isinstance(o.body[0], ast.Expr)
                      and isinstance(o.body[0].value, ast.Constant) and isinstance(o.body[0].value.value, str)}
        for node in ast.walk(tree):  # f-string constant parts are Constant nodes inside JoinedStr
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                for code in [node.value] if WHOLE_CODE.match(node.value) else PRINTED_CODE.findall(node.value):
                    found.setdefault(code, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _catalogue() -> dict[str, Any]:
    try:
        from nelc.rules import CATALOGUE
    except ImportError as exc:
        pytest.fail(f"nelc.rules.CATALOGUE is missing ({exc}); every printable code must be registered there")
    return CATALOGUE


def test_every_diagnostic_code_is_registered() -> None:
    codes = printable_codes()
    assert codes, "found no diagnostic code literal at all: the scan is broken"
    catalogue = _catalogue()
    missing = [f"  {code}: {', '.join(where)}" for code, where in sorted(codes.items()) if code not in catalogue]
    assert not missing, "codes used in the source but not in nelc.rules.CATALOGUE:\n" + "\n".join(missing)
    empty = [code for code, entry in sorted(catalogue.items())
             if not all(isinstance(getattr(entry, attr, None), str) and getattr(entry, attr).strip() for attr in ("title", "doc"))]
    assert not empty, f"catalogue entries without a non-empty title and doc: {empty}"


def test_rule_order_respects_after() -> None:
    from nelc.rules import LINT_RULES, RULES

    all_codes = [rule.code for rule in (*RULES, *LINT_RULES)]
    duplicates = sorted({code for code in all_codes if all_codes.count(code) > 1})
    assert not duplicates, f"rule codes used more than once in RULES and LINT_RULES: {duplicates}"
    without = [rule.code for rule in RULES if not isinstance(getattr(rule, "after", None), tuple)]
    assert not without, f"rules without an `after` tuple of codes: {without}"
    position = {rule.code: i for i, rule in enumerate(RULES)}
    unknown = [f"{rule.code} after {code}" for rule in RULES for code in rule.after if code not in position]
    assert not unknown, f"`after` names codes that are not in RULES: {unknown}"
    misplaced = [f"  {rule.code} (position {position[rule.code]}) must follow {code} (position {position[code]})"
                 for rule in RULES for code in rule.after if position[code] >= position[rule.code]]
    assert not misplaced, "rules placed before a rule their `after` names:\n" + "\n".join(misplaced)


def test_rules_command_explains_every_code() -> None:
    from click.testing import CliRunner

    from nelc.cli import main

    catalogue = _catalogue()
    runner = CliRunner()
    listing = runner.invoke(main, ["rules"])
    assert listing.exit_code == 0, f"`nelc rules` exited {listing.exit_code}:\n{listing.output}"
    unlisted = sorted(code for code in catalogue if code not in listing.output)
    assert not unlisted, f"`nelc rules` does not list these catalogue codes: {unlisted}"
    samples = {code[0]: code for code in sorted(catalogue, reverse=True)}  # the first code of each letter
    for code in sorted(samples.values()):
        result = runner.invoke(main, ["rules", code])
        assert result.exit_code == 0, f"`nelc rules {code}` exited {result.exit_code}:\n{result.output}"
        title = catalogue[code].title
        assert title in result.output, f"`nelc rules {code}` does not print its title {title!r}:\n{result.output}"


def test_checks_read_final_values() -> None:
    """A check rule reports on what NEL will get, so it runs after R190 applies the spec's settings and overrides."""
    from nelc.rulebook import Kind
    from nelc.rules import RULES

    codes = [rule.code for rule in RULES]
    checks = [rule.code for rule in RULES if rule.kind is Kind.CHECK]
    assert checks, "no rule is marked as a check"
    early = [code for code in checks if codes.index(code) < codes.index("R190")]
    assert not early, f"check rules before R190 apply-overrides: {early}"
    assert all("R190" in rule.after for rule in RULES if rule.kind is Kind.CHECK)


def test_user_visible_text_names_real_sources() -> None:
    """Messages, docs and comments name the ModelOpt evaluation skill, NEL 0.2.6 or a model card,
    never an internal name for where a fact came from."""
    offenders = []
    for name, path in sorted(modules().items()):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\bthe seed\b|seed's", line, re.IGNORECASE):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)
