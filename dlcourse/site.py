"""The course site: the executed notebooks of the richest profile run, as HTML in build/site."""

from __future__ import annotations

from pathlib import Path

from dlcourse import runner

BUILD = runner.BUILD


def render_site(build: Path = BUILD) -> Path:
    """HTML pages of the executed notebooks (the richest profile run), under build/site."""
    from nbconvert import HTMLExporter

    from dlcourse import profiles

    runs = [build / "notebooks" / p for p in reversed(profiles.PROFILES)
            if (build / "notebooks" / p).is_dir()]
    if not runs:
        raise FileNotFoundError(f"no executed notebooks under {build}/notebooks; run `make run`")
    site = build / "site"
    site.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    links = []
    for path in sorted(runs[0].glob("*.ipynb")):
        body, _ = exporter.from_filename(str(path))
        (site / f"{path.stem}.html").write_text(body, encoding="utf-8")
        links.append(f'<li><a href="{path.stem}.html">{path.stem}</a></li>')
    (site / "index.html").write_text(
        "<h1>dlcourse</h1><ul>" + "".join(links) + "</ul>\n", encoding="utf-8")
    return site
