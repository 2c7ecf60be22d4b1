"""The course runner: execute notebooks with papermill, collect their outcomes, summarise.

``run`` writes ``build/notebooks/<profile>/`` and ``build/summary-<profile>.json``, the one
source of the README's chapter table and of the site's landing page.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from dlcourse import hygiene

BUILD = hygiene.ROOT / "build"


def _error_of(nb) -> str:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"{output.get('ename')}: {output.get('evalue')}"[:500]
    return ""


def execute(path: Path, profile: str, out_dir: Path, *, progress: bool = True,
            timeout: int | None = None) -> dict:
    """Execute one notebook with papermill (``PROFILE`` injected); return its summary entry."""
    import nbformat
    import papermill

    from dlcourse import outcomes

    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / path.name
    start = time.perf_counter()
    status, error = "passed", ""
    try:
        papermill.execute_notebook(str(path), str(output), parameters={"PROFILE": profile},
                                   kernel_name="python3", progress_bar=progress,
                                   cwd=str(path.parent), execution_timeout=timeout)
    except Exception as exc:  # papermill wraps cell errors; the output notebook still exists
        status, error = "failed", f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
    wall = time.perf_counter() - start
    executed = nbformat.read(str(output), as_version=4) if output.exists() else None
    if executed is not None and status == "failed":
        error = _error_of(executed) or error
    return {
        "notebook": path.name,
        "title": hygiene.title(executed or hygiene.read(path)),
        "seeds": hygiene.seeds(executed or hygiene.read(path)),
        "profile": profile,
        "wall_s": round(wall, 1),
        "status": status,
        "error": error,
        "outcomes": outcomes.from_notebook(executed) if executed is not None else [],
    }


def brief(records: list[dict], sep: str = "; ") -> str:
    """The figures that carry a target to reach (accuracies), then counts of the other checks.

    Exactness checks (lower-is-better tolerances) and yes/no checks are counted, not listed:
    a chapter has dozens of them, and the notebook itself shows each.
    """
    from dlcourse import outcomes

    def is_check(record):
        tolerance = record.get("target") is not None and not record.get("higher_is_better")
        return record.get("unit") == "check" or tolerance

    shown = [outcomes.describe(r) for r in records
             if r.get("target") is not None and not is_check(r)]
    checks = [r for r in records if is_check(r)]
    if checks:
        passed = sum(bool(r.get("passed")) for r in checks)
        shown.append(f"{passed}/{len(checks)} exactness and yes/no checks passed")
    return sep.join(shown)


def summary_table(entries: list[dict]) -> str:
    """The chapter summary as a plain-text table."""

    rows = [("notebook", "profile", "time", "status", "outcomes")]
    for e in entries:
        reached = brief(e["outcomes"]) or "—"
        status = e["status"] + (f" ({e['error']})" if e["error"] else "")
        rows.append((e["notebook"], e["profile"], f"{e['wall_s']:.0f} s", status, reached))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[4])
        if n == 0:
            lines.append("-" * (sum(widths) + 8 + len("outcomes")))
    return "\n".join(lines)


def merged(previous: Path, entries: list[dict]) -> list[dict]:
    """The chapters of an earlier summary at ``previous`` updated with ``entries``, in order.

    Running a few notebooks keeps the other chapters' figures, so the README table and the
    site never lose a chapter because one was run on its own.
    """
    chapters = {}
    if Path(previous).exists():
        chapters = {e["notebook"]: e for e in
                    json.loads(Path(previous).read_text(encoding="utf-8"))["chapters"]}
    chapters.update({e["notebook"]: e for e in entries})
    return [chapters[name] for name in sorted(chapters)]


def run(paths=None, profile: str = "auto", build: Path = BUILD, progress: bool = True) -> int:
    """Execute notebooks, write ``build/summary*.json``, print the table; 0 when all passed."""
    from tqdm.auto import tqdm

    from dlcourse import profiles

    resolved = profiles.resolve(profile)
    chosen = hygiene.notebooks(paths)
    entries = []
    bar = tqdm(chosen, desc=f"course ({resolved})", unit="notebook", disable=not progress)
    for path in bar:
        bar.set_postfix_str(path.name)
        entries.append(execute(path, resolved, build / "notebooks" / resolved, progress=progress))
    from dlcourse import devices

    build.mkdir(parents=True, exist_ok=True)
    summary = {"profile": resolved, "finished": time.strftime("%Y-%m-%d %H:%M"),
               "machine": devices.describe(),
               "chapters": merged(build / f"summary-{resolved}.json", entries)}
    for name in ("summary.json", f"summary-{resolved}.json"):
        (build / name).write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    print(summary_table(entries))
    failed = [e["notebook"] for e in entries if e["status"] != "passed"]
    print(f"\n{len(entries) - len(failed)} passed, {len(failed)} failed ({resolved} profile)")
    return 1 if failed else 0
