"""The command line as a whole: what a light command loads, and the ``gymcore`` console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

from gymcore.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
# What a command that runs no model and reads no video or array must not load: torch and MediaPipe
# cost seconds, Ray a second, the others tenths of one.
HEAVY = ("torch", "mediapipe", "cv2", "av", "scipy", "pandas", "numpy", "gymcore.synth.render.renderer",
         "ray")


def run_python(code: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter that imports this checkout of gymcore."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": path})


def test_listing_the_criteria_loads_no_model_video_or_array_stack() -> None:
    result = run_python(
        "import json, sys\n"
        "from gymcore.cli.main import main\n"
        "code = main(['criteria', '--json'])\n"
        f"print(json.dumps([name for name in {HEAVY!r} if name in sys.modules]), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["squat"]
    assert json.loads(result.stderr.strip().splitlines()[-1]) == []


def test_the_console_script_is_gymcores_main() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    entry = EntryPoint(name="gymcore", value=scripts["gymcore"], group="console_scripts")
    assert entry.load() is cli_main.main


def test_the_console_script_exits_with_mains_status() -> None:
    # What the wrapper pip writes for a console script does: sys.exit(main()), arguments in sys.argv.
    result = run_python(
        "import sys\n"
        "from gymcore.cli.main import main\n"
        "sys.argv = ['gymcore', 'synth', '--out', 'unused', '--size', '12by12']\n"
        "sys.exit(main())\n"
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("Cannot read the size '12by12'")
