"""Make any `pytest --nbval` run over the course check notebooks the way `make test` does.

With this, `python -m pytest --nbval course/03_backward_step_by_step.ipynb` runs the
notebook in the current environment's kernel (not whatever kernel name the file stores) and
applies course/nbval_sanitize.cfg, unless the command line chooses otherwise.
"""

from pathlib import Path

SANITIZE_FILE = Path(__file__).with_name("nbval_sanitize.cfg")


def pytest_configure(config):
    option = config.option
    if not getattr(option, "nbval", False):
        return
    if option.nbval_sanitize_with is None:
        option.nbval_sanitize_with = str(SANITIZE_FILE)
    if option.nbval_kernel_name is None:
        option.nbval_current_env = True
