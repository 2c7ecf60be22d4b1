"""The README's generated parts: the chapter table, from ``build/summary-<profile>.json``."""

from __future__ import annotations

import json
from pathlib import Path

from dlcourse import hygiene, runner

BUILD = runner.BUILD
README = hygiene.ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- chapters:start -->", "<!-- chapters:end -->"


def chapter_table(build: Path = BUILD) -> str:
    """The README chapter table, from every ``build/summary-<profile>.json`` present."""
    from dlcourse import profiles

    by_profile, machines = {}, []
    for profile in profiles.PROFILES:
        file = build / f"summary-{profile}.json"
        if file.exists():
            summary = json.loads(file.read_text(encoding="utf-8"))
            by_profile[profile] = {e["notebook"]: e for e in summary["chapters"]}
            machines.append(f"{profile}: {summary.get('machine', 'unknown machine')}, "
                            f"{summary.get('finished', '')}")
    if not by_profile:
        raise FileNotFoundError(f"no summaries in {build}; run `make run` first")
    names = sorted({n for entries in by_profile.values() for n in entries})
    shown = [p for p in profiles.PROFILES if p in by_profile]
    richest = shown[-1]
    header = ["#", "chapter", "seed sections"] + [f"{p} time" for p in shown] + [
        f"outcomes ({richest})"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in names:
        entry = next(by_profile[p][name] for p in reversed(shown) if name in by_profile[p])
        number, _, title = entry["title"].partition(" · ")
        times = [f"{by_profile[p][name]['wall_s']:.0f} s" + (
            "" if by_profile[p][name]["status"] == "passed" else " ✘")
            if name in by_profile[p] else "—" for p in shown]
        best = by_profile[richest].get(name)
        reached = runner.brief(best["outcomes"], "<br>") if best else "—"
        link = f"[{title}](notebooks/{name})"
        source = hygiene.NOTEBOOKS / name          # the seed line as the notebook reads now
        seeds = hygiene.seeds(hygiene.read(source)) if source.exists() else entry["seeds"]
        lines.append("| " + " | ".join([number, link, seeds, *times, reached or "runs"])
                     + " |")
    lines += ["", "Measured on " + "; ".join(machines) + "."]
    return "\n".join(lines)


def update_readme(build: Path = BUILD, readme: Path = README) -> None:
    """Replace the table between the chapter markers in the README."""
    text = readme.read_text(encoding="utf-8")
    if TABLE_START not in text or TABLE_END not in text:
        raise ValueError(f"{readme.name} lacks the markers {TABLE_START} and {TABLE_END}")
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    readme.write_text(f"{head}{TABLE_START}\n{chapter_table(build)}\n{TABLE_END}{tail}",
                      encoding="utf-8")
