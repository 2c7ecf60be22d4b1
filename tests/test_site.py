"""dlcourse.site: the course site, from executed notebooks made here."""

import pytest
from nbformat.v4 import new_markdown_cell
from notebook_factory import clean_notebook, edit

from dlcourse import site as site_tools


def test_site_renders_the_richest_profile(tmp_path):
    build = tmp_path / "build"
    for profile, title in (("smoke", "Smoke run"), ("laptop", "Laptop run")):
        folder = build / "notebooks" / profile
        folder.mkdir(parents=True)
        path = clean_notebook(folder / "07_example.ipynb")
        edit(path, lambda b, title=title: b.cells.append(new_markdown_cell(title)))
    site = site_tools.render_site(build)
    assert "Laptop run" in (site / "07_example.html").read_text()
    assert 'href="07_example.html"' in (site / "index.html").read_text()


def test_site_needs_executed_notebooks(tmp_path):
    with pytest.raises(FileNotFoundError, match="make run"):
        site_tools.render_site(tmp_path)
