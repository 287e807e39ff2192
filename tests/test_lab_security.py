"""The lab ``make lab`` starts, seen from outside: token at every door, loopback only, no leftovers.

``tests/test_lab_command.py`` checks the command (tools/lab.py) and that its API refuses a
request without the token. This module starts the lab through the Makefile's own recipe with
the harness the browser tests use (``tests/labserver.py``) and checks what a learner's browser
and the machine see: the lab page itself sends a visitor without the token to the login page,
a wrong token is refused, the kernels the server starts listen on loopback too, and stopping
the lab leaves no process behind.
"""

import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/labserver.py
from labserver import descendants, is_alive, listening_addresses, running_lab

if not sys.platform.startswith("linux"):
    pytest.skip(
        "reads processes and sockets from /proc, which only Linux has", allow_module_level=True
    )
pytest.importorskip("jupyterlab", reason="these tests start JupyterLab itself")

LOOPBACK = ("127.0.0.1", "::1")


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # hand the 302 itself to the test


def get(url: str, headers: dict | None = None):
    """(status, Location header) of a GET, redirects not followed."""
    opener = urllib.request.build_opener(KeepRedirects)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as answer:
            return answer.status, answer.headers.get("Location")
    except urllib.error.HTTPError as refusal:
        return refusal.code, refusal.headers.get("Location")


@pytest.fixture(scope="module")
def lab():
    with running_lab() as server:
        yield server


def test_the_lab_page_sends_a_visitor_without_the_token_to_the_login_page(lab):
    status, location = get(lab.url("lab"))
    assert status == 302
    assert urllib.parse.urlsplit(location).path == "/login"


def test_a_notebook_url_without_the_token_is_sent_to_the_login_page_too(lab):
    status, location = get(lab.url("lab/tree/00_welcome.ipynb"))
    assert status == 302
    assert urllib.parse.urlsplit(location).path == "/login"


def test_the_api_refuses_a_wrong_token(lab):
    status, _ = get(lab.url("api/contents"), headers={"Authorization": "token guessed-wrong"})
    assert status == 403


def test_the_url_the_server_prints_opens_the_lab(lab):
    status, _ = get(lab.url("lab", token=True))
    assert status == 200


def test_the_server_and_its_kernels_listen_only_on_loopback(lab):
    kernel = lab.api("kernels", method="POST")
    try:
        # A kernel listens on five ports of its own once it has started: wait to see them.
        deadline = time.monotonic() + 60
        while True:
            addresses = listening_addresses({lab.process.pid} | descendants(lab.process.pid))
            if len(addresses) >= 1 + 5 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(addresses) >= 1 + 5, f"the kernel's ports never showed up: {addresses}"
        assert ("127.0.0.1", lab.port) in addresses
        beyond_this_machine = {address for address in addresses if address[0] not in LOOPBACK}
        assert not beyond_this_machine, f"listening beyond this machine: {beyond_this_machine}"
    finally:
        lab.api(f"kernels/{kernel['id']}", method="DELETE")


def test_stopping_the_lab_leaves_no_process_behind_not_even_a_kernel():
    with running_lab() as server:
        server.api("kernels", method="POST")
        processes = server.remember_processes()
        assert len(processes) >= 2  # the server and its kernel
    assert not [pid for pid in processes if is_alive(pid)]
