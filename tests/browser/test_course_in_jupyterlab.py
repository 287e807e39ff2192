"""Each chapter, as a learner meets it: opened in JupyterLab in Chromium, then Run All.

Per chapter (the table in ``course_chapters.py``):
1. before anything runs, the graphs stored in the notebook are visible (JupyterLab hides the
   SVG outputs of untrusted notebooks, and inline SVG outputs are ``<img>`` with data URLs);
2. the kernel is up, by name, in the status bar (the toolbar can say idle while the status bar
   still says "No Kernel");
3. Restart Kernel and Run All Cells, through the toolbar button and its dialog;
4. every code cell ran, in order, and none wrote an error or to stderr;
5. the graph drawings carry the expected node labels, the stepper's Next button moves the
   highlighted node and changes the explanation, the live loss plot ends as an image;
6. a screenshot goes to ``build/screenshots/<chapter>.png`` (and ``<chapter>-stored.png``
   of the notebook as opened, ``<chapter>-loss-plot.png`` of the finished loss plot).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from course_chapters import CHAPTERS, Chapter

COURSE = Path(__file__).resolve().parents[2] / "course"
RUN_ALL_TIMEOUT_MS = 300_000  # the whole course runs in under a minute; a chapter far less

# What stepgrad.viz promises the page will carry (its module docstring lists these classes).
STEPPER = ".stepgrad-stepper"
STEPPER_NEXT = f"{STEPPER} button.stepgrad-next"
STEPPER_EXPLANATION = f"{STEPPER} .stepgrad-stepper-explanation .stepgrad-explanation-text"
STEPPER_CURRENT_NODE = f"{STEPPER} .stepgrad-stepper-graph g.node.stepgrad-current"
LOSS_PLOT = "div.stepgrad-loss-plot"

# ---- what the page shows, read in the page ----

SVG_IMAGES = """() => [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output img')]
    .filter(img => img.src.startsWith('data:image/svg+xml'))
    .map(img => ({visible: img.offsetWidth > 0 && img.offsetHeight > 0,
                  loaded: img.complete && img.naturalWidth > 0}))"""

BROKEN_IMAGES = """() => [...document.querySelectorAll('.jp-Notebook img')]
    .filter(img => !(img.complete && img.naturalWidth > 0))
    .map(img => img.src.slice(0, 80))"""

# The <text> labels of every graph on the page: SVG outputs (decoded from their data URLs)
# and SVG written inline (the stepper shows its frames in an HTML widget).
GRAPH_LABELS = """() => {
    const labels = svg => [...svg.querySelectorAll('text')].map(t => t.textContent.trim());
    const fromImages = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output img')]
        .filter(img => img.src.startsWith('data:image/svg+xml'))
        .map(img => {
            const payload = img.src.slice(img.src.indexOf(',') + 1);
            const text = img.src.slice(0, img.src.indexOf(',')).endsWith(';base64')
                ? atob(payload) : decodeURIComponent(payload);
            return labels(new DOMParser().parseFromString(text, 'image/svg+xml'));
        });
    const inline = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output svg')]
        .filter(svg => svg.querySelector('g.node'))
        .map(labels);
    return [...fromImages, ...inline];
}"""

# Sets window.__stepgradRunStarted once any cell shows [*], so that the wait for the end of
# the run cannot be fooled by the stored prompts [1], [2], ... of the committed notebook.
WATCH_FOR_RUN_START = """() => {
    window.__stepgradRunStarted = false;
    const running = () => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .some(prompt => prompt.textContent.includes('*'));
    new MutationObserver(() => { if (running()) window.__stepgradRunStarted = true; })
        .observe(document.querySelector('.jp-Notebook'),
                 {subtree: true, childList: true, characterData: true});
}"""

RUN_FINISHED = """kernelName => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    const idle = [...document.querySelectorAll('.jp-StatusBar-Item')]
        .some(item => item.innerText.trim() === kernelName + ' | Idle');
    return window.__stepgradRunStarted && idle
        && !prompts.some(prompt => prompt.textContent.includes('*'));
}"""

PROMPTS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
    .map(cell => cell.querySelector('.jp-InputPrompt').textContent.trim())"""

ERROR_OUTPUTS = """() => [...document.querySelectorAll(
        '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(output => output.innerText.slice(0, 2000))"""


def stored_outputs(notebook: nbformat.NotebookNode, mime_type: str) -> int:
    """How many outputs JupyterLab shows as ``mime_type`` (none richer is in the bundle)."""
    richer = {"application/vnd.jupyter.widget-view+json", "text/html"}
    return sum(
        1
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if mime_type in output.get("data", {}) and not richer & set(output["data"])
    )


def present_chapters() -> list:
    params = []
    for chapter in CHAPTERS:
        missing = not (COURSE / chapter.notebook).exists()
        marks = [pytest.mark.skip(reason=f"course/{chapter.notebook} is not written yet")]
        params.append(pytest.param(chapter, id=chapter.notebook, marks=marks if missing else []))
    return params


def test_every_chapter_of_the_course_is_listed():
    listed = {chapter.notebook for chapter in CHAPTERS}
    unlisted = [
        path.name for path in sorted(COURSE.glob("[0-9]*.ipynb")) if path.name not in listed
    ]
    assert not unlisted, f"add a line for each to tests/browser/course_chapters.py: {unlisted}"


def open_notebook(page, lab, notebook: str, kernel_name: str):
    # A workspace of its own, so the page holds this notebook alone (no restored tabs).
    workspace = Path(notebook).stem
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{notebook}?reset", token=True))
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    # The kernel by name in the status bar: only then does Run All reach a kernel.
    page.locator(".jp-StatusBar-Item", has_text=f"{kernel_name} | Idle").wait_for()
    # Fold the file browser away so screenshots show the notebook.
    open_sidebar_tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if open_sidebar_tab.count():
        open_sidebar_tab.click()


def restart_and_run_all(page, kernel_name: str):
    page.evaluate(WATCH_FOR_RUN_START)
    page.click(".jp-NotebookPanel-toolbar [data-command='notebook:restart-run-all']")
    page.click(".jp-Dialog .jp-mod-accept")  # "Restart"
    page.wait_for_function(RUN_FINISHED, arg=kernel_name, timeout=RUN_ALL_TIMEOUT_MS)


def scroll_into_view(page, selector: str):
    target = page.locator(selector).first
    if target.count():
        target.scroll_into_view_if_needed()


# The stepper's state as the page shows it: the highlighted node, named by its SVG <title>
# (n<position in topological order>), and the explanation beneath the graph.
STEPPER_STATE = """([nodeSelector, textSelector]) => {
    const node = document.querySelector(nodeSelector);
    const text = document.querySelector(textSelector);
    return {node: node ? node.querySelector('title').textContent : null,
            text: text ? text.textContent.trim() : null};
}"""

STEPPER_MOVED = """([nodeSelector, textSelector, before]) => {
    const node = document.querySelector(nodeSelector);
    const text = document.querySelector(textSelector);
    return node && text && node.querySelector('title').textContent !== before.node
        && text.textContent.trim() !== before.text;
}"""


def check_stepper(page) -> list[str]:
    """Click Next twice; each click must move the highlighted node and change the text.

    A forward stepper may open on a frame with no node highlighted yet; after a click one must be.

    The graph and the sentence are two widgets that the kernel updates one after the other,
    so each click waits (up to 10 s) for both to change before it judges.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # fixture checked it

    problems = []
    page.locator(STEPPER).first.scroll_into_view_if_needed()
    selectors = [STEPPER_CURRENT_NODE, STEPPER_EXPLANATION]
    for click in (1, 2):
        before = page.evaluate(STEPPER_STATE, selectors)  # node None: a frame before step 1
        if before["text"] is None:
            return ["the stepper shows no explanation"]
        page.locator(STEPPER_NEXT).first.click()
        try:
            page.wait_for_function(STEPPER_MOVED, arg=[*selectors, before], timeout=10_000)
        except PlaywrightTimeoutError:
            after = page.evaluate(STEPPER_STATE, selectors)
            if after["node"] == before["node"]:
                problems.append(f"Next click {click}: the highlighted node stayed {before['node']}")
            if after["text"] == before["text"]:
                problems.append(f"Next click {click}: the explanation stayed {before['text']!r}")
    return problems


@pytest.mark.parametrize("chapter", present_chapters())
def test_chapter_runs_in_jupyterlab(chapter: Chapter, lab, lab_page, screenshots):
    page = lab_page
    notebook = nbformat.read(COURSE / chapter.notebook, as_version=4)
    kernel_name = notebook.metadata["kernelspec"]["display_name"]
    stem = Path(chapter.notebook).stem

    open_notebook(page, lab, chapter.notebook, kernel_name)

    # 1. Stored graphs are visible before anything runs (the notebook is trusted).
    stored_svgs = page.evaluate(SVG_IMAGES)
    expected_svgs = stored_outputs(notebook, "image/svg+xml")
    scroll_into_view(page, ".jp-OutputArea-output img")
    page.screenshot(path=str(screenshots / f"{stem}-stored.png"))
    assert len(stored_svgs) >= expected_svgs, (
        f"{expected_svgs} stored SVG outputs, {len(stored_svgs)} shown: is the notebook "
        "trusted? (make lab runs `jupyter trust` on the course)"
    )
    assert all(svg["visible"] and svg["loaded"] for svg in stored_svgs), stored_svgs

    # 2-4. Restart and run everything, as a learner would.
    restart_and_run_all(page, kernel_name)
    errors = page.evaluate(ERROR_OUTPUTS)
    assert not errors, "error or stderr output after Run All:\n" + "\n---\n".join(errors)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    prompts = page.evaluate(PROMPTS)
    ran = [prompt for prompt, cell in zip(prompts, code_cells) if cell.source.strip()]
    assert ran == [f"[{count}]:" for count in range(1, len(ran) + 1)], prompts
    assert not page.evaluate(BROKEN_IMAGES), "broken images after Run All"

    # 5. What the chapter promises to show.
    problems = []
    if chapter.node_labels:
        drawings = page.evaluate(GRAPH_LABELS)
        shown = {label for drawing in drawings for label in drawing}
        missing = [label for label in chapter.node_labels if label not in shown]
        if not drawings:
            problems.append("no graph drawing on the page after Run All")
        elif missing:
            problems.append(f"node labels missing from every graph: {missing}")
    if chapter.stepper:
        problems += check_stepper(page)
    if chapter.loss_plot:
        plot = page.locator(f".jp-Notebook {LOSS_PLOT} img").last
        scroll_into_view(page, LOSS_PLOT)
        if not plot.count() or not plot.evaluate("img => img.complete && img.naturalWidth > 0"):
            problems.append("the live loss plot did not end as an image")
        page.screenshot(path=str(screenshots / f"{stem}-loss-plot.png"))

    # 6. A picture of the chapter as it ended, with the richest output in view.
    for selector in (STEPPER, LOSS_PLOT, ".jp-OutputArea-output img"):
        if page.locator(selector).count():
            scroll_into_view(page, selector)
            break
    page.screenshot(path=str(screenshots / f"{stem}.png"))
    assert not problems, "\n".join(problems)
