"""The set-up behind `make lab` and `make test`: its two routes, Graphviz's dot, the venv, nbval.

The scripts in tools/ are run as the Makefile runs them (a subprocess with a chosen PATH and
environment), so these tests see what a learner sees.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"

INSTALL_COMMANDS = (
    "sudo apt-get install -y graphviz",
    "brew install graphviz",
    "conda install -c conda-forge graphviz",
)


def load_module(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_program(directory, name, body):
    """An executable shell script standing in for a system program.

    It finds cat, chmod and the like through its own PATH, so the PATH of the tool under test
    can hold nothing but the stand-ins.
    """
    program = directory / name
    program.write_text("#!/bin/sh\nPATH=/usr/bin:/bin\n" + textwrap.dedent(body))
    program.chmod(0o755)
    return program


def run_tool(script, *args, path_dirs=(), **env):
    """Run a tools/ script with nothing but path_dirs on PATH (so no real dot or apt-get)."""
    environment = {
        "PATH": os.pathsep.join(map(str, path_dirs)),
        "HOME": os.environ.get("HOME", "/tmp"),
        **env,
    }
    return subprocess.run(
        [sys.executable, str(TOOLS / script), *args],
        check=False,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


# --- the two routes name the same dependencies -------------------------------------------

# conda-forge's name for each PyPI package whose name differs there.
CONDA_NAME_OF = {"graphviz": "python-graphviz", "matplotlib": "matplotlib-base"}


def requirement_pairs(requirements):
    """{name: lower-bound specifier} from lines like 'numpy>=1.26.4'."""
    pairs = {}
    for requirement in requirements:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement.strip())
        pairs[match.group(1).lower()] = match.group(2).replace(" ", "")
    return pairs


@pytest.fixture(scope="module")
def pyproject():
    tomllib = pytest.importorskip(
        "tomllib", reason="tomllib is in the standard library from Python 3.11 on"
    )
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def conda_environment():
    yaml = pytest.importorskip("yaml", reason="PyYAML (a dependency of jupyterlab) reads YAML")
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_packages(environment):
    return [entry for entry in environment["dependencies"] if isinstance(entry, str)]


def test_pyproject_depends_on_the_course_packages_and_the_dev_tools(pyproject):
    project = pyproject["project"]
    assert set(requirement_pairs(project["dependencies"])) == {
        "numpy",
        "jupyterlab",
        "graphviz",
        "matplotlib",
        "nbval",
        "ipywidgets",
    }
    dev = requirement_pairs(project["optional-dependencies"]["dev"])
    assert set(dev) == {"pytest", "hypothesis", "ruff", "playwright"}


def test_pyproject_gives_every_dependency_a_lower_bound_and_no_cap(pyproject):
    project = pyproject["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    for name, specifier in requirement_pairs(requirements).items():
        assert re.fullmatch(r">=[0-9.]+", specifier), f"{name}: {specifier!r}"


def test_numpy_lower_bound_is_the_1_26_series_that_the_matrix_tests(pyproject):
    numpy_bound = requirement_pairs(pyproject["project"]["dependencies"])["numpy"]
    assert numpy_bound.startswith(">=1.26.")
    noxfile = (ROOT / "noxfile.py").read_text()
    assert '"numpy==1.26.*"' in noxfile


def test_environment_yml_names_the_same_packages_and_bounds_as_pyproject(
    pyproject, conda_environment
):
    project = pyproject["project"]
    from_pyproject = requirement_pairs(
        project["dependencies"] + project["optional-dependencies"]["dev"]
    )
    expected = {CONDA_NAME_OF.get(name, name): bound for name, bound in from_pyproject.items()}
    from_conda = requirement_pairs(conda_packages(conda_environment))
    # Beyond the Python packages, conda also brings Python, pip and the dot program.
    for extra in ("python", "pip", "graphviz"):
        from_conda.pop(extra)
    assert from_conda == expected


def test_environment_yml_brings_dot_and_installs_stepgrad_from_the_repository(conda_environment):
    assert conda_environment["channels"][0] == "conda-forge"
    packages = requirement_pairs(conda_packages(conda_environment))
    assert "graphviz" in packages  # conda's graphviz package is the program, dot included
    assert packages["python"] == ">=3.10"
    pip_section = [entry for entry in conda_environment["dependencies"] if isinstance(entry, dict)]
    assert pip_section == [{"pip": ["-e ."]}]


def test_environment_yml_asks_for_the_same_python_as_pyproject(pyproject, conda_environment):
    packages = requirement_pairs(conda_packages(conda_environment))
    assert packages["python"] == pyproject["project"]["requires-python"]


# --- Graphviz's dot ----------------------------------------------------------------------


def test_ensure_dot_reports_the_version_of_the_dot_on_path(tmp_path):
    write_program(tmp_path, "dot", 'echo "dot - graphviz version 9.9.9 (0)" >&2\n')
    result = run_tool("ensure_dot.py", path_dirs=[tmp_path])
    assert result.returncode == 0
    assert result.stdout.strip() == "Graphviz found: dot - graphviz version 9.9.9 (0)"


def test_ensure_dot_without_dot_or_apt_stops_with_one_sentence_naming_apt_brew_and_conda(
    tmp_path,
):
    result = run_tool("ensure_dot.py", path_dirs=[tmp_path], STEPGRAD_NO_APT="1")
    assert result.returncode == 1
    assert result.stdout == ""
    message = result.stderr.strip()
    assert "\n" not in message
    assert message.count(". ") == 0 and message.endswith(".")
    assert "Traceback" not in message
    for command in INSTALL_COMMANDS:
        assert f"`{command}`" in message


def test_ensure_dot_treats_a_dot_that_fails_to_run_as_missing(tmp_path):
    write_program(tmp_path, "dot", "exit 3\n")
    result = run_tool("ensure_dot.py", path_dirs=[tmp_path], STEPGRAD_NO_APT="1")
    assert result.returncode == 1
    assert "brew install graphviz" in result.stderr
    assert "Traceback" not in result.stderr


def fake_apt_get(directory, log, install_works=True):
    """A stand-in apt-get that logs its arguments and, on install, puts a dot next to itself."""
    install = (
        f"""cat > {directory}/dot <<'EOF'
#!/bin/sh
echo "dot - graphviz version 2.43.0 (0)" >&2
EOF
chmod +x {directory}/dot
"""
        if install_works
        else "exit 100\n"
    )
    return write_program(
        directory,
        "apt-get",
        f"""echo "$*" >> {log}
case "$1" in install) {install} ;; esac
""",
    )


needs_root = pytest.mark.skipif(
    getattr(os, "geteuid", lambda: -1)() != 0,
    reason="ensure_dot.py uses apt-get only as root, and these tests do not run as root",
)


@needs_root
def test_ensure_dot_as_root_runs_apt_get_update_then_installs_graphviz(tmp_path):
    log = tmp_path / "apt.log"
    fake_apt_get(tmp_path, log)
    result = run_tool("ensure_dot.py", path_dirs=[tmp_path])
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == ["update", "install -y graphviz"]
    assert "Graphviz installed: dot - graphviz version 2.43.0 (0)" in result.stdout


@needs_root
def test_ensure_dot_says_so_in_one_sentence_when_apt_get_cannot_install_graphviz(tmp_path):
    fake_apt_get(tmp_path, tmp_path / "apt.log", install_works=False)
    result = run_tool("ensure_dot.py", path_dirs=[tmp_path])
    assert result.returncode == 1
    message = result.stderr.strip()
    assert "apt-get could not install it" in message
    assert "\n" not in message and "Traceback" not in message


@needs_root
def test_ensure_dot_in_a_conda_environment_advises_instead_of_using_apt(tmp_path):
    log = tmp_path / "apt.log"
    fake_apt_get(tmp_path, log)
    result = run_tool("ensure_dot.py", path_dirs=[tmp_path], CONDA_PREFIX=str(tmp_path))
    assert result.returncode == 1
    assert not log.exists()
    assert "in the active conda environment" in result.stderr
    assert "`conda install -c conda-forge graphviz`" in result.stderr


def test_ensure_dot_never_uses_apt_when_told_not_to(tmp_path):
    log = tmp_path / "apt.log"
    fake_apt_get(tmp_path, log)
    result = run_tool("ensure_dot.py", path_dirs=[tmp_path], STEPGRAD_NO_APT="1")
    assert result.returncode == 1
    assert not log.exists()


# --- the virtual environment ---------------------------------------------------------------

ensure_venv = load_module(TOOLS / "ensure_venv.py")


def fake_env(directory, prints):
    """A virtual environment whose python only prints the version it claims to be."""
    (directory / "bin").mkdir(parents=True)
    write_program(directory / "bin", "python", f"echo {prints}\n")
    (directory / "pyvenv.cfg").write_text("home = /nowhere\n")
    return directory


def test_an_environment_of_the_same_python_version_is_reused(tmp_path):
    this_version = "{}.{}".format(*sys.version_info[:2])
    assert ensure_venv.fits(str(fake_env(tmp_path / "env", this_version)))


def test_an_environment_of_another_python_version_is_made_again(tmp_path):
    assert not ensure_venv.fits(str(fake_env(tmp_path / "env", "2.7")))
    assert ensure_venv.is_replaceable(str(tmp_path / "env"))


def test_ensure_venv_will_not_clear_a_directory_that_is_not_a_virtual_environment(tmp_path):
    precious = tmp_path / "not-a-venv"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = run_tool("ensure_venv.py", str(precious))
    assert result.returncode == 1
    assert "is not a virtual environment" in result.stderr
    assert (precious / "notes.txt").read_text() == "keep me"


def old_python():
    """A Python older than 3.10 on this machine, if there is one."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for candidate in sorted(pyenv_root.glob("versions/3.[6-9].*/bin/python3")):
        return candidate
    return None


@pytest.mark.skipif(old_python() is None, reason="no Python older than 3.10 on this machine")
def test_ensure_venv_refuses_python_older_than_3_10_in_one_sentence(tmp_path):
    result = subprocess.run(
        [str(old_python()), str(TOOLS / "ensure_venv.py"), str(tmp_path / "env")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    message = result.stderr.strip()
    assert "needs Python 3.10 or newer" in message and "PYTHON=" in message
    assert "\n" not in message
    assert not (tmp_path / "env").exists()


# --- JupyterLab's settings -----------------------------------------------------------------


def jupyterlab_schema(plugin):
    """A JupyterLab settings schema as installed with jupyterlab, or None."""
    package, name = plugin.split(":")
    path = Path(sys.prefix, "share", "jupyter", "lab", "schemas", package, f"{name}.json")
    return json.loads(path.read_text()) if path.exists() else None


def test_settings_overrides_turn_off_news_and_update_checks_with_values_jupyterlab_accepts(
    tmp_path,
):
    result = run_tool("configure_jupyter.py", str(tmp_path))
    assert result.returncode == 0, result.stderr
    written = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides = json.loads(written.read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    schema = jupyterlab_schema("@jupyterlab/apputils-extension:notification")
    if schema is None:
        pytest.skip("jupyterlab's settings schemas are not installed in this environment")
    allowed_news = [option["const"] for option in schema["properties"]["fetchNews"]["oneOf"]]
    assert notification["fetchNews"] in allowed_news
    assert schema["properties"]["checkForUpdates"]["type"] == "boolean"


# --- notebooks under nbval -----------------------------------------------------------------


def sanitize(text):
    """Apply course/nbval_sanitize.cfg the way nbval does."""
    plugin = pytest.importorskip("nbval.plugin", reason="nbval reads the sanitize file")
    patterns = plugin.get_sanitize_patterns((ROOT / "course" / "nbval_sanitize.cfg").read_text())
    assert patterns, "nbval found no regex/replace pairs in the sanitize file"
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


SVG_FROM_GRAPHVIZ_2_43 = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
 "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Generated by graphviz version 2.43.0 (0)
 -->
<!-- Title: %3 Pages: 1 -->
<svg width="62pt" height="116pt" viewBox="0.00 0.00 62.00 116.00">
<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 112)">
<title>%3</title>
<polygon fill="white" stroke="transparent" points="-4,4 -4,-112 58,-112 58,4 -4,4"/>
<g id="node1" class="node"><title>x</title>
<text text-anchor="middle" x="27" y="-86.3" font-family="Times,serif" font-size="14.00">x</text>
</g>
</g>
</svg>
"""

SVG_FROM_A_NEWER_GRAPHVIZ = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
 "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Generated by graphviz version 12.2.1 (20241206.2353)
 -->
<!-- Pages: 1 -->
<svg width="62pt" height="116pt" viewBox="0.00 0.00 62.00 116.00">
<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 112)">
<polygon fill="white" stroke="none" points="-4,4 -4,-112 58,-112 58,4 -4,4"/>
<g id="node1" class="node"><title>x</title>
<text text-anchor="middle" x="27" y="-84.8" font-family="Times,serif" font-size="14.00">x</text>
</g>
</g>
</svg>
"""


def test_sanitize_file_makes_svg_from_different_graphviz_releases_compare_equal():
    assert SVG_FROM_GRAPHVIZ_2_43 != SVG_FROM_A_NEWER_GRAPHVIZ
    assert sanitize(SVG_FROM_GRAPHVIZ_2_43) == sanitize(SVG_FROM_A_NEWER_GRAPHVIZ)


def test_sanitize_file_leaves_text_around_an_svg_to_be_compared():
    html = '<p>Backward, step 2 of 5</p><svg width="10pt"><text>x</text></svg><p>grad = 4.0</p>'
    cleaned = sanitize(html)
    assert cleaned.startswith("<p>Backward, step 2 of 5</p><svg>")
    assert cleaned.endswith("</svg><p>grad = 4.0</p>")
    assert 'width="10pt"' not in cleaned


def test_sanitize_file_keeps_text_that_stands_between_comments_before_an_svg():
    html = "<!-- step 1 --><p>x.grad = 4.0</p><!-- drawing --><svg><text>x</text></svg>"
    assert "<p>x.grad = 4.0</p>" in sanitize(html)


def test_sanitize_file_leaves_plain_text_unchanged():
    summary = "Value(data=4.0, grad=1.0) <- ** <- Value(data=2.0, grad=4.0)"
    assert sanitize(summary) == summary


course_conftest = load_module(ROOT / "course" / "conftest.py")


def nbval_options(**given):
    defaults = {
        "nbval": True,
        "nbval_sanitize_with": None,
        "nbval_kernel_name": None,
        "nbval_current_env": False,
    }
    return SimpleNamespace(option=SimpleNamespace(**{**defaults, **given}))


def test_any_nbval_run_over_the_course_uses_the_current_env_and_the_sanitize_file():
    config = nbval_options()
    course_conftest.pytest_configure(config)
    assert config.option.nbval_current_env is True
    assert Path(config.option.nbval_sanitize_with) == ROOT / "course" / "nbval_sanitize.cfg"


def test_nbval_options_given_on_the_command_line_win_over_the_course_defaults():
    config = nbval_options(nbval_sanitize_with="other.cfg", nbval_kernel_name="python3")
    course_conftest.pytest_configure(config)
    assert config.option.nbval_sanitize_with == "other.cfg"
    assert config.option.nbval_current_env is False


def test_make_test_runs_every_notebook_under_strict_nbval():
    recipe = make_recipe("test")
    assert "tests course" in recipe
    assert "--nbval " in recipe and "--nbval-current-env" in recipe
    assert "--nbval-sanitize-with" in recipe
    assert "--nbval-lax" not in (ROOT / "Makefile").read_text()


def make_recipe(target):
    """The recipe lines of one Makefile target, joined."""
    lines = (ROOT / "Makefile").read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"{target}:")))
    recipe = []
    for line in lines[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return " ".join(recipe)


# --- the welcome notebook's environment check ----------------------------------------------


def welcome_code_cells():
    nbformat = pytest.importorskip("nbformat", reason="nbformat reads notebooks")
    notebook = nbformat.read(ROOT / "course" / "00_welcome.ipynb", as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def test_welcome_notebook_stops_with_install_commands_when_dot_is_missing(tmp_path):
    versions, checks = welcome_code_cells()[:2]
    assert 'shutil.which("dot")' in checks
    script = tmp_path / "check.py"
    script.write_text(versions + "\n" + checks)
    result = subprocess.run(
        [sys.executable, str(script)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(ROOT / "lib")},
    )
    assert result.returncode != 0
    assert "RuntimeError: Graphviz's `dot` program was not found" in result.stderr
    for command in INSTALL_COMMANDS:
        assert command in result.stderr


def test_benchmark_peers_are_an_extra_named_in_both_files_and_never_a_course_dependency(
    pyproject,
):
    bench = pyproject["project"]["optional-dependencies"]["bench"]
    assert bench == ["torch==2.13.0", "micrograd==0.1.0"]  # the CPU build served here
    names = set(requirement_pairs(pyproject["project"]["dependencies"]))
    assert not names & {"torch", "micrograd"}
    environment_text = (ROOT / "environment.yml").read_text()
    assert "torch==2.13.0 micrograd==0.1.0" in environment_text
    makefile = (ROOT / "Makefile").read_text()
    assert "-e '.[bench]'" in makefile.split("\nbench:")[1].split("\n\n")[0]
