"""Start the course's JupyterLab the way ``make lab`` does, for tests, and always stop it.

    with running_lab() as lab:
        lab.api("contents")                      # with the server's own token
        urllib.request.urlopen(lab.url("lab"))   # without it: redirected to the login page

The command is the Makefile's ``lab`` recipe (``python tools/lab.py $(LAB_ARGS)``) in the
Makefile's environment (``.venv/bin`` first on PATH, Jupyter's state in ``.jupyter/``), read
from the Makefile itself; ``make test-browser`` has run the set-up before. A test adds only what
it needs to run unattended, as ``LAB_ARGS``: a free port, no browser, a fresh workspaces
directory (JupyterLab restores old tabs otherwise) and settings overrides on top of the
set-up's (no news pop-up, no autosave over the committed notebooks, every cell in the DOM). The
server's runtime directory is private, so its token is read from there: never passed in.

Stopping is thorough because a test must never leave a process behind: the server is asked to
shut down (which stops its kernels), then its process group gets SIGTERM and SIGKILL, and every
descendant seen while it ran (kernels live in process groups of their own) is killed too.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# What the tests need JupyterLab to do differently from a learner's session, as settings
# overrides (the same mechanism an administrator uses), so nothing on disk is touched.
TEST_SETTINGS_OVERRIDES = {
    # The "get notified about Jupyter news?" toast covers screenshots.
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Running cells in a test must not rewrite the committed, validated notebooks.
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    # Windowed notebooks drop off-screen cells from the DOM; the checks read every cell.
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


class LabStartError(RuntimeError):
    """JupyterLab did not come up; the message carries the end of its log."""


class MakefileChanged(RuntimeError):
    """The Makefile no longer has the ``lab`` recipe this harness knows how to read."""


def _expand(value: str, environment: dict) -> str:
    """A Makefile value with the variables ``make lab`` uses replaced."""
    value = value.replace("$(CURDIR)", str(REPO)).replace("$(VENV)", ".venv")
    return value.replace("$(PATH)", environment.get("PATH", os.defpath))


def make_lab_environment(base: dict | None = None) -> dict:
    """The environment ``make lab`` runs in: ``base`` plus the Makefile's ``export`` lines.

    The Makefile keeps Jupyter's configuration, data (the trust database) and IPython's state
    in ``.jupyter/`` inside the project and puts ``.venv/bin`` first on PATH. Under ``make``
    these are already exported; a variable the caller has set is left as it is.
    """
    environment = dict(os.environ if base is None else base)
    for line in (REPO / "Makefile").read_text().splitlines():
        if line.startswith("export ") and ":=" in line:
            name, value = (part.strip() for part in line[len("export ") :].split(":=", 1))
            if name == "PATH":
                venv_bin = _expand(value, environment).split(os.pathsep, 1)[0]
                if venv_bin not in environment.get("PATH", "").split(os.pathsep):
                    environment["PATH"] = _expand(value, environment)
            else:
                environment.setdefault(name, _expand(value, environment))
    return environment


def lab_command(lab_args: list[str], environment: dict) -> list[str]:
    """The ``make lab`` recipe as an argument list, with ``lab_args`` as its ``$(LAB_ARGS)``.

    Read from the Makefile itself, so the tests start the lab the way learners do.
    """
    makefile = (REPO / "Makefile").read_text()
    recipe = re.search(r"^lab:[^\n]*\n((?:\t[^\n]*\n)+)", makefile, flags=re.MULTILINE)
    if not recipe or len(recipe.group(1).strip().splitlines()) != 1:
        raise MakefileChanged("expected a one-line `lab:` recipe in the Makefile")
    words = shlex.split(_expand(recipe.group(1).strip(), environment))
    command = []
    for word in words:
        command += lab_args if word == "$(LAB_ARGS)" else [word]
    if "$(" in " ".join(command):
        raise MakefileChanged(
            f"the `lab:` recipe uses variables this harness does not know: {words}"
        )
    command[0] = shutil.which(command[0], path=environment["PATH"]) or command[0]
    return command


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- processes and sockets, read from /proc (Linux; psutil is not a dependency) ----


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name sits in parentheses and may contain spaces: split after the last ')'.
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(pid: int) -> set[int]:
    """Every live process whose chain of parents leads to ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def is_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited and only waits for its parent to reap it


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
    return inodes


def _decode_address(hex_address: str) -> tuple[str, int]:
    host_hex, port_hex = hex_address.split(":")
    raw = bytes.fromhex(host_hex)
    if len(raw) == 4:
        host = socket.inet_ntop(socket.AF_INET, raw[::-1])
    else:  # /proc stores IPv6 as four little-endian 32-bit words
        words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
        host = socket.inet_ntop(socket.AF_INET6, words)
    return host, int(port_hex, 16)


def listening_addresses(pids: set[int]) -> set[tuple[str, int]]:
    """(host, port) of every TCP socket in LISTEN state held by one of ``pids``."""
    inodes = set().union(*(_socket_inodes(pid) for pid in pids)) if pids else set()
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                listening = fields[3] == "0A"
                if listening and fields[9] in inodes:
                    found.add(_decode_address(fields[1]))
    return found


# ---- the server ----


@dataclass
class Lab:
    """A running JupyterLab: its process, where it listens, and its own token."""

    process: subprocess.Popen
    port: int
    token: str
    root_dir: Path
    log_path: Path
    seen_pids: set[int] = field(default_factory=set)

    def url(self, path: str = "", token: bool = False) -> str:
        address = f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"
        if token:
            address += ("&" if "?" in address else "?") + f"token={self.token}"
        return address

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines)

    def api(self, path: str, method: str = "GET"):
        """The JSON answer of a REST call to the server, with its token."""
        request = urllib.request.Request(
            self.url(f"api/{path}"), method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self):
        """Stop every kernel (a finished chapter's kernel would idle on until the end)."""
        self.remember_processes()
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")

    def remember_processes(self) -> set[int]:
        """Note the server's processes now (kernels come and go) so stop() can find them all."""
        self.seen_pids |= {self.process.pid} | descendants(self.process.pid)
        return self.seen_pids


def _read_runtime_file(runtime_dir: Path) -> dict | None:
    for info_file in runtime_dir.glob("jpserver-*.json"):
        with contextlib.suppress(OSError, ValueError):
            return json.loads(info_file.read_text())
    return None


def _wait_until_serving(lab_process, runtime_dir: Path, log_path: Path, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab_process.poll() is not None:
            raise LabStartError(
                f"JupyterLab exited with code {lab_process.returncode} before serving. "
                f"Its log ({log_path}) ends with:\n{_tail(log_path)}"
            )
        info = _read_runtime_file(runtime_dir)
        if info:
            status = f"http://127.0.0.1:{info['port']}/api/status?token={info['token']}"
            with contextlib.suppress(OSError), urllib.request.urlopen(status, timeout=5) as answer:
                if answer.status == 200:
                    return info
        time.sleep(0.25)
    raise LabStartError(
        f"JupyterLab did not answer within {timeout:.0f} s. Its log ({log_path}) ends with:\n"
        f"{_tail(log_path)}"
    )


def _tail(path: Path, lines: int = 40) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


def _overrides_with_projects_own(python: str) -> dict:
    """The test overrides on top of those the set-up wrote into the environment's settings."""
    prefix = Path(python).resolve().parents[1] if Path(python).is_absolute() else None
    merged: dict = {}
    if prefix is not None:
        with contextlib.suppress(OSError, ValueError):
            installed = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
            merged = json.loads(installed.read_text())
    for plugin, settings in TEST_SETTINGS_OVERRIDES.items():
        merged.setdefault(plugin, {}).update(settings)
    return merged


def stop(lab: Lab, grace: float = 10.0) -> set[int]:
    """Shut the server and everything it started down; return pids that survived (none)."""
    lab.remember_processes()
    if lab.process.poll() is None:
        request = urllib.request.Request(
            lab.url("api/shutdown"), method="POST", headers={"Authorization": f"token {lab.token}"}
        )
        with contextlib.suppress(OSError):
            urllib.request.urlopen(request, timeout=5).close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            lab.process.wait(timeout=grace)
    for signum in (signal.SIGTERM, signal.SIGKILL):
        if lab.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(lab.process.pid, signum)
            with contextlib.suppress(subprocess.TimeoutExpired):
                lab.process.wait(timeout=grace)
        for pid in lab.seen_pids - {lab.process.pid}:
            if is_alive(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signum)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(is_alive(p) for p in lab.seen_pids):
            time.sleep(0.1)
    with contextlib.suppress(subprocess.TimeoutExpired):
        lab.process.wait(timeout=1)
    return {pid for pid in lab.seen_pids if is_alive(pid)}


@contextlib.contextmanager
def running_lab(timeout: float = 90.0):
    """Serve the course as ``make lab`` does, on a free port; stop it when the block ends.

    Yields a ``Lab``. The server is stopped however the block ends.
    """
    with tempfile.TemporaryDirectory(prefix="stepgrad-lab-") as scratch:
        scratch = Path(scratch)
        runtime_dir, workspaces, settings, user_settings = (
            scratch / name for name in ("runtime", "workspaces", "settings", "user-settings")
        )
        for directory in (runtime_dir, workspaces, settings, user_settings):
            directory.mkdir()
        env = make_lab_environment()
        env["JUPYTER_RUNTIME_DIR"] = str(runtime_dir)  # where the server writes its token
        env.pop("JUPYTER_TOKEN", None)  # the token must be the server's own random one
        if env.get("PYTHONPATH"):  # `PYTHONPATH=lib pytest`: kernels start in course/
            env["PYTHONPATH"] = os.pathsep.join(
                str((REPO / entry).resolve()) for entry in env["PYTHONPATH"].split(os.pathsep)
            )
        command = lab_command(
            [
                "--no-browser",
                f"--ServerApp.port={free_port()}",
                "--ServerApp.port_retries=0",
                f"--LabApp.workspaces_dir={workspaces}",
                f"--LabApp.app_settings_dir={settings}",
                f"--LabApp.user_settings_dir={user_settings}",
            ],
            env,
        )
        (settings / "overrides.json").write_text(
            json.dumps(_overrides_with_projects_own(command[0]), indent=1)
        )
        log_path = scratch / "lab.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so it can be stopped whole
            )
        lab = Lab(process, 0, "", REPO / "course", log_path)
        try:
            info = _wait_until_serving(process, runtime_dir, log_path, timeout)
            lab.port, lab.token = int(info["port"]), info["token"]
            lab.root_dir = Path(info.get("root_dir") or lab.root_dir)
            lab.remember_processes()
            yield lab
        finally:
            survivors = stop(lab)
            if survivors:
                raise RuntimeError(
                    f"processes {sorted(survivors)} of the lab ({shlex.join(command)}) "
                    "survived SIGKILL"
                )
