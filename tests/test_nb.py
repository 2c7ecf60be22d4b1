"""The command line ``python -m dlcourse.nb``: each command reaches its module."""

import pytest
from notebook_factory import clean_notebook, edit

from dlcourse import hygiene, nb


@pytest.fixture
def notebook(tmp_path):
    return clean_notebook(tmp_path / "07_example.ipynb")


def test_cli_check_reports_and_fails(notebook, capsys):
    edit(notebook, lambda b: b.metadata.update(language_info={}))
    assert nb.main(["check", str(notebook)]) == 1
    assert "07_example.ipynb: notebook metadata has volatile keys" in capsys.readouterr().out
    assert nb.main(["fix", str(notebook)]) == 0
    assert nb.main(["check", str(notebook)]) == 0


def test_the_old_names_stay_importable_from_nb():
    assert nb.problems is hygiene.problems and nb.COLAB_PACKAGES is hygiene.COLAB_PACKAGES
    assert callable(nb.run) and callable(nb.update_readme) and callable(nb.render_site)
