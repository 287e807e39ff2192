"""Start JupyterLab on the course: reachable from this machine only, always behind a token.

``make lab`` runs this with the project environment's Python; extra arguments are passed to
JupyterLab (``make lab LAB_ARGS="--port=9999 --no-browser"``).

- It listens on 127.0.0.1 unless the learner asks otherwise with ``--ip``/``--ServerApp.ip``.
- The server makes its own random token and prints the URL that carries it. A token is never
  put on the command line, where ``ps`` shows it to every user of the machine, and it can
  never be turned off from here. For a fixed token, set ``JUPYTER_TOKEN`` in the environment.
- As root (containers, CI) it adds ``--allow-root``, which JupyterLab otherwise refuses.
"""

import os
import sys
from pathlib import Path

COURSE = Path(__file__).resolve().parent.parent / "course"
LOOPBACK = "127.0.0.1"

REFUSED = (
    "make lab does not take a token on the command line, where `ps` shows it to every user "
    "and where an empty one turns authentication off; to choose the token yourself, set "
    "JUPYTER_TOKEN in the environment instead (got {arg!r})."
)


def refused_argument(args):
    """The first argument that would put a token on the command line or disable it."""
    for arg in args:
        # --token, --ServerApp.token, --IdentityProvider.token, --NotebookApp.token, ...
        if arg.split("=", 1)[0].lower().endswith("token"):
            return arg
    return None


def asks_for_ip(args):
    return any(arg.split("=", 1)[0] in ("--ip", "--ServerApp.ip") for arg in args)


def lab_command(args):
    """The JupyterLab command line for the course, with the learner's args last."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={COURSE}"]
    if not asks_for_ip(args):
        command.append(f"--ServerApp.ip={LOOPBACK}")
    if getattr(os, "geteuid", lambda: -1)() == 0:
        command.append("--allow-root")
    return command + list(args)


def main(args):
    bad = refused_argument(args)
    if bad is not None:
        print(REFUSED.format(arg=bad), file=sys.stderr)
        return 2
    if asks_for_ip(args):
        print(
            "JupyterLab will listen on the address you asked for; it stays behind its token.",
            file=sys.stderr,
        )
    command = lab_command(args)
    # Kernels started by the server find this environment's python first.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    os.execv(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
