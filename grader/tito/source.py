"""Read a curriculum file (jupytext percent format) into cells, and strip its solutions.

Pure standard library: the grader uses this in the browser (Pyodide) and locally; the
generator (`python -m curriculum.generate`) uses it to build notebooks and `tinytorch/`.
"""

import ast
import re
from dataclasses import dataclass

# The directive on a code cell's first line says what the cell is for (see curriculum/README.md).
DIRECTIVES = {"#| export": "export", "#| test": "test", "#| hidden": "hidden",
              "#| answers": "answers", "#| reflect": "reflect"}
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_CELL_START = re.compile(r"^# %%(?P<rest>.*)$")


@dataclass
class Cell:
    kind: str  # "markdown", "code" (demo), "export", "test", "hidden", "answers" or "reflect"
    source: str  # the cell's text; for markdown, with the leading "# " removed


def cell_kind(source):
    """The kind of a code cell from its first line: export, test, hidden, answers, reflect, or plain code."""
    first = source.lstrip("\n").split("\n", 1)[0].strip()
    return DIRECTIVES.get(first, "code")


def parse(text):
    """Split percent-format text into cells. Lines before the first `# %%` are ignored."""
    cells, kind, lines = [], None, []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", line) for line in body.split("\n"))
            cells.append(Cell("markdown", body))
        elif body.strip():
            cells.append(Cell(cell_kind(body), body))

    for line in text.split("\n"):
        match = _CELL_START.match(line)
        if match:
            flush()
            kind, lines = ("markdown" if "[markdown]" in match["rest"] else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def without_directive(source):
    """The cell's code without its `#| ...` first line."""
    lines = source.split("\n")
    return "\n".join(lines[1:]) if lines and lines[0].strip() in DIRECTIVES else source


def solution(source):
    """The reference version: solution markers removed, solution code kept."""
    return "\n".join(line for line in source.split("\n") if line.strip() not in (BEGIN, END))


def strip_solutions(source, module_id):
    """The learner version: each solution region becomes a NotImplementedError stub that names
    the function to write (the nearest enclosing `def`) at the region's indentation."""
    out, inside, enclosing = [], False, {}
    for line in source.split("\n"):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped == BEGIN:
            inside = True
            where = _enclosing_name(enclosing, len(indent))
            attached = re.search(rf"^(\w+)\.{re.escape(where)} = {re.escape(where)}\b", source, re.M)
            where = f"{attached[1]}.{where}" if attached else where  # a method written in its own cell
            message = f"Module {module_id}: implement {where} (see the TODO above)"
            out.append(f'{indent}raise NotImplementedError("{message}")')  # names only: no quotes to escape
        elif stripped == END:
            inside = False
        elif not inside:
            out.append(line)
            match = re.match(r"(\s*)(?:async\s+)?(def|class)\s+(\w+)", line)
            if match:
                depth = len(match[1])
                enclosing = {d: n for d, n in enclosing.items() if d < depth}
                enclosing[depth] = match[3]
    return "\n".join(out)


def _answers_dict(source):
    """The `{...}` of an answers cell's `answers = {...}` (an ast.Dict), or None."""
    try:
        tree = ast.parse(without_directive(source))
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["answers"] \
                and isinstance(node.value, ast.Dict):
            return node.value
    return None


def answer_keys(source):
    """The keys of an `#| answers` cell's `answers = {"key": value, ...}` (empty if it has none)."""
    found = _answers_dict(source)
    return [k.value for k in found.keys if isinstance(k, ast.Constant)] if found else []


def blank_answers(source):
    """The learner version of an `#| answers` cell: every value of `answers = {...}` becomes None,
    the keys and the comments (the questions) stay. The answers themselves never reach a learner."""
    found = _answers_dict(source)
    if found is None:
        return source
    body = without_directive(source)
    lines = body.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line.encode()) + 1)  # ast offsets count UTF-8 bytes
    raw = body.encode()
    for value in reversed(found.values):  # from the end, so earlier offsets stay valid
        begin = starts[value.lineno - 1] + value.col_offset
        end = starts[value.end_lineno - 1] + value.end_col_offset
        raw = raw[:begin] + b"None" + raw[end:]
    head = source.split("\n", 1)[0] if source.split("\n", 1)[0].strip() in DIRECTIVES else None
    lines = raw.decode().split("\n")
    blanked = [re.match(r'^(\s*"[^"]*": None,)\s*(#.*)$', line) for line in lines]
    width = max((len(m[1]) for m in blanked if m), default=0) + 2  # the questions, aligned again
    lines = [f"{m[1]:<{width}}{m[2]}" if m else line for m, line in zip(blanked, lines)]
    return (head + "\n" if head is not None else "") + "\n".join(lines)


def _enclosing_name(enclosing, depth):
    names = [name for d, name in sorted(enclosing.items()) if d < depth]
    return ".".join(names) if names else "this cell"


def defined_names(source, imports=True):
    """Top-level names a piece of code defines: classes, functions, assignments and, unless
    `imports=False`, imported names."""
    names = []
    for node in ast.parse(solution(without_directive(source))).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif imports and isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names]
    return names


def public_names(source):
    """The names a module offers its users: what it defines itself, not what it imports or hides."""
    return [n for n in defined_names(source, imports=False) if not n.startswith("_")]


def package_import(module_name, code):
    """The line of a package's __init__.py that offers the public names of `code`, the text of
    tinytorch/core/<module_name>.py, from the package itself; "" when it has none.
    The reference package and each learner's are laid out the same way through it."""
    names = dict.fromkeys(public_names(code))
    return f"from .core.{module_name} import {', '.join(names)}" if names else ""


def _method_cell(tree, classes):
    """(class name, function node) when a cell's code is one function attached to a class defined
    before (`def f(self, ...): ...`, then `C.f = f`, optionally `del f`); else None."""
    body = tree.body
    if len(body) not in (2, 3) or not isinstance(body[0], ast.FunctionDef):
        return None
    function, attach = body[0], body[1]
    target = attach.targets[0] if isinstance(attach, ast.Assign) and len(attach.targets) == 1 else None
    if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id in classes
            and target.attr == function.name and isinstance(attach.value, ast.Name) and attach.value.id == function.name):
        return None
    if len(body) == 3 and not (isinstance(body[2], ast.Delete) and [getattr(t, "id", None) for t in body[2].targets] == [function.name]):
        return None
    return target.value.id, function


def merge_methods(pieces):
    """Module code from cells (a list of code strings, in order) where a class is written over
    several cells: each cell that only defines a function and attaches it to a class of an earlier
    cell (`Tensor.sum = sum`, then maybe `del sum`) goes into that class's body instead, as the
    class would be written in a file. Every other piece stays as it is. Returns the new list."""
    out, classes = [], {}  # class name -> index in `out` of the piece defining it
    for piece in pieces:
        try:
            tree = ast.parse(piece)
        except SyntaxError:
            out.append(piece)
            continue
        found = _method_cell(tree, classes)
        if found is None:
            out.append(piece)
            classes.update({node.name: len(out) - 1 for node in tree.body if isinstance(node, ast.ClassDef)})
            continue
        name, function = found
        lines = piece.split("\n")
        start = min([function.lineno] + [d.lineno for d in function.decorator_list]) - 1
        method = ["    " + line if line.strip() else "" for line in lines[start:function.end_lineno]]
        host = out[classes[name]].split("\n")
        node = next(n for n in reversed(ast.parse("\n".join(host)).body) if isinstance(n, ast.ClassDef) and n.name == name)
        out[classes[name]] = "\n".join(host[:node.end_lineno] + [""] + method + host[node.end_lineno:])
    return out
