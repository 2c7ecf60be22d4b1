"""The README's generated parts, from ``build/summary-<profile>.json``: the chapter table and
the learner's path (who the course is for, the chapter order with measured times, GPU chapters,
Colab on a GPU or TPU, offline use). The course site's landing page shows both too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from dlcourse import hygiene, runner

BUILD = runner.BUILD
README = hygiene.ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- chapters:start -->", "<!-- chapters:end -->"
PATH_START, PATH_END = "<!-- path:start -->", "<!-- path:end -->"
# A chapter whose laptop run takes this long trains models that the full profile scales up
# (whole datasets, 3-10x the epochs): it wants a GPU or TPU for the full profile.
GPU_LAPTOP_S = 60.0


def _in_readme(name: str) -> str:
    return f"notebooks/{name}"


def summaries(build: Path = BUILD) -> tuple[dict, list[str]]:
    """Every summary present: ``{profile: {notebook: entry}}`` and one line per machine."""
    from dlcourse import profiles

    by_profile, machines = {}, []
    for profile in profiles.PROFILES:
        file = Path(build) / f"summary-{profile}.json"
        if file.exists():
            summary = json.loads(file.read_text(encoding="utf-8"))
            by_profile[profile] = {e["notebook"]: e for e in summary["chapters"]}
            machines.append(f"{profile}: {summary.get('machine', 'unknown machine')}, "
                            f"{summary.get('finished', '')}")
    if not by_profile:
        raise FileNotFoundError(f"no summaries in {build}; run `make run` first")
    return by_profile, machines


def chapter_table(build: Path = BUILD, link: Callable[[str], str] = _in_readme) -> str:
    """The chapter table, from every ``build/summary-<profile>.json`` present.

    ``link`` maps a notebook's file name to the address its title links to (None: no link).
    """
    from dlcourse import profiles

    by_profile, machines = summaries(build)
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
        link_text = f"[{title}]({link(name)})" if link(name) else title
        source = hygiene.NOTEBOOKS / name          # the seed line as the notebook reads now
        seeds = hygiene.seeds(hygiene.read(source)) if source.exists() else entry["seeds"]
        cells = [number, link_text, seeds, *times, reached or "runs"]
        lines.append("| " + " | ".join(_table_cell(c) for c in cells) + " |")
    lines += ["", "Measured on " + "; ".join(machines) + "."]
    return "\n".join(lines)


def _table_cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell: a bare ``|`` would end the cell."""
    return text.replace("\\|", "|").replace("|", "\\|")


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def _chapter_order(by_profile: dict, link: Callable[[str], str]) -> list[str]:
    laptop = by_profile.get("laptop", {})
    names = sorted({n for entries in by_profile.values() for n in entries})
    lines = []
    for name in names:
        entry = next(e[name] for e in reversed(list(by_profile.values())) if name in e)
        measured = laptop.get(name)
        time = _minutes(measured["wall_s"]) if measured else "laptop time not measured yet"
        title = f"[{entry['title']}]({link(name)})" if link(name) else entry["title"]
        lines.append(f"1. {title} — {time}")
    if laptop:
        total = sum(e["wall_s"] for e in laptop.values())
        lines.append(f"\nAll {len(laptop)} measured chapters together: {_minutes(total)} "
                     "in the laptop profile.")
    return lines


def _gpu_chapters(by_profile: dict, machines: list[str]) -> str:
    laptop = by_profile.get("laptop", {})
    if not laptop:
        return ("No laptop run is recorded yet (`DLCOURSE_PROFILE=laptop make run`), so which "
                "chapters want a GPU is not measured.")
    heavy = [(name, e) for name, e in sorted(laptop.items()) if e["wall_s"] >= GPU_LAPTOP_S]
    rule = (f"The full profile trains on whole datasets with 3–10× the epochs; a chapter "
            f"whose laptop run takes {GPU_LAPTOP_S:.0f} s or more wants a GPU or TPU for it.")
    if not heavy:
        return rule + " None of the measured chapters does: each runs in full on a CPU too."
    listed = ", ".join(f"{e['title'].partition(' · ')[0]} ({_minutes(e['wall_s'])} on the "
                       "laptop profile)" for _, e in heavy)
    text = f"{rule} Measured: {listed}. The other chapters run in full on a CPU too."
    full = by_profile.get("full", {})
    if full:
        where = next((m for m in machines if m.startswith("full:")), "")
        times = ", ".join(f"{e['title'].partition(' · ')[0]} {_minutes(e['wall_s'])}"
                          for _, e in sorted(full.items()))
        text += f" Full-profile times ({where.removeprefix('full: ')}): {times}."
    return text


def learners_path(build: Path = BUILD, link: Callable[[str], str] = _in_readme) -> str:
    """The learner's path (markdown), generated from the same summaries as the chapter table."""
    by_profile, machines = summaries(build)
    laptop_machine = next((m.removeprefix("laptop: ") for m in machines
                           if m.startswith("laptop:")), "no laptop run yet")
    sections = [
        "### Who this course is for",
        "Learners who write Python comfortably and want to build, train and judge deep-learning "
        "models with TensorFlow and Keras 3. Know first: **Python** (functions, classes, "
        "comprehensions), **NumPy** (arrays, shapes, indexing, broadcasting) and **a little "
        "calculus** (derivatives and the chain rule: chapter 02 works backpropagation out by "
        "hand); a matrix times a vector is all the linear algebra needed. No earlier "
        "deep-learning or TensorFlow experience is assumed.",
        "### The chapters in order",
        f"Take them in order: each builds on the ones before. Times are the laptop profile's, "
        f"measured wall-clock ({laptop_machine}).",
        "\n".join(_chapter_order(by_profile, link)),
        "### Which chapters want a GPU",
        _gpu_chapters(by_profile, machines),
        "### In Colab, on a GPU or a TPU",
        "1. Open the chapter from its *Open in Colab* badge (on the course site: the rocket "
        "button at the top of a chapter).\n"
        "2. *Runtime → Change runtime type*: choose a GPU (e.g. T4) or a TPU, then *Save*.\n"
        "3. Run the first cell: it installs this package from the notebook's branch with "
        "`--no-deps`, so Colab's own TensorFlow and Keras stay, plus the chapter's extra tools.\n"
        "4. *Runtime → Run all*. `PROFILE = \"auto\"` picks `full` on a GPU or TPU and `laptop` "
        "on a CPU; write `PROFILE = \"laptop\"` in the parameters cell for a quicker pass.",
        "On a TPU, `session = dlcourse.setup(PROFILE)` connects to it and returns "
        "`session.strategy`, a `TPUStrategy` over its cores: every chapter builds and compiles "
        "its Keras models under `with session.strategy.scope():` with "
        "`jit_compile=session.jit_compile` (XLA), and feeds batches of a fixed shape "
        "(`session.global_batch(...)`). Hand-written `GradientTape` loops that teach the "
        "mechanics run on the default device and say so.",
        "### Offline",
        "TensorFlow Datasets downloads each dataset once into `~/tensorflow_datasets`. To work "
        "without a network, prepare `mnist`, `fashion_mnist`, `cifar10` and `imdb_reviews` on a "
        "connected machine (run the course once, or `tfds.builder(name).download_and_prepare()`), "
        "copy the folder and point `TFDS_DATA_DIR` at it, e.g. "
        "`TFDS_DATA_DIR=~/tensorflow_datasets DLCOURSE_OFFLINE=1 make run`: with "
        "`DLCOURSE_OFFLINE=1` a missing dataset fails at once with its name instead of "
        "downloading. `make site` builds the course site offline, formulas included.",
    ]
    return "\n\n".join(sections)


def _replace_between(text: str, start: str, end: str, body: str, name: str) -> str:
    if start not in text or end not in text:
        raise ValueError(f"{name} lacks the markers {start} and {end}")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def update_readme(build: Path = BUILD, readme: Path = README) -> None:
    """Replace the learner's path and the chapter table between their markers in the README."""
    readme = Path(readme)
    text = readme.read_text(encoding="utf-8")
    text = _replace_between(text, PATH_START, PATH_END, learners_path(build), readme.name)
    text = _replace_between(text, TABLE_START, TABLE_END, chapter_table(build), readme.name)
    readme.write_text(text, encoding="utf-8")
