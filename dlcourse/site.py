"""The course site: Jupyter Book 1 over the executed notebooks of the richest profile run.

``render_site`` writes a book source folder (``build/site-src``: the executed notebooks, a
generated ``_toc.yml`` in chapter order, ``_config.yml`` and a landing page with the chapter
table) and builds it into ``build/site`` without executing anything and without the network:
MathJax is served from the site itself (npm ``mathjax@3``, which ``make site`` installs into
``vendor/``), and badge images that live on other servers become plain links.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from dlcourse import hygiene, readme, runner

BUILD = runner.BUILD
MATHJAX = hygiene.ROOT / "vendor" / "node_modules" / "mathjax" / "es5"
MATHJAX_SCRIPT = "tex-mml-chtml.js"
SITE_TITLE = "dlcourse: deep learning in TensorFlow/Keras"
BUILD_TIMEOUT_S = 600
FAVICON_NAME = "favicon.svg"   # without one, browsers ask for /favicon.ico and log a 404
FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
           '<rect width="16" height="16" rx="3" fill="#ff6f00"/>'
           '<text x="8" y="12" font-size="10" text-anchor="middle" fill="#fff">d</text></svg>\n')
# Jupyter Book's extensions less sphinx_thebe (its page script names a CDN) and intersphinx
# (inventories come from the network).
EXTENSIONS = ("sphinx_togglebutton", "sphinx_copybutton", "myst_nb", "jupyter_book",
              "sphinx_comments", "sphinx_external_toc", "sphinx_design", "sphinx_book_theme")

# [![alt](image)](target) -> [alt](target); then any remote ![alt](image) -> [alt](image).
_LINKED_IMAGE_RE = re.compile(r"\[!\[([^\]]*)\]\([^)]*\)\]\(([^)]*)\)")
_REMOTE_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\((https?://[^)]*)\)")


def richest_run(build: Path = BUILD) -> Path:
    """The folder of executed notebooks of the richest profile run present under ``build``."""
    from dlcourse import profiles

    build = Path(build)
    for profile in reversed(profiles.PROFILES):
        folder = build / "notebooks" / profile
        if folder.is_dir() and any(folder.glob("*.ipynb")):
            return folder
    raise FileNotFoundError(f"no executed notebooks under {build / 'notebooks'}; "
                            "run `make run` first")


def offline_markdown(text: str) -> str:
    """Markdown whose images from other servers (badges) are turned into plain links."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _REMOTE_IMAGE_RE.sub(r"[\1](\2)", _LINKED_IMAGE_RE.sub(r"[\1](\2)", text))


def _copy_notebook(source: Path, target: Path) -> None:
    import nbformat

    book = hygiene.read(source)
    for cell in book.cells:
        if cell.cell_type == "markdown":
            cell.source = offline_markdown(hygiene.cell_source(cell))
    nbformat.write(book, str(target))


def toc(names: list[str]) -> dict:
    """The ``_toc.yml`` of the book: the landing page, the chapters, then the appendices."""
    if not names:
        raise ValueError("names must list at least one notebook")
    stems = [Path(name).stem for name in names]
    chapters = [s for s in stems if s[:2].isdigit()]
    appendices = [s for s in stems if not s[:2].isdigit()]
    parts = [{"caption": caption, "chapters": [{"file": stem} for stem in stems]}
             for caption, stems in (("Chapters", chapters), ("Appendices", appendices)) if stems]
    return {"format": "jb-book", "root": "index", "parts": parts}


def config(title: str = SITE_TITLE) -> dict:
    """The ``_config.yml`` of the book: nothing executes, nothing loads from another server."""
    github = hygiene.REPO_URL
    return {
        "title": title,
        "author": "dlcourse",
        "copyright": "2026",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": ["colon_fence", "dollarmath", "amsmath"]},
        "html": {"use_repository_button": True, "home_page_in_navbar": True,
                 "use_multitoc_numbering": False, "favicon": FAVICON_NAME},
        "launch_buttons": {"colab_url": "https://colab.research.google.com",
                           "notebook_interface": "classic"},
        "repository": {"url": github, "path_to_book": "notebooks", "branch": hygiene.REPO_BRANCH},
        "sphinx": {"recursive_update": True, "config": {
            "extensions": list(EXTENSIONS),
            # Without a mode the theme logs "Got invalid theme mode" to the console.
            "html_context": {"default_mode": "light"},
            # One search field (the sidebar's), not a second one in the page header.
            "html_theme_options": {"navbar_persistent": []},
            # Relative: under the site's _static, where render_site copies MathJax after the
            # build (in a static path, Jupyter Book would add each of its scripts to every page).
            "mathjax_path": f"mathjax/{MATHJAX_SCRIPT}",
            "nb_ipywidgets_js": {},                        # the widget manager lives on a CDN
            "suppress_warnings": ["mystnb.unknown_mime_type"],
        }},
    }


def landing_page(build: Path = BUILD, title: str = SITE_TITLE) -> str:
    """The landing page: what the course is, the learner's path and the chapter table."""
    pages = {p.name for p in richest_run(build).glob("*.ipynb")}

    def link(name):   # a chapter the run behind the site lacks has no page to link to
        return name if name in pages else None

    table = readme.chapter_table(build, link=link)
    return "\n\n".join([
        f"# {title}",
        "A chaptered course in deep learning with TensorFlow and Keras 3, on three source "
        "articles. Every chapter runs end to end and asserts the figures it claims; the pages "
        "here are the notebooks as the course's own run executed them.",
        "## Your path through the course",
        readme.learners_path(build, link=link),
        "## Chapters",
        table,
    ]) + "\n"


def _write_source(run: Path, source: Path, build: Path) -> None:
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    names = [p.name for p in sorted(run.glob("*.ipynb"))]
    for name in names:
        _copy_notebook(run / name, source / name)
    (source / "_toc.yml").write_text(json.dumps(toc(names), indent=1), encoding="utf-8")
    (source / "_config.yml").write_text(json.dumps(config(), indent=1), encoding="utf-8")
    (source / "index.md").write_text(landing_page(build), encoding="utf-8")
    (source / FAVICON_NAME).write_text(FAVICON, encoding="utf-8")


def _other_mathjax_bundles(folder: str, names: list[str]) -> list[str]:
    """At MathJax's top level keep the one bundle the pages load (its components stay)."""
    if Path(folder).name != "es5":
        return []
    return [n for n in names if n.endswith(".js") and n != MATHJAX_SCRIPT]


def render_site(build: Path = BUILD, *, mathjax: Path = MATHJAX, quiet: bool = True) -> Path:
    """Build the course site into ``build/site`` (its ``index.html`` is the landing page)."""
    build = Path(build)
    run = richest_run(build)
    mathjax = Path(mathjax)
    if not (mathjax / MATHJAX_SCRIPT).is_file():
        raise FileNotFoundError(f"MathJax not found at {mathjax}: run `make site` once with npm "
                                "(it installs mathjax@3 into vendor/)")
    source, work, site = build / "site-src", build / "site-work", build / "site"
    _write_source(run, source, build)
    command = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; "
               "sys.exit(main())", "build", str(source), "--path-output", str(work),
               "--builder", "html", "--all"] + (["--quiet"] if quiet else [])
    result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    if result.returncode != 0:
        raise RuntimeError(f"jupyter-book build failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    for line in warnings:
        print(line, file=sys.stderr)
    if site.exists():
        shutil.rmtree(site)
    shutil.move(str(work / "_build" / "html"), str(site))
    shutil.copytree(mathjax, site / "_static" / "mathjax", ignore=_other_mathjax_bundles)
    shutil.rmtree(work, ignore_errors=True)
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(site: Path):
    """Serve ``site`` on 127.0.0.1 (a free port) for the ``with`` block; yields the base URL."""
    site = Path(site)
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"no index.html in {site}; build the site first")
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
