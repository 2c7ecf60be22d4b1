"""dlcourse.readme: the README's generated parts, from summaries made here."""

import json

import pytest

from dlcourse import readme as readme_tools


def test_readme_table_is_generated_from_summaries(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    for profile, seconds in (("smoke", 12.0), ("laptop", 140.0)):
        entry = {"notebook": "98_feedforward.ipynb", "title": "98 · Feed-forward networks",
                 "seeds": "seed 001 §4", "profile": profile, "wall_s": seconds,
                 "status": "passed", "error": "",
                 "outcomes": [{"name": "accuracy", "value": 0.975, "target": 0.97,
                               "higher_is_better": True, "passed": True, "unit": ""}]}
        summary = {"machine": "x86_64 CPU, 2 cores", "finished": "2026-11-23 10:00",
                   "chapters": [entry]}
        (build / f"summary-{profile}.json").write_text(json.dumps(summary))
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{readme_tools.PATH_START}\nold path\n{readme_tools.PATH_END}\n"
                      f"{readme_tools.TABLE_START}\nold table\n{readme_tools.TABLE_END}\nrest\n")
    readme_tools.update_readme(build, readme)
    text = readme.read_text()
    assert "old table" not in text and text.startswith("intro") and text.endswith("rest\n")
    row = next(line for line in text.splitlines() if line.startswith("| 98"))
    assert "| 98 | [Feed-forward networks](notebooks/98_feedforward.ipynb) | seed 001 §4 |" in row
    assert "12 s" in row and "140 s" in row and "✔ accuracy = 0.975 (target ≥ 0.97)" in row
    assert "Measured on smoke: x86_64 CPU, 2 cores, 2026-11-23 10:00; laptop:" in text
    assert "old path" not in text and "Who this course is for" in text
    assert "1. [98 · Feed-forward networks](notebooks/98_feedforward.ipynb) — 2.3 min" in text
    assert "98 (2.3 min on the laptop profile)" in text   # 140 s: wants a GPU for the full run


def test_the_readme_needs_both_markers(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    (build / "summary-laptop.json").write_text(json.dumps({"chapters": []}))
    readme = tmp_path / "README.md"
    readme.write_text(f"{readme_tools.TABLE_START}\n{readme_tools.TABLE_END}\n")
    with pytest.raises(ValueError, match="path:start"):
        readme_tools.update_readme(build, readme)


def test_learners_path_names_prerequisites_colab_tpu_and_offline_use(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    entries = [{"notebook": f"0{n}_x.ipynb", "title": f"0{n} · X{n}", "wall_s": s}
               for n, s in ((0, 8.0), (1, 30.0))]
    (build / "summary-laptop.json").write_text(json.dumps({"machine": "m", "chapters": entries}))
    text = readme_tools.learners_path(build, link=lambda name: None)
    for needed in ("Python", "NumPy", "calculus", "Change runtime type", "TPU",
                   "session.strategy.scope()", "TFDS_DATA_DIR"):
        assert needed in text
    assert "1. 00 · X0 — 8 s\n1. 01 · X1 — 30 s" in text and "None of the measured" in text


def test_readme_needs_summaries(tmp_path):
    with pytest.raises(FileNotFoundError, match="make run"):
        readme_tools.chapter_table(tmp_path)


def test_a_bar_in_an_outcome_name_does_not_split_the_table_cell(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    entry = {"notebook": "98_x.ipynb", "title": "98 · X", "seeds": "seed 001 §4",
             "profile": "laptop", "wall_s": 10.0, "status": "passed", "error": "",
             "outcomes": [{"name": "|a - b|", "value": 0.5, "target": 0.1,
                           "higher_is_better": True, "passed": True, "unit": ""}]}
    (build / "summary-laptop.json").write_text(json.dumps(
        {"machine": "m", "finished": "f", "chapters": [entry]}))
    row = next(line for line in readme_tools.chapter_table(build).splitlines()
               if line.startswith("| 98"))
    assert "\\|a - b\\|" in row
    assert row.replace("\\|", "").count("|") == 6      # 5 cells: #, chapter, seeds, time, outcomes
