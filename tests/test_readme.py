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
    readme.write_text(f"intro\n{readme_tools.TABLE_START}\nold\n{readme_tools.TABLE_END}\nrest\n")
    readme_tools.update_readme(build, readme)
    text = readme.read_text()
    assert "old" not in text and text.startswith("intro") and text.endswith("rest\n")
    row = next(line for line in text.splitlines() if "feedforward" in line)
    assert "| 98 | [Feed-forward networks](notebooks/98_feedforward.ipynb) | seed 001 §4 |" in row
    assert "12 s" in row and "140 s" in row and "✔ accuracy = 0.975 (target ≥ 0.97)" in row
    assert "Measured on smoke: x86_64 CPU, 2 cores, 2026-11-23 10:00; laptop:" in text


def test_readme_needs_summaries(tmp_path):
    with pytest.raises(FileNotFoundError, match="make run"):
        readme_tools.chapter_table(tmp_path)
