"""dlcourse.site: a small course site from two executed notebooks made here, checked as files and
in headless Chromium (skipped, with the reason, where Chromium or MathJax is missing)."""

import base64
import io
import json
import re

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_output
from notebook_factory import clean_notebook, edit

from dlcourse import browser, hygiene
from dlcourse import site as site_tools

CHAPTERS = {"01_alpha.ipynb": "Alpha steps", "02_beta.ipynb": "Beta steps"}
FORMULA = "$$\\frac{\\partial L}{\\partial z} = p - y$$"
SHOTS = hygiene.ROOT / "build" / "site-test"
# Addresses a page may name but never load: links to the repository and to Colab.
LINK_HOSTS = ("github.com", "colab.research.google.com")


def figure_png() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1, 2], [0, 1, 4])
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def executed_course(build, profile="laptop"):
    """Two notebooks as the runner leaves them (a figure and a formula each) and a summary."""
    folder = build / "notebooks" / profile
    folder.mkdir(parents=True)
    png, entries = figure_png(), []
    for name, title in CHAPTERS.items():
        path = clean_notebook(folder / name, body=["plot_loss()"])

        def executed(book, title=title):
            book.cells[0].source = book.cells[0].source.replace("Example", title)
            book.cells[4].outputs = [new_output("display_data", data={"image/png": png,
                                                                      "text/plain": "<Figure>"})]
            book.cells.insert(4, new_markdown_cell(f"The loss $L = -\\sum_i y_i \\log p_i$ has\n\n"
                                                   f"{FORMULA}"))
        edit(path, executed)
        entries.append({"notebook": name, "title": f"{name[:2]} · {title}", "seeds": "seed 000 §3",
                        "profile": profile, "wall_s": 42.0, "status": "passed", "error": "",
                        "outcomes": []})
    summary = {"profile": profile, "machine": "x86_64 CPU, 2 cores", "finished": "2026-11-24",
               "chapters": entries}
    (build / f"summary-{profile}.json").write_text(json.dumps(summary), encoding="utf-8")
    return build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not (site_tools.MATHJAX / site_tools.MATHJAX_SCRIPT).is_file():
        pytest.skip(f"MathJax is not installed at {site_tools.MATHJAX} (`make site` installs it "
                    "with npm)")
    build = executed_course(tmp_path_factory.mktemp("course") / "build")
    return site_tools.render_site(build)


def test_the_landing_page_lists_every_chapter_in_order(built):
    index = (built / "index.html").read_text(encoding="utf-8")
    positions = [index.find(f'href="{name[:-6]}.html"') for name in CHAPTERS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert "Alpha steps" in index and "Who this course is for" in index


def test_chapter_pages_link_to_the_previous_and_next_chapter(built):
    alpha = (built / "01_alpha.html").read_text(encoding="utf-8")
    beta = (built / "02_beta.html").read_text(encoding="utf-8")
    assert re.search(r'class="right-next"\s+href="02_beta.html"', alpha)
    assert re.search(r'class="left-prev"\s+href="01_alpha.html"', beta)


def test_no_page_loads_anything_from_another_server(built):
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r'(?:src|href)="(https?://[^"]+)"', text):
            tag_start = text.rfind("<", 0, match.start())
            tag = text[tag_start:match.start()]
            if tag.startswith("<a "):
                assert any(host in match.group(1) for host in LINK_HOSTS), match.group(1)
            else:
                pytest.fail(f"{page.name} loads {match.group(1)}")
        assert not re.search(r"cdn\.jsdelivr|unpkg\.com|googleapis|cdnjs", text), page.name
    assert (built / "_static" / "mathjax" / site_tools.MATHJAX_SCRIPT).is_file()


def test_in_chromium_figures_load_math_is_typeset_and_the_console_is_clean(built):
    if browser.executable() is None:
        pytest.skip(f"no Chromium at {' or '.join(browser.EXECUTABLES)} (`make test` installs "
                    "Debian's chromium where it can)")
    with site_tools.serve(built) as base, browser.Chromium(timeout=60) as chromium:
        landing = chromium.open(base + "index.html")
        def links(selector):
            return [t.strip() for t in landing.evaluate(
                f"Array.from(document.querySelectorAll('{selector}')).map(a => a.textContent)")]
        sidebar = [f"{n[:2]} · {t}" for n, t in CHAPTERS.items()]
        assert [t for t in links(".bd-sidenav a") if t in sidebar] == sidebar
        assert all(title in links("main table a") for title in CHAPTERS.values())
        landing.screenshot(SHOTS / "landing.png")
        chapter = chromium.open(base + "01_alpha.html")
        typeset = chapter.evaluate("MathJax.startup.promise.then(() => "
                                   "document.querySelectorAll('mjx-container').length)")
        assert typeset == 2
        assert "$$" not in chapter.evaluate("document.querySelector('main').innerText")
        images = chapter.evaluate(
            "Array.from(document.querySelectorAll('main .cell_output img')).map(i => "
            "[i.complete, i.naturalWidth, i.getBoundingClientRect().height])")
        assert images and all(done and width > 0 and height > 0 for done, width, height in images)
        chapter.evaluate("document.querySelector('mjx-container').scrollIntoView()")
        chapter.screenshot(SHOTS / "chapter.png")
        assert chromium.errors == []


def test_offline_markdown_turns_badges_into_links():
    badges = hygiene.badges(hygiene.NOTEBOOKS / "03_feedforward.ipynb")
    text = site_tools.offline_markdown(f"# 03 · T\n\n{badges}\n\n![plot](https://x.org/a.png)")
    assert "colab-badge.svg" not in text and "img.shields.io" not in text
    assert "[Open In Colab](https://colab.research.google.com/github/" in text
    assert "[plot](https://x.org/a.png)" in text
    with pytest.raises(TypeError, match="text must be a str"):
        site_tools.offline_markdown(None)


def test_toc_puts_chapters_then_appendices():
    toc = site_tools.toc(["00_setup.ipynb", "A1_seed_errata.ipynb", "03_feedforward.ipynb"])
    assert [p["caption"] for p in toc["parts"]] == ["Chapters", "Appendices"]
    assert toc["parts"][0]["chapters"] == [{"file": "00_setup"}, {"file": "03_feedforward"}]
    with pytest.raises(ValueError, match="names must list"):
        site_tools.toc([])


def test_the_site_uses_the_richest_profile_run(tmp_path):
    build = tmp_path / "build"
    for profile in ("smoke", "laptop"):
        folder = build / "notebooks" / profile
        folder.mkdir(parents=True)
        clean_notebook(folder / "07_example.ipynb")
    assert site_tools.richest_run(build) == build / "notebooks" / "laptop"
    assert nbformat.read(str(site_tools.richest_run(build) / "07_example.ipynb"), 4).cells


def test_site_needs_executed_notebooks(tmp_path):
    with pytest.raises(FileNotFoundError, match="make run"):
        site_tools.richest_run(tmp_path)
    with pytest.raises(FileNotFoundError, match="make run"):
        site_tools.render_site(tmp_path)


def test_serve_needs_a_built_site(tmp_path):
    with pytest.raises(FileNotFoundError, match="build the site first"):
        with site_tools.serve(tmp_path):
            pass
