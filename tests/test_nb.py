"""Notebook hygiene (check/fix) and the papermill runner, on small notebooks made here."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from dlcourse import nb as nbtools
from dlcourse import outcomes


def clean_notebook(path, body=("x = 1",)):
    book = new_notebook()
    book.cells = [
        new_markdown_cell(f"# 07 · Example\n\n{nbtools.badges(path)}\n\nText.\n\n"
                          "**Seed sections:** seed 000 §3.5"),
        new_code_cell(nbtools.install_cell_source()),
        new_code_cell(nbtools.PARAMETERS_SOURCE, metadata={"tags": ["parameters"]}),
        new_code_cell("import dlcourse\n\nsession = dlcourse.setup(PROFILE)"),
        *[new_code_cell(source) for source in body],
    ]
    book.metadata = {"kernelspec": dict(nbtools.KERNELSPEC)}
    nbformat.write(book, str(path))
    return path


@pytest.fixture
def notebook(tmp_path):
    return clean_notebook(tmp_path / "07_example.ipynb")


def edit(path, change):
    book = nbformat.read(str(path), as_version=4)
    change(book)
    nbformat.write(book, str(path))


def test_a_clean_notebook_has_no_problems(notebook):
    assert nbtools.problems(notebook) == []


@pytest.mark.parametrize("change, expected", [
    (lambda b: b.cells[4].outputs.append(new_output("stream", text="hi")), "stored outputs"),
    (lambda b: setattr(b.cells[4], "execution_count", 3), "execution count"),
    (lambda b: b.metadata.update(kernelspec={"name": "conda-env"}), "kernelspec must be python3"),
    (lambda b: b.metadata.update(language_info={"version": "3.11"}), "volatile keys"),
    (lambda b: b.cells[4].metadata.update(tags=["parameters"]), "exactly one cell"),
    (lambda b: setattr(b.cells[2], "source", "PROFILE = 'smoke'"), "must hold exactly"),
    (lambda b: setattr(b.cells[1], "source", "!pip install dlcourse"), "Colab install cell"),
    (lambda b: setattr(b.cells[3], "source", "import dlcourse"), "dlcourse.setup(PROFILE)"),
    (lambda b: setattr(b.cells[0], "source", "# Example\n"), "must read '# NN · Title'"),
    (lambda b: setattr(b.cells[0], "source", "# 07 · Example\n"), "badges"),
    (lambda b: setattr(b.cells[0], "source", b.cells[0].source.replace("**Seed sections:**", "")),
     "seed sections"),
    (lambda b: setattr(b.cells[4], "source", "open('/Users/alice/data.csv')"), "machine path"),
    (lambda b: setattr(b.cells[4], "source", "open('/" + "root/data.csv')"), "machine path"),
    (lambda b: setattr(b.cells[4], "source", "open('C:\\Users\\ann\\x.csv')"), "machine path"),
])
def test_each_convention_is_checked(notebook, change, expected):
    edit(notebook, change)
    assert any(expected in problem for problem in nbtools.problems(notebook))


def test_checked_output_cells_may_keep_their_output(tmp_path):
    path = clean_notebook(tmp_path / "07_example.ipynb",
                          body=[f"{nbtools.CHECKED_OUTPUT_MARK}\nprint(2)"])
    edit(path, lambda b: b.cells[4].outputs.append(new_output("stream", text="2\n")))
    assert nbtools.problems(path) == []
    nbtools.fix(path)
    assert nbformat.read(str(path), as_version=4).cells[4].outputs


def test_fix_strips_outputs_metadata_and_refreshes_badges(notebook):
    def dirty(book):
        book.cells[4].outputs.append(new_output("stream", text="hi"))
        book.cells[4].execution_count = 5
        book.metadata["language_info"] = {"version": "3.11"}
        book.metadata["widgets"] = {"state": {}}
        book.cells[0].source = "# 07 · Example\n\nText.\n\n**Seed sections:** seed 000 §3.5"
    edit(notebook, dirty)
    assert nbtools.fix(notebook) is True
    assert nbtools.problems(notebook) == []
    assert nbtools.fix(notebook) is False  # idempotent: a second run changes nothing
    raw = json.loads(notebook.read_text())
    assert set(raw["metadata"]) == {"kernelspec"}


def test_badges_come_from_the_one_repository_setting(tmp_path, monkeypatch):
    monkeypatch.setattr(nbtools, "REPO_URL", "https://github.com/someone/fork")
    text = nbtools.badges(tmp_path / "03_feedforward.ipynb")
    colab = "colab.research.google.com/github/someone/fork/blob/main/notebooks/03_feedforward"
    assert colab in text
    assert "https://github.com/someone/fork/blob/main/notebooks/03_feedforward.ipynb" in text
    assert "someone/fork@main" in nbtools.install_cell_source()


def test_notebooks_rejects_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such notebook"):
        nbtools.notebooks([tmp_path / "nope.ipynb"])


def test_cli_check_reports_and_fails(notebook, capsys):
    edit(notebook, lambda b: b.metadata.update(language_info={}))
    assert nbtools.main(["check", str(notebook)]) == 1
    assert "07_example.ipynb: notebook metadata has volatile keys" in capsys.readouterr().out
    assert nbtools.main(["fix", str(notebook)]) == 0
    assert nbtools.main(["check", str(notebook)]) == 0


RECORDING_BODY = (
    "from dlcourse import outcomes\n"
    "outcomes.record('profile seen', {'smoke': 1.0, 'laptop': 2.0}[PROFILE], unit='')\n"
    "outcomes.record('accuracy', 0.9, {'smoke': 0.5})",
)


def test_runner_injects_the_profile_and_collects_outcomes(tmp_path, capsys):
    path = clean_notebook(tmp_path / "07_example.ipynb", body=RECORDING_BODY)
    build = tmp_path / "build"
    status = nbtools.run([path], profile="smoke", build=build, progress=False)
    assert status == 0
    summary = json.loads((build / "summary-smoke.json").read_text())
    (chapter,) = summary["chapters"]
    assert chapter["status"] == "passed" and chapter["profile"] == "smoke"
    assert [(o["name"], o["value"], o["passed"]) for o in chapter["outcomes"]] == [
        ("profile seen", 1.0, None), ("accuracy", 0.9, True)]
    assert (build / "notebooks" / "smoke" / "07_example.ipynb").exists()
    printed = capsys.readouterr().out
    assert "07_example.ipynb" in printed and "1 passed, 0 failed" in printed


def test_runner_reports_a_missed_target_as_a_failure(tmp_path, capsys):
    body = ("from dlcourse import outcomes\noutcomes.record('accuracy', 0.4, {'smoke': 0.5})",)
    path = clean_notebook(tmp_path / "07_example.ipynb", body=body)
    assert nbtools.run([path], profile="smoke", build=tmp_path / "b", progress=False) == 1
    (chapter,) = json.loads((tmp_path / "b" / "summary.json").read_text())["chapters"]
    assert chapter["status"] == "failed" and "OutcomeError" in chapter["error"]
    assert chapter["outcomes"][0]["passed"] is False


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
    readme.write_text(f"intro\n{nbtools.TABLE_START}\nold\n{nbtools.TABLE_END}\nrest\n")
    nbtools.update_readme(build, readme)
    text = readme.read_text()
    assert "old" not in text and text.startswith("intro") and text.endswith("rest\n")
    row = next(line for line in text.splitlines() if "feedforward" in line)
    assert "| 98 | [Feed-forward networks](notebooks/98_feedforward.ipynb) | seed 001 §4 |" in row
    assert "12 s" in row and "140 s" in row and "✔ accuracy = 0.975 (target ≥ 0.97)" in row
    assert "Measured on smoke: x86_64 CPU, 2 cores, 2026-11-23 10:00; laptop:" in text


def test_readme_needs_summaries(tmp_path):
    with pytest.raises(FileNotFoundError, match="make run"):
        nbtools.chapter_table(tmp_path)


def test_outcome_mimetype_survives_papermill(tmp_path):
    path = clean_notebook(tmp_path / "07_example.ipynb", body=RECORDING_BODY)
    nbtools.run([path], profile="laptop", build=tmp_path / "b", progress=False)
    executed = nbformat.read(str(tmp_path / "b" / "notebooks" / "laptop" / path.name), 4)
    assert [o["value"] for o in outcomes.from_notebook(executed)][0] == 2.0


def test_site_renders_the_richest_profile(tmp_path):
    build = tmp_path / "build"
    for profile, title in (("smoke", "Smoke run"), ("laptop", "Laptop run")):
        folder = build / "notebooks" / profile
        folder.mkdir(parents=True)
        path = clean_notebook(folder / "07_example.ipynb")
        edit(path, lambda b, title=title: b.cells.append(new_markdown_cell(title)))
    site = nbtools.render_site(build)
    assert "Laptop run" in (site / "07_example.html").read_text()
    assert 'href="07_example.html"' in (site / "index.html").read_text()


def test_site_needs_executed_notebooks(tmp_path):
    with pytest.raises(FileNotFoundError, match="make run"):
        nbtools.render_site(tmp_path)


def test_brief_lists_targets_and_counts_checks():
    records = [
        {"name": "accuracy", "value": 0.98, "target": 0.97, "higher_is_better": True,
         "passed": True, "unit": ""},
        {"name": "max diff", "value": 1e-7, "target": 1e-5, "higher_is_better": False,
         "passed": True, "unit": ""},
        {"name": "loss fell", "value": 1.0, "target": 1.0, "higher_is_better": True,
         "passed": True, "unit": "check"},
        {"name": "speed", "value": 3.0, "target": None, "higher_is_better": True,
         "passed": None, "unit": "x"},
    ]
    assert nbtools.brief(records) == ("✔ accuracy = 0.98 (target ≥ 0.97); "
                                      "2/2 exactness and yes/no checks passed")


def test_fix_puts_the_badges_on_their_own_paragraph(notebook):
    edit(notebook, lambda b: setattr(b.cells[0], "source", "# 07 · Example\nText.\n\n"
                                     "**Seed sections:** seed 000 §3.5"))
    nbtools.fix(notebook)
    title = nbformat.read(str(notebook), 4).cells[0].source
    assert title == (f"# 07 · Example\n\n{nbtools.badges(notebook)}\n\nText.\n\n"
                     "**Seed sections:** seed 000 §3.5")


def _compiles(*cells):
    return nbtools.compiles_outside_strategy(list(cells))


def test_compile_outside_the_strategy_scope_is_flagged():
    assert _compiles("model = build()\nmodel.compile(optimizer='adam', loss='mse')") == [
        "model.compile(optimizer='adam', loss='mse')"]


def test_compile_inside_the_scope_passes():
    assert _compiles("with session.strategy.scope():\n"
                     "    model = build()\n    model.compile(optimizer='adam', loss='mse')") == []


def test_compile_in_a_function_called_under_the_scope_passes():
    helper = ("def make():\n    m = build()\n    m.compile(loss='mse')\n    return m\n"
              "def twice():\n    return make(), make()")
    assert _compiles(helper, "with strategy.scope():\n    a, b = twice()") == []
    assert _compiles(helper, "a = make()") == ["m.compile(loss='mse')"]


def test_seed_code_may_compile_outside_when_marked_and_regexes_are_ignored():
    marked = "seed.compile(loss='mse')  # outside the strategy: the seed's code, verbatim"
    assert _compiles(marked, "import re\npattern = re.compile('a+')", "%time x = 1") == []


def test_install_cell_adds_a_chapters_packages_with_tensorflow_pinned(monkeypatch, tmp_path):
    monkeypatch.setitem(nbtools.COLAB_PACKAGES, "10", ("keras-tuner>=1.4",))
    plain = nbtools.install_cell_source(tmp_path / "09_evaluation.ipynb")
    extra = nbtools.install_cell_source(tmp_path / "10_tuning.ipynb")
    assert "keras-tuner" not in plain and extra.startswith(plain)
    assert '"keras-tuner>=1.4"' in extra and '"tensorflow", "keras"' in extra
    compile(extra, "install cell", "exec")
