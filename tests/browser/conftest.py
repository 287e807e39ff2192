"""Fixtures for the browser tests: the course's JupyterLab, and Chromium to look at it.

These tests run with ``make test-browser`` (``pytest tests/browser --browser``). Under a plain
``pytest`` (``make test``) they are skipped with that reason, because they need a browser and
take minutes; CI runs them as a separate step.

Chromium is Debian's package (``/usr/bin/chromium``), driven by Playwright with
``executable_path``: Playwright never downloads a browser here. When Chromium is missing it is
installed from apt if we are root; otherwise the tests are skipped with the command to run
(in CI, where ``CI`` is set, they fail instead: there the browser test must run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))  # tests/labserver.py, shared with tests/test_lab_security.py
from labserver import running_lab

CHROMIUM = Path(os.environ.get("STEPGRAD_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "build" / "screenshots"

# Flags that make headless Chromium work in our containers and keep it off the network
# (Playwright adds --headless itself).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_addoption(parser):
    parser.addoption(
        "--browser",
        action="store_true",
        default=False,
        help="run the JupyterLab and static-site tests in headless Chromium (make test-browser)",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--browser", default=False):
        return
    skip = pytest.mark.skip(
        reason="browser test: runs with `make test-browser` (pytest tests/browser --browser)"
    )
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(skip)


def ensure_chromium() -> str | None:
    """None when Chromium is ready, else the reason it cannot be had."""
    if CHROMIUM.exists():
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return (
            f"Chromium is not installed at {CHROMIUM} and installing it needs root and apt: "
            "run `sudo apt-get install -y chromium`, then `make test-browser`"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "chromium"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=False)  # a stale package list
        subprocess.run(install, env=env, check=False)
    if not CHROMIUM.exists():
        pytest.fail(f"`apt-get install -y chromium` ran as root but {CHROMIUM} is still missing")
    return None


def cannot_run(reason: str):
    """Skip, saying why; in CI, where the browser test must run, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests, but {reason}")
    print(f"\nSKIPPED browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_context():
    """A headless Chromium with a fresh profile, closed after the session."""
    reason = ensure_chromium()
    if reason:
        cannot_run(reason)
    try:
        from playwright import sync_api
    except ImportError:
        cannot_run("Playwright is not installed in this environment: pip install playwright")
    with (
        tempfile.TemporaryDirectory(prefix="stepgrad-chromium-") as profile,
        sync_api.sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(60_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def lab(chromium_context):
    """The course's JupyterLab (started as ``make lab`` does), stopped whatever happens."""
    with running_lab() as server:
        try:
            yield server
        finally:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(server.log_path, SCREENSHOTS / "jupyterlab.log")


@pytest.fixture
def page(chromium_context):
    page = chromium_context.new_page()
    try:
        yield page
    finally:
        page.close()


@pytest.fixture
def lab_page(lab, page):
    """A browser tab for one notebook; its kernels are stopped when the test ends."""
    try:
        yield page
    finally:
        page.close()
        lab.shut_down_kernels()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
