"""Nothing loads untrusted code: Keras models with safe_mode (the default), no unpickling."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNSAFE = re.compile(r"safe_mode\s*=\s*False|enable_unsafe_deserialization\s*\(|allow_pickle\s*="
                    r"\s*True|\bpickle\.loads?\(|\bcloudpickle\.loads?\(|\bjoblib\.load\(|"
                    r"\bdill\.loads?\(|\bpd\.read_pickle\(|torch\.load\(")
ALLOWED_MARK = "# unsafe on purpose: "          # a teaching cell that shows the refusal


def code_sources():
    """(where, source) of every Python file of the package, tests and benchmarks, and of every
    code cell of the notebooks."""
    for folder in ("dlcourse", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != Path(__file__).resolve():
                yield str(path.relative_to(ROOT)), path.read_text()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        for number, cell in enumerate(cells, start=1):
            if cell["cell_type"] == "code":
                yield f"{path.relative_to(ROOT)} cell {number}", "".join(cell["source"])


def unsafe_lines(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines()
            if UNSAFE.search(line) and ALLOWED_MARK not in line]


def test_the_pattern_catches_unsafe_loading():
    assert unsafe_lines("m = keras.models.load_model(p, safe_mode=False)")
    assert unsafe_lines("x = np.load(f, allow_pickle=True)")
    assert unsafe_lines("data = pickle.load(handle)")
    assert not unsafe_lines("m = keras.models.load_model(p)  # safe_mode=True")
    assert not unsafe_lines("m = load_model(p, safe_mode=False)  # unsafe on purpose: refused")


def test_no_code_loads_models_unsafely_or_unpickles():
    found = {where: lines for where, source in code_sources() if (lines := unsafe_lines(source))}
    assert not found, f"unsafe loading (mark a teaching line '{ALLOWED_MARK}<why>'): {found}"
