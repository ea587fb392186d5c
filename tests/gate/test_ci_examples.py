"""The CI examples parse as YAML, keep the report when the gate fails, and run only real CLI commands."""
from __future__ import annotations

import re
import shlex

import yaml  # pyyaml is in the dev extra

from audit.cli import build_parser
from tests.conftest import ROOT

CI = ROOT / "examples" / "ci"


def _commands(lines):
    """Every ``rai-audit ...`` invocation in shell lines, without shell operators and redirections."""
    found = []
    for line in lines:
        for part in re.split(r"\|\||&&|;|>>|>", line):
            words = shlex.split(part)
            if words[:1] == ["rai-audit"]:
                found.append(words[1:])
    return found


def _parses(argv):
    ns = build_parser().parse_args(argv)  # argparse exits (SystemExit) on an unknown command or option
    assert ns.command == argv[0]


def test_github_workflow():
    doc = yaml.safe_load((CI / "github-actions.yml").read_text(encoding="utf-8"))
    steps = doc["jobs"]["audit"]["steps"]
    commands = _commands(line for s in steps for line in str(s.get("run", "")).splitlines())
    assert {c[0] for c in commands} >= {"run", "gate", "diff"}
    for argv in commands:
        _parses(argv)
    gate = next(c for c in commands if c[0] == "gate")
    assert "--summary" in gate and gate[gate.index("--summary") + 1] == "$GITHUB_STEP_SUMMARY"
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert int(upload["uses"].split("@v")[1]) >= 4 and upload["if"] == "always()"
    assert "report.html" in upload["with"]["path"]


def test_gitlab_job():
    doc = yaml.safe_load((CI / "gitlab-ci.yml").read_text(encoding="utf-8"))
    job = doc["rai-audit"]
    commands = _commands(job["script"] + job.get("after_script", []))
    assert {c[0] for c in commands} >= {"run", "gate", "diff"}
    for argv in commands:
        _parses(argv)
    gate = next(c for c in commands if c[0] == "gate")
    junit = gate[gate.index("--junit") + 1]
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] == junit
    assert any(p.endswith("report.html") for p in job["artifacts"]["paths"])
