"""Make sure Graphviz's ``dot`` program is installed, or say in one sentence how to install it.

``dot`` is a system program, not a Python package, so pip cannot bring it. The set-up
(``make lab``, ``make test``) runs this script with any Python 3:

- ``dot`` on PATH: print its version and succeed;
- inside an active conda environment: ``dot`` should come from environment.yml, so only advise;
- as root on Debian/Ubuntu: ``apt-get update`` and ``apt-get install -y graphviz``;
- otherwise: exit 1 with one sentence giving the apt, brew and conda commands.

Set ``STEPGRAD_NO_APT=1`` to forbid the apt-get step (the tests use it to take the
"cannot install" path on a machine where they run as root).
"""

import os
import shutil
import subprocess
import sys

HOW_TO_INSTALL = (
    "stepgrad draws its graphs with Graphviz's `dot` program, which is not installed"
    "{reason}: install it with `sudo apt-get install -y graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install -c conda-forge graphviz` (conda), "
    "then run the same make command again."
)


def dot_version():
    """Return the first line `dot -V` prints (Graphviz writes it to stderr), or None."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    try:
        result = subprocess.run(
            [dot, "-V"], check=False, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[0] if lines else "dot (version unknown)"


def may_use_apt():
    """apt-get is tried only as root, on a machine that has it, when not forbidden."""
    if os.environ.get("STEPGRAD_NO_APT"):
        return False
    if getattr(os, "geteuid", lambda: -1)() != 0:
        return False
    return shutil.which("apt-get") is not None


def install_with_apt():
    """Run apt-get update, then install graphviz; True when both succeeded."""
    apt_get = shutil.which("apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print("Graphviz's `dot` is missing: installing Debian's graphviz package with apt-get ...")
    for args in (["update"], ["install", "-y", "graphviz"]):
        # apt-get's own output stays visible: it is the progress a learner waits on.
        if subprocess.run([apt_get, *args], check=False, env=env).returncode != 0:
            return False
    return True


def fail(reason=""):
    print(HOW_TO_INSTALL.format(reason=reason), file=sys.stderr)
    return 1


def main():
    version = dot_version()
    if version is not None:
        print(f"Graphviz found: {version}")
        return 0
    if os.environ.get("CONDA_PREFIX"):
        # The conda route brings dot through environment.yml; do not mix in the system's.
        return fail(" in the active conda environment")
    if not may_use_apt():
        return fail()
    if not install_with_apt():
        return fail(" and apt-get could not install it")
    version = dot_version()
    if version is None:
        return fail(" even after apt-get installed graphviz")
    print(f"Graphviz installed: {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
