"""dlcourse.hygiene on small notebooks made here; the course notebooks follow COURSE.md §3;
the package code passes the linter."""

import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_output
from notebook_factory import clean_notebook, edit

from dlcourse import hygiene

COURSE = hygiene.notebooks()


def test_there_are_notebooks():
    assert COURSE, "notebooks/ holds no course notebook"


@pytest.mark.parametrize("path", COURSE, ids=[p.name for p in COURSE])
def test_notebook_follows_the_conventions(path):
    assert hygiene.problems(path) == []


CHAPTERS_WITH_EXERCISES = [p for p in COURSE if hygiene.needs_exercises(p)]


@pytest.mark.parametrize("path", CHAPTERS_WITH_EXERCISES,
                         ids=[p.name for p in CHAPTERS_WITH_EXERCISES])
def test_chapter_ends_with_exercises_whose_solutions_assert(path):
    assert hygiene.exercise_problems(path) == []


def test_chapter_numbers_are_unique():
    numbers = [p.name[:2] for p in COURSE]
    assert len(numbers) == len(set(numbers))


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "dlcourse", "tests",
                             "benchmarks"], cwd=hygiene.ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# ----------------------------------------------------------------- the rules, one by one


@pytest.fixture
def notebook(tmp_path):
    return clean_notebook(tmp_path / "07_example.ipynb")


def test_a_clean_notebook_has_no_problems(notebook):
    assert hygiene.problems(notebook) == []


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
    assert any(expected in problem for problem in hygiene.problems(notebook))


def test_setup_may_take_keywords_after_the_profile(notebook):
    source = "import dlcourse\n\nsession = dlcourse.setup(PROFILE, deterministic=False)"
    edit(notebook, lambda b: setattr(b.cells[3], "source", source))
    assert hygiene.problems(notebook) == []


def test_checked_output_cells_may_keep_their_output(tmp_path):
    path = clean_notebook(tmp_path / "07_example.ipynb",
                          body=[f"{hygiene.CHECKED_OUTPUT_MARK}\nprint(2)"])
    edit(path, lambda b: b.cells[4].outputs.append(new_output("stream", text="2\n")))
    assert hygiene.problems(path) == []
    hygiene.fix(path)
    assert nbformat.read(str(path), as_version=4).cells[4].outputs


def test_fix_strips_outputs_metadata_and_refreshes_badges(notebook):
    def dirty(book):
        book.cells[4].outputs.append(new_output("stream", text="hi"))
        book.cells[4].execution_count = 5
        book.metadata["language_info"] = {"version": "3.11"}
        book.metadata["widgets"] = {"state": {}}
        book.cells[0].source = "# 07 · Example\n\nText.\n\n**Seed sections:** seed 000 §3.5"
    edit(notebook, dirty)
    assert hygiene.fix(notebook) is True
    assert hygiene.problems(notebook) == []
    assert hygiene.fix(notebook) is False  # idempotent: a second run changes nothing
    raw = json.loads(notebook.read_text())
    assert set(raw["metadata"]) == {"kernelspec"}


def test_badges_come_from_the_one_repository_setting(tmp_path, monkeypatch):
    monkeypatch.setattr(hygiene, "REPO_URL", "https://github.com/someone/fork")
    text = hygiene.badges(tmp_path / "03_feedforward.ipynb")
    colab = "colab.research.google.com/github/someone/fork/blob/main/notebooks/03_feedforward"
    assert colab in text
    assert "https://github.com/someone/fork/blob/main/notebooks/03_feedforward.ipynb" in text
    assert "someone/fork@main" in hygiene.install_cell_source()


def test_notebooks_rejects_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such notebook"):
        hygiene.notebooks([tmp_path / "nope.ipynb"])


def test_fix_puts_the_badges_on_their_own_paragraph(notebook):
    edit(notebook, lambda b: setattr(b.cells[0], "source", "# 07 · Example\nText.\n\n"
                                     "**Seed sections:** seed 000 §3.5"))
    hygiene.fix(notebook)
    title = nbformat.read(str(notebook), 4).cells[0].source
    assert title == (f"# 07 · Example\n\n{hygiene.badges(notebook)}\n\nText.\n\n"
                     "**Seed sections:** seed 000 §3.5")


def _compiles(*cells):
    return hygiene.compiles_outside_strategy(list(cells))


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
    monkeypatch.setitem(hygiene.COLAB_PACKAGES, "10", ("keras-tuner>=1.4",))
    plain = hygiene.install_cell_source(tmp_path / "09_evaluation.ipynb")
    extra = hygiene.install_cell_source(tmp_path / "10_tuning.ipynb")
    assert "keras-tuner" not in plain and extra.startswith(plain)
    assert '"keras-tuner>=1.4"' in extra and '"tensorflow", "keras"' in extra
    compile(extra, "install cell", "exec")


@pytest.mark.parametrize("cells, expected", [
    ([("md", "## Exercises\n\n1. Try."), ("code", "outcomes.check('x', True, 'y')")], []),
    ([("md", "## 9. Exercises"), ("code", "outcomes.record('a', 1.0)"), ("md", "## Clean-up")],
     []),
    ([("md", "## Summary")], ["no '## Exercises' section"]),
    ([("md", "## Exercises"), ("code", "print(1)")], ["no exercise solution asserts"]),
    ([("md", "## Exercises"), ("code", "outcomes.check('x', True, 'y')"), ("md", "## Next")],
     ["the exercises are not the last section: '## Next' follows them"]),
])
def test_exercises_end_the_chapter_and_their_solutions_assert(tmp_path, cells, expected):
    from nbformat.v4 import new_code_cell, new_markdown_cell

    path = clean_notebook(tmp_path / "07_example.ipynb")
    edit(path, lambda b: b.cells.extend(new_markdown_cell(text) if kind == "md"
                                        else new_code_cell(text) for kind, text in cells))
    found = hygiene.exercise_problems(path)
    assert len(found) == len(expected) and all(e in f for e, f in zip(expected, found))


def test_only_chapters_01_to_16_need_exercises():
    assert [hygiene.needs_exercises(hygiene.NOTEBOOKS / name) for name in (
        "00_setup.ipynb", "01_a.ipynb", "16_b.ipynb", "A1_seed_errata.ipynb")] == [
        False, True, True, False]


# ------------------------------------------------ links to the errata appendix (A1) resolve


def _errata_beside(folder, *entries):
    """A tiny A1 in ``folder`` with one markdown entry per anchor, and a table linking them."""
    from nbformat.v4 import new_markdown_cell

    path = clean_notebook(folder / hygiene.ERRATA)
    table = "\n".join(f"| [§{n}](#{a}) |" for n, a in enumerate(entries, start=1))
    edit(path, lambda b: b.cells.extend(
        [new_markdown_cell(f"Chapters link `{hygiene.ERRATA}#anchor`.\n\n{table}")]
        + [new_markdown_cell(f'<a id="{a}"></a>\n### {a}\n\nText.') for a in entries]))
    return path


def _linking(path, *texts):
    from nbformat.v4 import new_markdown_cell

    edit(path, lambda b: b.cells.extend(new_markdown_cell(text) for text in texts))
    return path


def test_a_link_to_an_existing_errata_entry_passes(tmp_path):
    errata = _errata_beside(tmp_path, "s000-7-known")
    chapter = _linking(clean_notebook(tmp_path / "07_example.ipynb"),
                       f"Wrong ([A1]({hygiene.ERRATA}#s000-7-known)).")
    assert hygiene.problems(chapter) == []
    assert hygiene.problems(errata) == []       # its own table's #links and the `#anchor` prose


def test_a_dangling_errata_link_names_the_notebook_cell_and_missing_anchor(tmp_path, capsys):
    from dlcourse import nb

    _errata_beside(tmp_path, "s000-7-known")
    chapter = _linking(clean_notebook(tmp_path / "07_example.ipynb"),
                       f"Fine ([A1]({hygiene.ERRATA}#s000-7-known)); wrong "
                       f"([A1]({hygiene.ERRATA}#s000-7-missing)) and again "
                       f"[here]({hygiene.ERRATA}#s000-7-missing).")
    found = hygiene.problems(chapter)
    assert len(found) == 1, found                  # one line per missing anchor in a cell
    assert found[0].startswith(f"cell 6 links {hygiene.ERRATA}#s000-7-missing")
    assert '<a id="s000-7-missing">' in found[0]
    assert nb.main(["check", str(chapter)]) == 1
    assert f"07_example.ipynb: cell 6 links {hygiene.ERRATA}#s000-7-missing" in (
        capsys.readouterr().out)


def test_errata_self_links_are_checked_and_code_spans_are_not_links(tmp_path):
    errata = _errata_beside(tmp_path, "known")
    _linking(errata, "See [§9](#gone); `A1_seed_errata.ipynb#not-a-link` and\n"
                     "```\n[x](A1_seed_errata.ipynb#in-a-fence)\n```")
    chapter = _linking(clean_notebook(tmp_path / "07_example.ipynb"),
                       "[own heading](#gone) is this notebook's own business.")
    # cells 1-5 come from clean_notebook, 6 is the table, 7 the entry, 8 the cell added here
    assert [p.split(",")[0] for p in hygiene.problems(errata)] == [
        f"cell 8 links {hygiene.ERRATA}#gone"]
    assert hygiene.problems(chapter) == []


def test_an_errata_link_without_the_appendix_is_reported(tmp_path):
    chapter = _linking(clean_notebook(tmp_path / "07_example.ipynb"),
                       f"[A1]({hygiene.ERRATA}#anything)")
    assert hygiene.dangling_errata_links(chapter) == [
        f'cell 6 links {hygiene.ERRATA}#anything, but there is no {hygiene.ERRATA} with '
        f'<a id="anything"></a> (add its entry there)']
