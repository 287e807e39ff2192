"""Create the project's virtual environment, or reuse it when it still fits.

Run by the set-up with the Python the learner chose (``make lab PYTHON=python3.12``):

    python3 tools/ensure_venv.py .venv

The environment is reused when it runs and was made from the same Python version;
otherwise it is made again from scratch, so ``PYTHON=`` can switch versions. Written for
any Python 3.6 or newer, so that a too-old one gets a clear sentence instead of a syntax error.
"""

import os
import shutil
import subprocess
import sys
import venv

OLDEST_PYTHON = (3, 10)


def version_name():
    """This Python's major.minor version, e.g. '3.11'."""
    return "{}.{}".format(*sys.version_info[:2])


def fail(sentence):
    print(sentence, file=sys.stderr)
    return 1


def venv_python(env_dir):
    return os.path.join(env_dir, "Scripts" if os.name == "nt" else "bin", "python")


def fits(env_dir):
    """True when env_dir's Python runs and is this Python's major.minor version."""
    python = venv_python(env_dir)
    if not os.path.exists(python):
        return False
    probe = "import sys; print(*sys.version_info[:2], sep='.')"
    try:
        found = subprocess.run(
            [python, "-c", probe], check=False, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return found.stdout.strip() == version_name()


def is_replaceable(env_dir):
    """Only an empty directory or an old virtual environment may be cleared and made again."""
    if not os.path.exists(env_dir):
        return True
    return os.path.isdir(env_dir) and (
        not os.listdir(env_dir) or os.path.exists(os.path.join(env_dir, "pyvenv.cfg"))
    )


def create(env_dir):
    """Make a fresh environment with pip; True on success."""
    try:
        venv.EnvBuilder(clear=True, with_pip=True).create(env_dir)
    except (OSError, subprocess.CalledProcessError):
        return False
    return os.path.exists(venv_python(env_dir))


def install_venv_support_with_apt():
    """Debian splits venv's pip bootstrap into the python3-venv packages."""
    if os.environ.get("STEPGRAD_NO_APT") or getattr(os, "geteuid", lambda: -1)() != 0:
        return False
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        return False
    versioned = f"python{version_name()}-venv"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"Python's venv support is missing: installing {versioned} with apt-get ...")
    if subprocess.run([apt_get, "update"], check=False, env=env).returncode != 0:
        return False
    install = [apt_get, "install", "-y", versioned]
    return subprocess.run(install, check=False, env=env).returncode == 0


def main(argv):
    if len(argv) != 2:
        return fail("usage: python3 tools/ensure_venv.py ENV_DIR")
    env_dir = argv[1]
    if sys.version_info[:2] < OLDEST_PYTHON:
        return fail(
            f"stepgrad needs Python 3.10 or newer but {sys.executable} is Python "
            f"{version_name()}: run make with PYTHON=python3.10 (or newer), for example "
            "`make lab PYTHON=python3.12`."
        )
    if fits(env_dir):
        return 0
    if not is_replaceable(env_dir):
        return fail(
            f"{env_dir} exists but is not a virtual environment, so the set-up will not "
            "replace it: move it away, then run make again."
        )
    print(f"Creating the virtual environment {env_dir} with Python {sys.version.split()[0]} ...")
    if create(env_dir) or (install_venv_support_with_apt() and create(env_dir)):
        return 0
    return fail(
        f"Python could not create the virtual environment {env_dir} because its venv support "
        "is missing: install it with `sudo apt-get install -y python3-venv` (Debian/Ubuntu), "
        "then run the same make command again."
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv))
