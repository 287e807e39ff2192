"""The library's unit tests on the oldest and newest Python and numpy that stepgrad supports.

`make matrix` runs this (CI does too); `make test` covers the default Python. Each session
installs stepgrad as a wheel (not editable), so a module left out of the package fails here.
Notebooks are not run here: nbval runs them in `make test`.

    nox                      # both sessions
    nox -s "unit-3.10"       # one of them
"""

import nox

# Python version -> the numpy it is tested with: the oldest supported pair and the newest.
NUMPY_FOR_PYTHON = {
    "3.10": "numpy==1.26.*",
    "3.13": "numpy",
}

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True


@nox.session(python=list(NUMPY_FOR_PYTHON))
def unit(session):
    """stepgrad's unit tests (tests/, without the browser test) against one Python and numpy."""
    numpy = NUMPY_FOR_PYTHON[session.python]
    # --upgrade: a reused environment still moves to the newest numpy the pin allows.
    session.install("--upgrade", ".[dev]", numpy)
    session.run(
        "python",
        "-c",
        "import sys, numpy, stepgrad; "
        "print(f'Python {sys.version.split()[0]}, numpy {numpy.__version__}, "
        "stepgrad from {stepgrad.__file__}')",
    )
    # pytest's exit code 5 means no tests were collected, which is not a failure of the code.
    session.run("pytest", "tests", "--ignore=tests/browser", *session.posargs, success_codes=[0, 5])
