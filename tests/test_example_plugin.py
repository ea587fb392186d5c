"""examples/plugin: a plugin distribution, installed for real, adds an auditor and its view by files alone.

The distribution is installed with pip into a fresh virtual environment that sees this
environment's packages (rai-audit included, so nothing is downloaded), then its own tests,
``rai-audit list`` and a ``rai-audit run`` with its policy run there.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import venv

import pytest

from tests.conftest import ROOT

PLUGIN = ROOT / "examples" / "plugin"


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("plugin-venv")
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(home)
    python = home / "bin" / "python"
    # a venv over this one: the outer venv's site-packages are what "system" means to it
    outer = subprocess.run([sys.executable, "-c", "import site; print('\\n'.join(site.getsitepackages()))"],
                           capture_output=True, text=True, check=True).stdout.split()
    inner = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(inner, "outer.pth"), "w", encoding="utf-8") as fh:
        fh.write("\n".join([str(ROOT), *outer]) + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--no-index", "--prefix", str(home), str(PLUGIN)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return python


def _run(python, *args, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return subprocess.run([str(python), *args], capture_output=True, text=True, timeout=900, cwd=cwd, env=env)


def test_its_own_tests_pass(plugin_env):
    done = _run(plugin_env, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PLUGIN / "tests"))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


def test_the_cli_lists_and_runs_it(plugin_env, tmp_path):
    listed = _run(plugin_env, "-m", "audit", "list")
    assert listed.returncode == 0 and "representation" in listed.stdout, listed.stdout + listed.stderr
    data = tmp_path / "preds.csv"
    rows = ["g,y,p"] + [f"{'rare' if i < 10 else 'common'},{i % 2},{i % 2}" for i in range(1000)]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    spec = tmp_path / "spec.toml"
    policy = (PLUGIN / "policy.toml").read_text(encoding="utf-8").replace('title = "Every group is represented"', "")
    spec.write_text('title = "plugin"\n[data]\npath = "preds.csv"\ntarget = "y"\nprediction = "p"\n'
                    'sensitive_features = ["g"]\n[auditors]\nenabled = ["representation"]\n' + policy,
                    encoding="utf-8")
    out = tmp_path / "out"
    done = _run(plugin_env, "-m", "audit", "run", str(spec), "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr  # the rare group fails the policy: exit 1
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [r["auditor"] for r in doc["results"]] == ["representation"]
    assert "Share of rows by g" in (out / "report.html").read_text(encoding="utf-8")
