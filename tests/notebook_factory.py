"""Small course notebooks made on the fly, for the notebook tools' tests."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dlcourse import hygiene


def clean_notebook(path, body=("x = 1",)):
    """A notebook at ``path`` that follows every convention, with ``body`` as its code cells."""
    book = new_notebook()
    book.cells = [
        new_markdown_cell(f"# {path.name[:2]} · Example\n\n{hygiene.badges(path)}\n\nText.\n\n"
                          "**Seed sections:** seed 000 §3.5"),
        new_code_cell(hygiene.install_cell_source(path)),
        new_code_cell(hygiene.PARAMETERS_SOURCE, metadata={"tags": ["parameters"]}),
        new_code_cell("import dlcourse\n\nsession = dlcourse.setup(PROFILE)"),
        *[new_code_cell(source) for source in body],
    ]
    book.metadata = {"kernelspec": dict(hygiene.KERNELSPEC)}
    nbformat.write(book, str(path))
    return path


def edit(path, change):
    """Apply ``change`` to the notebook at ``path`` and write it back."""
    book = nbformat.read(str(path), as_version=4)
    change(book)
    nbformat.write(book, str(path))
