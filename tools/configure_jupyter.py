"""Write JupyterLab's settings for the course into the environment that runs it.

Run with the project environment's Python (the set-up does): the settings go to
``<sys.prefix>/share/jupyter/lab/settings/overrides.json``, where JupyterLab reads its
defaults, so nothing is written to the learner's home directory. An optional argument names
another environment prefix (the tests use a temporary one). A learner can still change
any of them in JupyterLab's Settings editor.
"""

import json
import sys
from pathlib import Path

OVERRIDES = {
    # No "Would you like to get notified about official Jupyter news?" pop-up, and no
    # requests to the news feed or update check: the course works offline and the pop-up
    # covers the first notebook a learner opens.
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def overrides_path(prefix):
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def main(argv):
    path = overrides_path(argv[1] if len(argv) > 1 else sys.prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(OVERRIDES, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
