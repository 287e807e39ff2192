"""The static site ``make html`` writes, opened in Chromium as a reader would, offline.

The site is exported to ``build/html/`` (as ``make html`` does), then the index is opened and a
chapter with graphs reached by clicking its link: its graphs must be inline SVG with the
expected labels, the stepper's static strip must stand in for the widget, and no image may
be broken. Requests to the network are refused, so the pages are seen as an offline reader
sees them.
"""

import importlib.util
import sys
from pathlib import Path

import pytest
from course_chapters import CHAPTERS

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "course"
SITE = REPO / "build" / "html"

IMAGES_SETTLED = """() => [...document.images].every(img => img.complete)"""
BROKEN_IMAGES = """() => [...document.images]
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.src.slice(0, 80))"""
INLINE_GRAPHS = """() => [...document.querySelectorAll('.jp-RenderedSVG svg, .stepgrad-strip svg')]
    .map(svg => ({
        visible: svg.getBoundingClientRect().width > 0 && svg.getBoundingClientRect().height > 0,
        labels: [...svg.querySelectorAll('text')].map(text => text.textContent.trim()),
    }))"""


def load_exporter():
    spec = importlib.util.spec_from_file_location("export_html", REPO / "tools" / "export_html.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(chromium_context):
    chapters = sorted(COURSE.glob("[0-9]*.ipynb"))
    if not chapters:
        pytest.skip("course/ has no chapters yet, so there is no site to open")
    load_exporter().export_course(COURSE, SITE)
    return chapters


@pytest.fixture
def offline_page(page):
    page.route("http*://**", lambda route: route.abort())  # MathJax's CDN included
    return page


def first_chapter_with_graphs():
    for chapter in CHAPTERS:
        if chapter.node_labels and (COURSE / chapter.notebook).exists():
            return chapter
    pytest.skip("no chapter with graphs is written yet")


def open_page(page, url: str):
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(IMAGES_SETTLED)


def test_the_index_links_every_chapter_and_shows_no_broken_image(site, offline_page, screenshots):
    open_page(offline_page, (SITE / "index.html").as_uri())
    links = offline_page.locator("ol.chapters li a")
    assert links.count() == len(site)
    for position, notebook in enumerate(site):
        assert links.nth(position).get_attribute("href") == f"{notebook.stem}.html"
    descriptions = offline_page.locator("ol.chapters li .description").all_inner_texts()
    assert all(text.strip() for text in descriptions), descriptions
    assert not offline_page.evaluate(BROKEN_IMAGES)
    offline_page.screenshot(path=str(screenshots / "site-index.png"), full_page=True)


def test_a_chapter_reached_from_the_index_shows_its_graphs_as_inline_svg(
    site, offline_page, screenshots
):
    chapter = first_chapter_with_graphs()
    stem = Path(chapter.notebook).stem
    open_page(offline_page, (SITE / "index.html").as_uri())
    offline_page.click(f"ol.chapters a[href='{stem}.html']")
    offline_page.wait_for_url(f"**/{stem}.html")
    offline_page.wait_for_function(IMAGES_SETTLED)

    graphs = offline_page.evaluate(INLINE_GRAPHS)
    assert graphs, "no inline SVG graph on the page"
    assert all(graph["visible"] for graph in graphs)
    shown = {label for graph in graphs for label in graph["labels"]}
    assert not [label for label in chapter.node_labels if label not in shown]
    assert not offline_page.evaluate(BROKEN_IMAGES)
    assert not offline_page.locator("img[src^='data:image/svg+xml']").count()

    if chapter.stepper:
        strip = offline_page.locator(".stepgrad-strip").first
        assert offline_page.locator(".stepgrad-strip figure.stepgrad-strip-step").count() >= 2
        strip.scroll_into_view_if_needed()
    else:
        offline_page.locator(".jp-RenderedSVG svg").first.scroll_into_view_if_needed()
    offline_page.screenshot(path=str(screenshots / f"site-{stem}.png"))


def test_the_next_link_of_a_chapter_opens_the_next_chapter(site, offline_page):
    if len(site) < 2:
        pytest.skip("the course has one chapter so far; there is no next one to open")
    first, second = site[0], site[1]
    open_page(offline_page, (SITE / f"{first.stem}.html").as_uri())
    offline_page.locator("nav.stepgrad-chapter-nav a[rel='next']").first.click()
    offline_page.wait_for_url(f"**/{second.stem}.html")
    assert offline_page.locator("h1").first.inner_text().strip()
