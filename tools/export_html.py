"""Export the executed course to a static web site, without running any code.

    python tools/export_html.py                  # course/*.ipynb -> build/html/
    python tools/export_html.py --course DIR --out DIR

Every notebook under the course folder becomes an HTML page (nbconvert's lab template) beside
an ``index.html`` that lists the chapters, each with a one-line description. The pages read
without a kernel:

- graphs are inline SVG, so they scale and their labels can be searched and tested;
- a widget output shows the static rendering it carries (the stepper's strip of all steps),
  because on a web page there is no kernel to drive the live widget;
- links to other notebooks point at their ``.html`` pages, and each chapter has previous /
  index / next links.

The notebooks are read as committed: their stored outputs are the content. Nothing here runs
a cell, so the site shows exactly what nbval has validated.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

REPO = Path(__file__).resolve().parents[1]

# A chapter is a numbered notebook at the top of the course folder (00_welcome.ipynb, ...).
CHAPTER_NAME = re.compile(r"^\d+_.*\.ipynb$")

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Our page template: nbconvert's lab template with three changes. SVG is written inline
# (nbconvert would otherwise wrap it in an <img>, or escape it when asked to inline it);
# require.js and mermaid are not loaded, as nothing on our pages needs them and a reader
# offline would wait on them; and every chapter gets previous / index / next links.
PAGE_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}
<style type="text/css">
  .jp-RenderedSVG svg { max-width: 100%; height: auto; }
  nav.stepgrad-chapter-nav { display: flex; justify-content: space-between; gap: 1em;
    margin: 1em auto; padding: 0.5em 1em; max-width: 60em;
    font-family: var(--jp-ui-font-family); border-bottom: 1px solid #ddd; }
  nav.stepgrad-chapter-nav.bottom { border-bottom: none; border-top: 1px solid #ddd; }
</style>
{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.stepgrad_nav }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.stepgrad_nav | replace('stepgrad-chapter-nav', 'stepgrad-chapter-nav bottom') }}
{{ super() }}
{% endblock body_footer %}
{% block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
{{ output.data['image/svg+xml'] | stepgrad_inline_svg }}
</div>
{%- endblock data_svg %}
"""

INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 48em; margin: 2em auto;
         padding: 0 1em; line-height: 1.5; color: #222; }}
  ol.chapters {{ padding-left: 0; list-style: none; }}
  ol.chapters li {{ margin: 0.8em 0; }}
  ol.chapters a {{ font-weight: 600; }}
  .description {{ display: block; color: #555; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{intro}</p>
<ol class="chapters">
{chapters}
</ol>
{others}
</body>
</html>
"""


@dataclass(frozen=True)
class Page:
    """One exported notebook: where it came from, where it goes, and how the index names it."""

    source: Path
    relative_html: str  # path of the page inside the site, with forward slashes
    title: str
    description: str
    is_chapter: bool


def find_notebooks(course: Path) -> list[Path]:
    """All notebooks under ``course`` (chapters, solutions, ...), checkpoints left out."""
    return sorted(
        path
        for path in course.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts and not path.name.startswith(".")
    )


def plain_text(markdown: str) -> str:
    """Markdown inline syntax reduced to readable text: ``**a** [b](c) `d**2` `` -> ``a b d**2``."""
    code_spans: list[str] = []

    def set_aside(match: re.Match) -> str:  # code is shown verbatim, ** and all
        code_spans.append(match.group(1))
        return f"\0{len(code_spans) - 1}\0"

    text = re.sub(r"`([^`]*)`", set_aside, markdown)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images: keep the alt text
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: keep their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML tags
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)  # strong
    text = re.sub(r"(?<!\w)([*_])(\S(?:.*?\S)?)\1(?!\w)", r"\2", text)  # emphasis
    text = re.sub(r"\0(\d+)\0", lambda match: code_spans[int(match.group(1))], text)
    return " ".join(text.split())


def first_sentence(paragraph: str, limit: int = 200) -> str:
    """The first sentence of a paragraph, cut at ``limit`` characters so it stays one line."""
    match = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    sentence = match.group(1) if match else paragraph
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "\u2026"
    return sentence


def title_and_description(notebook: nbformat.NotebookNode, fallback_title: str) -> tuple[str, str]:
    """A notebook's first heading, and its description for the index.

    The description is ``metadata.stepgrad.description`` (or ``metadata.description``) when a
    chapter sets one, otherwise the first sentence of the first paragraph after the title.
    """
    title, first_paragraph = "", ""
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for block in re.split(r"\n\s*\n", cell.source):
            block = block.strip()
            if not block:
                continue
            heading = re.match(r"#+\s+(.*)", block)
            if heading and not title:
                title = plain_text(heading.group(1))
                rest = block[heading.end() :].strip()  # a paragraph right under the heading
                if rest and not first_paragraph:
                    first_paragraph = plain_text(rest)
            elif not heading and not block.startswith(("$$", "```", "|", "<", "-", "*", ">")):
                first_paragraph = first_paragraph or plain_text(block)
            if title and first_paragraph:
                break
        if title and first_paragraph:
            break
    metadata = notebook.metadata
    described = metadata.get("stepgrad", {}).get("description") or metadata.get("description")
    description = described or first_sentence(first_paragraph)
    return title or fallback_title, description


def inline_svg(svg: str) -> str:
    """An SVG document made fit to sit inside HTML: no XML prolog, doctype or comments."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg, flags=re.IGNORECASE)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    return svg.strip()


def without_live_widgets(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy whose widget outputs fall back to their static rendering.

    Widget state is dropped so nbconvert does not load the widget manager from a CDN; the
    page then shows the output's next-best MIME type (the stepper's strip as ``text/html``).
    """
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data and len(data) > 1:
                del data[WIDGET_VIEW]
    return notebook


NOTEBOOK_LINK = re.compile(r'(href=")(?![a-z][a-z0-9+.-]*:|//|#)([^"#?]*?)\.ipynb([#?][^"]*)?"')


def link_pages_not_notebooks(page_html: str) -> str:
    """Relative links to ``x.ipynb`` (with or without ``#anchor``) now point at ``x.html``."""
    return NOTEBOOK_LINK.sub(
        lambda m: f'{m.group(1)}{m.group(2)}.html{m.group(3) or ""}"', page_html
    )


def chapter_nav(pages: list[Page], page: Page) -> str:
    """Previous / contents / next links for a page (relative, so the site can move)."""
    up = "../" * page.relative_html.count("/")
    chapters = [p for p in pages if p.is_chapter]
    position = chapters.index(page) if page.is_chapter else None
    previous = chapters[position - 1] if position else None
    following = (
        chapters[position + 1] if position is not None and position + 1 < len(chapters) else None
    )
    links = [
        f'<a rel="prev" href="{up}{previous.relative_html}">&larr; {html.escape(previous.title)}</a>'
        if previous
        else "<span></span>",
        f'<a href="{up}index.html">Contents</a>',
        f'<a rel="next" href="{up}{following.relative_html}">{html.escape(following.title)} &rarr;</a>'
        if following
        else "<span></span>",
    ]
    return '<nav class="stepgrad-chapter-nav">' + "".join(links) + "</nav>"


def make_exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"stepgrad_page.html.j2": PAGE_TEMPLATE})],
        template_file="stepgrad_page.html.j2",
        embed_images=True,  # images that markdown cells link to travel inside the page
    )
    exporter.register_filter("stepgrad_inline_svg", inline_svg)
    return exporter


def index_page(pages: list[Page]) -> str:
    def item(page: Page) -> str:
        return (
            f'<li><a href="{page.relative_html}">{html.escape(page.title)}</a>'
            f'<span class="description">{html.escape(page.description)}</span></li>'
        )

    chapters = "\n".join(item(page) for page in pages if page.is_chapter)
    others = [page for page in pages if not page.is_chapter]
    others_html = ""
    if others:
        others_html = (
            '<h2>Also in the course</h2>\n<ul class="others">\n'
            + "\n".join(item(page) for page in others)
            + "\n</ul>"
        )
    return INDEX_TEMPLATE.format(
        title="Understanding Autograd",
        intro=(
            "An interactive course on automatic differentiation, built on stepgrad. These "
            "pages show each chapter as it was last run; open the notebooks in JupyterLab "
            "to step through the graphs yourself."
        ),
        chapters=chapters,
        others=others_html,
    )


def export_course(course: Path, out: Path) -> list[Page]:
    """Write one HTML page per notebook under ``course`` and ``index.html`` into ``out``."""
    notebooks = find_notebooks(course)
    if not notebooks:
        raise SystemExit(f"export_html: no notebooks found under {course}; nothing to export.")
    read = {path: nbformat.read(path, as_version=4) for path in notebooks}
    pages = []
    for path in notebooks:
        relative = path.relative_to(course).with_suffix(".html").as_posix()
        title, description = title_and_description(read[path], fallback_title=path.stem)
        is_chapter = path.parent == course and bool(CHAPTER_NAME.match(path.name))
        pages.append(Page(path, relative, title, description, is_chapter))
    pages.sort(key=lambda page: (not page.is_chapter, page.relative_html))

    exporter = make_exporter()
    for page in pages:
        resources = {
            "metadata": {"name": page.title, "path": str(page.source.parent)},
            "stepgrad_nav": chapter_nav(pages, page),
        }
        body, _ = exporter.from_notebook_node(without_live_widgets(read[page.source]), resources)
        target = out / page.relative_html
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(link_pages_not_notebooks(body), encoding="utf-8")
    (out / "index.html").write_text(index_page(pages), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=REPO / "course")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "html")
    args = parser.parse_args(argv)
    pages = export_course(args.course.resolve(), args.out.resolve())
    print(f"Exported {len(pages)} notebooks to {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
