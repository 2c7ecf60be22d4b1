"""Notebook conventions (COURSE.md §3): what ``check`` reports and what ``fix`` rewrites.

Also the small readers the other notebook tools share: a notebook, a cell's source, a chapter's
title and seed line, and the list of course notebooks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# The one repository-URL setting: badges and the Colab install cell are built from these.
REPO_URL = "https://github.com/dlcourse/dlcourse"
REPO_BRANCH = "main"

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
KEPT_METADATA = ("kernelspec", "accelerator", "colab")
TITLE_RE = re.compile(r"^# (\d\d|A\d) · \S.*$")
SEED_LINE = "**Seed sections:**"
SEED_RE = re.compile(r"[Ss]eed (00[0-2])")
CHECKED_OUTPUT_MARK = "# NBVAL_CHECK_OUTPUT"
PARAMETERS_SOURCE = 'PROFILE = "auto"'
SETUP_CALL = "dlcourse.setup(PROFILE)"
# Home folders, the root user's and a workspace root: no notebook may name a machine's paths.
PRIVATE_PATH_RE = re.compile(r"(/home/[a-z_][\w-]*/|/Users/\w+|/(?:root|work)/|[A-Z]:\\{1,2}Users)")


# Packages a chapter needs that Colab lacks, by chapter number; its install cell adds them.
COLAB_PACKAGES: dict[str, tuple[str, ...]] = {
    "10": ("keras-tuner>=1.4.8",),
    "13": ("ai-edge-litert>=2.3",),
    "14": ("shap>=0.51", "lime>=0.2.0.1"),
    "15": ("mlflow>=3.17", "dvc>=3.67"),
    "16": ("dp-accounting>=0.6", "ai-edge-litert>=2.3"),
}
# Chapters 01-16 end with exercises whose solutions execute and assert through outcomes.
EXERCISES_RE = re.compile(r"^## (?:\d+\.\s*)?Exercises\b", re.MULTILINE)
SECTION_RE = re.compile(r"^## (?![Cc]lean-?up\b)\S", re.MULTILINE)   # a clean-up may follow
ASSERTING_CALL_RE = re.compile(r"\boutcomes\.(?:record|check|loss_fell)\(")
# A compile call that must stay outside the strategy (seed code shown verbatim) says so.
OUTSIDE_STRATEGY_MARK = "# outside the strategy"
# The errata appendix: chapters link its entries as A1_seed_errata.ipynb#<anchor>, and A1's own
# table links them as #<anchor>; every entry carries <a id="<anchor>"></a>.
ERRATA = "A1_seed_errata.ipynb"
ERRATA_LINK_RE = re.compile(re.escape(ERRATA) + r"#([^\s)\]\"'<>`]+)")
SELF_LINK_RE = re.compile(r"\]\(#([^\s)]+)\)")
ANCHOR_RE = re.compile(r"""<a\s+(?:id|name)=["']([^"']+)["']""")
CODE_SPAN_RE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.DOTALL)   # not rendered as links


def install_cell_source(path: Path | None = None) -> str:
    """The Colab install cell of the notebook at ``path`` (its extra packages included)."""
    extra = COLAB_PACKAGES.get(Path(path).name[:2], ()) if path is not None else ()
    source = (
        "# Colab only: install the course package from this notebook's branch.\n"
        "# --no-deps keeps Colab's own TensorFlow, Keras and TFDS untouched.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        f'    package = "dlcourse @ git+{REPO_URL}@{REPO_BRANCH}"\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", package,\n'
        '                    "importlib_resources"], check=True)'
    )
    if not extra:
        return source
    packages = ", ".join(f'"{name}"' for name in extra)
    return source + (
        "\n"
        "    # This chapter's tools; the constraints keep Colab's TensorFlow and Keras.\n"
        "    from importlib.metadata import version\n"
        "\n"
        '    pins = "".join(f"{name}=={version(name)}\\n" for name in ("tensorflow", "keras"))\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-c", "/dev/stdin",\n'
        f"                    {packages}],\n"
        "                   input=pins, text=True, check=True)"
    )


def _parses(source: str):
    """The AST of a code cell with IPython's ``%`` and ``!`` lines blanked; None if invalid."""
    import ast

    lines = ["" if line.lstrip().startswith(("%", "!")) else line
             for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _is_keras_compile(node) -> bool:
    import ast

    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "compile"):
        return False
    if isinstance(node.func.value, ast.Name) and node.func.value.id in ("re", "regex"):
        return False
    keywords = {k.arg for k in node.keywords}
    return bool(keywords & {"optimizer", "loss", "metrics"}) or len(node.args) >= 2


def _is_scope_block(node) -> bool:
    import ast

    return isinstance(node, ast.With) and any(
        isinstance(item.context_expr, ast.Call)
        and isinstance(item.context_expr.func, ast.Attribute)
        and item.context_expr.func.attr == "scope" for item in node.items)


def compiles_outside_strategy(sources: list[str]) -> list[str]:
    """The Keras ``compile`` lines of a notebook that run outside ``strategy.scope()``.

    A compile counts as inside when it sits in a ``with ....scope():`` block, or in a function
    that is called inside such a block (directly or through other functions). A line that
    carries ``# outside the strategy`` is exempt (seed code reproduced verbatim).
    """
    import ast

    trees = [(t, src) for t, src in ((_parses(src), src) for src in sources) if t is not None]
    calls_in_scope, calls_by_function, compiling = set(), {}, {}

    def called_names(node):
        return {n.func.id for n in ast.walk(node)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}

    def visit(node, source, in_scope, function):
        if _is_scope_block(node):
            in_scope = True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
            calls_by_function[function] = called_names(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and in_scope:
            calls_in_scope.add(node.func.id)
        if _is_keras_compile(node):
            line = source.splitlines()[node.lineno - 1]
            if not in_scope and OUTSIDE_STRATEGY_MARK not in line:
                compiling.setdefault(function, []).append(line.strip())
        for child in ast.iter_child_nodes(node):
            visit(child, source, in_scope, function)

    for tree, source in trees:
        visit(tree, source, False, None)
    reached = set(calls_in_scope)
    while True:
        more = {name for f in reached for name in calls_by_function.get(f, ())} - reached
        if not more:
            break
        reached |= more
    return [line for function, lines in compiling.items() if function not in reached
            for line in lines]


def badges(path: Path) -> str:
    """The Colab and source badges for a notebook, built from REPO_URL and REPO_BRANCH."""
    relative = f"notebooks/{path.name}"
    github = REPO_URL.removeprefix("https://github.com/")
    colab = f"https://colab.research.google.com/github/{github}/blob/{REPO_BRANCH}/{relative}"
    source = f"{REPO_URL}/blob/{REPO_BRANCH}/{relative}"
    colab_badge = "https://colab.research.google.com/assets/colab-badge.svg"
    source_badge = "https://img.shields.io/badge/source-GitHub-black?logo=github"
    return (f"[![Open In Colab]({colab_badge})]({colab}) "
            f"[![View source on GitHub]({source_badge})]({source})")


def read(path: Path):
    """The notebook at ``path`` (nbformat 4)."""
    import nbformat

    return nbformat.read(str(path), as_version=4)


def cell_source(cell) -> str:
    """A cell's source as one string."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _keeps_output(cell) -> bool:
    return cell_source(cell).lstrip().startswith(CHECKED_OUTPUT_MARK)


def _prose(cell) -> str:
    """A markdown cell's text without its code spans and fenced blocks (no links render there)."""
    return CODE_SPAN_RE.sub("", cell_source(cell)) if cell.cell_type == "markdown" else ""


def errata_anchors(errata: Path) -> set[str]:
    """The anchors (``<a id="...">``) of the errata notebook at ``errata``."""
    return {anchor for cell in read(errata).cells for anchor in ANCHOR_RE.findall(_prose(cell))}


def dangling_errata_links(path: Path, nb=None) -> list[str]:
    """One line per link to an errata entry that A1 lacks, in the notebook at ``path``.

    Markdown links ``A1_seed_errata.ipynb#<anchor>`` in any notebook, and ``#<anchor>`` inside A1
    itself, must name an ``<a id="<anchor>">`` of the A1 beside it (``path``'s folder). Text in
    code spans (`` `A1_seed_errata.ipynb#anchor` ``) is not a link and is not checked.
    """
    path = Path(path)
    nb = read(path) if nb is None else nb
    errata = path.parent / ERRATA
    found, anchors = [], None
    for number, cell in enumerate(nb.cells, start=1):
        prose = _prose(cell)
        linked = ERRATA_LINK_RE.findall(prose)
        if path.name == ERRATA:
            linked += SELF_LINK_RE.findall(prose)
        for anchor in dict.fromkeys(linked):
            if anchors is None:
                anchors = errata_anchors(errata) if errata.is_file() else set()
            if anchor not in anchors:
                where = f"{ERRATA} has no" if errata.is_file() else f"there is no {ERRATA} with"
                found.append(f"cell {number} links {ERRATA}#{anchor}, but {where} "
                             f'<a id="{anchor}"></a> (add its entry there)')
    return found


def problems(path: Path) -> list[str]:
    """Every convention the notebook at ``path`` breaks (empty when it is clean)."""
    path = Path(path)
    nb = read(path)
    found = []
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ["cell 1 must be a markdown title cell"]
    title = cell_source(nb.cells[0])
    first_line = title.splitlines()[0] if title else ""
    if not TITLE_RE.match(first_line):
        found.append(f"title line {first_line!r} must read '# NN · Title'")
    elif not path.name.startswith(first_line[2:4]):
        found.append(f"title number {first_line[2:4]!r} does not match the file name")
    if badges(path) not in title:
        found.append("title cell lacks the Colab/source badges (run `python -m dlcourse.nb fix`)")
    if not any(line.startswith(SEED_LINE) and SEED_RE.search(line) for line in title.splitlines()):
        found.append(f"title cell must name the seed sections covered on a line "
                     f"'{SEED_LINE} seed 000 §3.2; ...'")
    code = _code_cells(nb)
    if len(code) < 3:
        return found + ["needs the install, parameters and setup code cells"]
    if cell_source(code[0]).strip() != install_cell_source(path):
        found.append("first code cell must be the Colab install cell (run fix)")
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        found.append(f"exactly one cell must be tagged 'parameters'; found {len(tagged)}")
    if "parameters" not in code[1].get("metadata", {}).get("tags", []):
        found.append("second code cell must be tagged 'parameters'")
    if cell_source(code[1]).strip() != PARAMETERS_SOURCE:
        found.append(f"the parameters cell must hold exactly {PARAMETERS_SOURCE!r}")
    setup_cell = cell_source(code[2])
    # A chapter that measures speed adds keywords: dlcourse.setup(PROFILE, deterministic=False)
    if SETUP_CALL not in setup_cell and SETUP_CALL[:-1] + ", " not in setup_cell:
        found.append(f"third code cell must call {SETUP_CALL}")
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code":
            if cell.get("outputs") and not _keeps_output(cell):
                found.append(f"cell {number} has stored outputs")
            if cell.get("execution_count") is not None and not _keeps_output(cell):
                found.append(f"cell {number} has an execution count")
        if PRIVATE_PATH_RE.search(cell_source(cell)):
            found.append(f"cell {number} contains a machine path")
        if "id" not in cell:
            found.append(f"cell {number} has no id")
    found += dangling_errata_links(path, nb)
    for line in compiles_outside_strategy([cell_source(c) for c in code[3:]]):
        found.append(f"compile outside session.strategy.scope(): {line!r} (build and compile "
                     f"under the scope, or mark seed code '{OUTSIDE_STRATEGY_MARK}')")
    metadata = nb.get("metadata", {})
    if metadata.get("kernelspec", {}).get("name") != "python3":
        found.append("kernelspec must be python3")
    extra = sorted(set(metadata) - set(KEPT_METADATA))
    if extra:
        found.append(f"notebook metadata has volatile keys {extra}")
    if "widgets" in json.dumps(metadata):
        found.append("widget state is stored")
    if PRIVATE_PATH_RE.search(json.dumps(metadata)):
        found.append("metadata contains a machine path")
    return found


def _set_badges(title: str, path: Path) -> str:
    """The title line, a blank line, the badges, a blank line, then the rest of the cell."""
    lines = [line for line in title.splitlines() if "colab-badge.svg" not in line] or [""]
    rest = "\n".join(lines[1:]).strip("\n")
    return "\n".join([lines[0], "", badges(path)] + (["", rest] if rest else []))


def fix(path: Path) -> bool:
    """Rewrite ``path`` to the conventions where that is mechanical; True when it changed."""
    import nbformat

    path = Path(path)
    before = path.read_text(encoding="utf-8")
    nb = read(path)
    for number, cell in enumerate(nb.cells):
        cell.setdefault("id", f"cell-{number:02d}")
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.cell_type == "code" and not _keeps_output(cell):
            cell.outputs = []
            cell.execution_count = None
    if nb.cells and nb.cells[0].cell_type == "markdown":
        nb.cells[0].source = _set_badges(cell_source(nb.cells[0]), path)
    code = _code_cells(nb)
    if code and "subprocess" in cell_source(code[0]) and "google.colab" in cell_source(code[0]):
        code[0].source = install_cell_source(path)
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEPT_METADATA}
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    text = nbformat.writes(nb) + "\n"
    if text != before:
        path.write_text(text, encoding="utf-8")
        return True
    return False


def notebooks(paths=None) -> list[Path]:
    """The given notebooks, or every course notebook in order."""
    if paths:
        found = [Path(p) for p in paths]
        missing = [str(p) for p in found if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"no such notebook: {', '.join(missing)}")
        return found
    return sorted(NOTEBOOKS.glob("[0-9A]*.ipynb"))


def title(nb) -> str:
    """The chapter title of a notebook: its first line without the ``#``."""
    first = cell_source(nb.cells[0]).splitlines()[0] if nb.cells else ""
    return first.lstrip("# ").strip()


def seeds(nb) -> str:
    """The seed sections the title cell names on its ``**Seed sections:**`` line."""
    for line in cell_source(nb.cells[0]).splitlines() if nb.cells else []:
        if line.startswith(SEED_LINE):
            return line.removeprefix(SEED_LINE).strip().rstrip(".")
    return ""


def needs_exercises(path: Path) -> bool:
    """True for the chapters that must end with exercises: those numbered 01 to 16."""
    number = Path(path).name[:2]
    return number.isdigit() and 1 <= int(number) <= 16


def exercise_problems(path: Path) -> list[str]:
    """What keeps a chapter from ending with exercises whose solutions assert (COURSE.md §3).

    The last ``## `` section must be ``## Exercises`` (or ``## 9. Exercises``; only a
    ``## Clean-up`` that ends servers may follow) and hold at least
    one code cell that asserts through ``outcomes.record``, ``outcomes.check`` or
    ``outcomes.loss_fell``; under the tests those cells execute like every other.
    """
    cells = read(path).cells
    starts = [i for i, c in enumerate(cells)
              if c.cell_type == "markdown" and EXERCISES_RE.search(cell_source(c))]
    if not starts:
        return ["no '## Exercises' section"]
    later = [i for i, c in enumerate(cells[starts[-1] + 1:], start=starts[-1] + 1)
             if c.cell_type == "markdown" and SECTION_RE.search(cell_source(c))]
    if later:
        first = cell_source(cells[later[0]]).splitlines()[0]
        return [f"the exercises are not the last section: {first!r} follows them"]
    solutions = [c for c in cells[starts[-1] + 1:]
                 if c.cell_type == "code" and ASSERTING_CALL_RE.search(cell_source(c))]
    if not solutions:
        return ["no exercise solution asserts (outcomes.record/check/loss_fell)"]
    return []
