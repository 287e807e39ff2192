"""`make lab` serves the course on 127.0.0.1 only, always behind the server's own token.

The command itself (tools/lab.py) and a live server started through it. The browser tests start
their lab with tests/labserver.py.
"""

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/labserver.py
from labserver import free_port

ROOT = Path(__file__).resolve().parent.parent
LAB_SCRIPT = ROOT / "tools" / "lab.py"


def load_lab():
    spec = importlib.util.spec_from_file_location("lab", LAB_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lab = load_lab()


# --- what the lab command is -----------------------------------------------------------------


def test_lab_listens_on_loopback_and_carries_no_token():
    command = lab.lab_command([])
    assert "--ServerApp.ip=127.0.0.1" in command
    assert not any("token" in argument.lower() for argument in command)
    assert f"--ServerApp.root_dir={ROOT / 'course'}" in command


def test_lab_adds_allow_root_exactly_when_running_as_root(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert "--allow-root" in lab.lab_command([])
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in lab.lab_command([])


def test_lab_listens_elsewhere_only_when_the_learner_asks():
    command = lab.lab_command(["--ip=192.0.2.1"])
    assert "--ServerApp.ip=127.0.0.1" not in command
    assert command[-1] == "--ip=192.0.2.1"


@pytest.mark.parametrize(
    "argument",
    ["--IdentityProvider.token=", "--ServerApp.token=''", "--NotebookApp.token=abc", "--token=x"],
)
def test_lab_refuses_a_token_on_the_command_line(argument):
    result = subprocess.run(
        [sys.executable, str(LAB_SCRIPT), argument],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "JUPYTER_TOKEN" in result.stderr and "`ps`" in result.stderr
    assert "Traceback" not in result.stderr


def test_makefile_starts_the_lab_only_through_the_guarded_script():
    makefile = (ROOT / "Makefile").read_text()
    lab_recipe = makefile.split("\nlab: setup\n", 1)[1].split("\n\n", 1)[0]
    assert lab_recipe.strip() == "python tools/lab.py $(LAB_ARGS)"
    for text in (makefile, LAB_SCRIPT.read_text()):
        assert "0.0.0.0" not in text
        assert "token=" not in text.lower().replace("jupyter_token", "")
        assert "disable_check_xsrf" not in text


# --- the running server ----------------------------------------------------------------------


def wait_for_server_info(runtime_dir, server, deadline_seconds=90):
    """The JSON file a Jupyter server writes about itself once it listens."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited early:\n{server.stdout.read()}")
        for info_file in runtime_dir.glob("jpserver-*.json"):
            try:
                return json.loads(info_file.read_text())
            except json.JSONDecodeError:
                pass  # written but not complete yet
        time.sleep(0.2)
    pytest.fail("JupyterLab did not start within 90 seconds")


def status_of(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as refusal:
        return refusal.code


def listening_addresses(port):
    """Local addresses of the TCP sockets listening on port, from Linux's /proc/net."""
    addresses = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                addresses.append(address if len(address) == width else "?")
    return addresses


@pytest.fixture(scope="module")
def running_lab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="the live check starts JupyterLab itself")
    state = tmp_path_factory.mktemp("jupyter")
    port = free_port()
    environment = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state / "config"),
        "JUPYTER_DATA_DIR": str(state / "data"),
        "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
        "IPYTHONDIR": str(state / "ipython"),
    }
    environment.pop("JUPYTER_TOKEN", None)
    server = subprocess.Popen(
        [
            sys.executable,
            str(LAB_SCRIPT),
            "--no-browser",
            f"--port={port}",
            "--ServerApp.port_retries=0",
        ],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        info = wait_for_server_info(state / "runtime", server)
        yield server, info, port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


def test_lab_server_listens_on_127_0_0_1_only(running_lab):
    _, info, port = running_lab
    assert info["hostname"] == "127.0.0.1"
    assert info["port"] == port
    if not os.path.exists("/proc/net/tcp"):
        pytest.skip("listening sockets are read from Linux's /proc/net")
    assert listening_addresses(port) == ["0100007F"]  # 127.0.0.1, in /proc's byte order


def test_lab_server_has_a_random_token_that_is_not_on_its_command_line(running_lab):
    server, info, _ = running_lab
    token = info["token"]
    assert len(token) >= 32
    command_line = Path(f"/proc/{server.pid}/cmdline")
    if command_line.exists():
        assert token not in command_line.read_text()


def test_lab_server_refuses_a_request_without_the_token(running_lab):
    _, info, _ = running_lab
    assert status_of(f"{info['url']}api/contents") == 403


def test_lab_server_answers_a_request_that_carries_the_token(running_lab):
    _, info, _ = running_lab
    headers = {"Authorization": f"token {info['token']}"}
    assert status_of(f"{info['url']}api/contents", headers) == 200
