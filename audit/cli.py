"""The ``rai-audit`` command (a contract: DESIGN.md section 5).

Exit codes are :class:`audit.ExitCode`. Usage errors print one line naming the
column, key or path, and no traceback. Progress goes to stderr, and only when stderr
is a terminal (quiet in CI and pipes).
"""
from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import traceback
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from ._exceptions import AuditError, PluginError, UsageError
from ._exit import ExitCode
from ._format import for_terminal, for_terminal_block
from ._messages import (
    MSG_DIFF_NEGATIVE,
    MSG_NEEDS_EXTRA,
    MSG_UNKNOWN_NETWORK,
)

__all__ = ["main", "build_parser", "save_report", "THRESHOLDS_FILE", "MSG_NEEDS_EXTRA"]

#: The chosen post-processor's group thresholds, written beside report.json when a candidate was accepted.
THRESHOLDS_FILE = "mitigation_thresholds.json"

logger = logging.getLogger("audit")


class _Progress:
    """One line per step on stderr when it is a terminal and not in CI; silent otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = (not quiet and sys.stderr.isatty() and not os.environ.get("CI"))

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"· {for_terminal(message)}", file=sys.stderr, flush=True)


class _SafeFormatter(logging.Formatter):
    """Log records as one neutralised line each (:func:`audit._format.for_terminal`).

    A traceback attached to a record keeps its lines, each neutralised.
    """

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.msg, record.args = for_terminal(record.getMessage()), None
        exc_info, record.exc_info, record.exc_text = record.exc_info, None, None
        text = super().format(record)
        if exc_info:
            text += "\n" + for_terminal_block(self.formatException(exc_info))
        return text


def _policy_for_task(task: str | None) -> Path:
    name = "regression.toml" if task == "regression" else "classification.toml"
    return Path(str(resources.files("audit") / "policies" / name))


def _cmd_list(args: argparse.Namespace) -> int:
    from . import _registry
    from .models._recipes import REFERENCE_NETWORKS, VARIANT_NETWORKS  # the recipes only: no torch

    print("auditors:")
    for info in _registry.catalogue():
        # each field neutralised on its own: for_terminal folds whitespace, which would undo the columns
        version = f" {info.distribution_version}" if info.distribution_version else ""
        source = for_terminal(f"from {info.distribution}{version}; {info.target}")
        print(f"  {for_terminal(info.name):<14} {for_terminal(info.description)}  ({source})")
    print("reference networks:")
    for name in REFERENCE_NETWORKS:
        print(f"  {name}")
    print("planted-defect variants (rai-audit train NAME; see docs/validity.md):")
    for name in VARIANT_NETWORKS:
        print(f"  {name}")
    from .models import IMAGE_NETWORKS

    print("image reference networks (audit.models.load_image_reference):")
    for name in IMAGE_NETWORKS:
        print(f"  {name}")
    return ExitCode.OK


def _cmd_train(args: argparse.Namespace, progress: _Progress) -> int:
    from .models import ALL_NETWORKS, IMAGE_NETWORKS, REFERENCE_NETWORKS, train, train_image

    names = args.names or [*REFERENCE_NETWORKS, *IMAGE_NETWORKS]
    unknown = [n for n in names if n not in ALL_NETWORKS and n not in IMAGE_NETWORKS]
    if unknown:
        raise UsageError(MSG_UNKNOWN_NETWORK.format(unknown=unknown, known=[*ALL_NETWORKS, *IMAGE_NETWORKS]))
    for name in names:
        progress(f"training {name}")
        (train_image if name in IMAGE_NETWORKS else train)(name, **_models_kw(args))
        print(f"trained {name}")
    return ExitCode.OK


def _models_kw(args: argparse.Namespace) -> dict[str, Any]:
    return {"models_dir": args.models} if getattr(args, "models", None) else {}


def _cmd_run(args: argparse.Namespace, progress: _Progress) -> int:
    from ._api import run_spec
    from ._spec import load_spec

    report = run_spec(load_spec(args.spec), models_dir=getattr(args, "models", None), progress=progress)
    out = Path(args.out)
    save_report(report, out)
    doc = report.to_dict()
    _print_verdict(doc, doc["checks"], out / "report.html")
    if (out / THRESHOLDS_FILE).is_file():
        print(f"  mitigation thresholds: {for_terminal(str(out / THRESHOLDS_FILE))}")
    return report.exit_code


def save_report(report: Any, folder: Path) -> None:
    """report.json, report.html and, when the mitigation auditor chose group thresholds, their JSON: all at once.

    A thresholds file left from an earlier run in ``folder`` is removed when this run chose none,
    so the file beside a report always belongs to it.
    """
    import json

    from ._files import write_files_atomically

    doc = report.to_dict()  # once for both files
    files: dict[str, str] = {"report.json": report.to_json(doc), "report.html": report.to_html(doc)}
    mitigation = next((r for r in report.results if r.auditor == "mitigation"), None)
    chosen = (mitigation.details or {}).get("chosen_thresholds") if mitigation is not None else None
    if chosen:
        files[THRESHOLDS_FILE] = json.dumps(chosen, indent=2, sort_keys=True, allow_nan=False) + "\n"
    write_files_atomically(folder, files)
    stale = folder / THRESHOLDS_FILE
    if not chosen and stale.is_file():
        stale.unlink()


def _print_verdict(doc: dict[str, Any], checks: list[dict[str, Any]], html: Path | None) -> None:
    """The verdict, each auditor, then every check that did not pass (failed, warned, errored or skipped)."""
    from .gate._outputs import terminal_safe as safe
    from .gate._rule import format_check_counts

    print(f"rai-audit: {doc['status'].upper()}: {safe(doc['title'])}")
    for r in doc["results"]:
        note = f" ({safe(r['reason'])})" if r.get("reason") else ""
        print(f"  auditor {safe(r['auditor'])}: {r['status']}{note}")
    if checks:
        print(f"  checks: {format_check_counts(checks)}")
    for c in checks:
        if c["status"] != "pass":
            print(f"  check {c['status'].upper()}: {safe(c['message'])}")
    if html is not None:
        print(f"  report: {for_terminal(html)}")


def _cmd_gate(args: argparse.Namespace) -> int:
    from ._files import write_files_atomically
    from ._results import AuditReport
    from .gate import apply
    from .gate._outputs import junit_xml, markdown_summary

    baseline = None
    if args.baseline:
        from .gate._baseline import check_tolerances

        check_tolerances(args.tolerance_abs, args.tolerance_rel)
    report = AuditReport.load(args.report)
    if args.baseline:
        baseline = AuditReport.load(args.baseline)
    verdict = apply(report, args.policy, baseline=baseline, tolerance_abs=args.tolerance_abs,
                    tolerance_rel=args.tolerance_rel)
    doc = report.to_dict()
    check_dicts = [o.to_dict() for o in verdict.outcomes]
    if args.junit:
        write_files_atomically(Path(args.junit).parent, {Path(args.junit).name: junit_xml(doc, check_dicts)})
    if args.summary:
        write_files_atomically(Path(args.summary).parent,
                               {Path(args.summary).name: markdown_summary(doc, check_dicts, str(verdict.status))})
    doc["status"] = str(verdict.status)
    _print_verdict(doc, check_dicts, None)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from .gate._outputs import github_annotations

        for line in github_annotations(doc, check_dicts):
            print(line)
    return verdict.exit_code


def _cmd_diff(args: argparse.Namespace) -> int:
    from ._results import AuditReport
    from .gate._diff import diff_reports, format_diff

    old, new = AuditReport.load(args.old), AuditReport.load(args.new)
    if not (args.min_change >= 0 and math.isfinite(args.min_change)) or args.limit < 0:
        raise UsageError(MSG_DIFF_NEGATIVE.format(min_change=args.min_change, limit=args.limit))
    from .gate._baseline import check_tolerances

    check_tolerances(args.tolerance_abs, args.tolerance_rel)
    checks = None
    if args.policy:
        from .gate._checks import load_policy

        checks = load_policy(args.policy)
    diff = diff_reports(old.to_dict(), new.to_dict(), min_change=args.min_change, checks=checks,
                        abs_tol=args.tolerance_abs, rel_tol=args.tolerance_rel)
    print(format_diff(diff, old_name=str(args.old), new_name=str(args.new), fmt=args.format,
                      limit=args.limit or None), end="")
    return ExitCode.OK


def _cmd_demo(args: argparse.Namespace, progress: _Progress) -> int:
    from ._api import run
    from ._files import write_files_atomically
    from .models import REFERENCE_NETWORKS, load_reference, train
    from .report import render_index

    out = Path(args.out)
    entries = []
    for name in REFERENCE_NETWORKS:
        try:
            net = load_reference(name, **_models_kw(args))
        except UsageError:
            progress(f"training {name} (no trained weights found)")
            net = train(name, **_models_kw(args))
        progress(f"auditing {name}")
        report = run(net.test_frame(), model=net, target=net.target, sensitive_features=list(net.sensitive_features),
                     checks=_policy_for_task(net.task), name=name, title=f"Audit of reference network {name}",
                     random_state=0, train_data=net.train_frame(), progress=progress)
        save_report(report, out / name)
        entries.append({"name": name, "href": f"{name}/report.html", "status": report.status,
                        "title": report.title, "checks": report.to_dict()["checks"],
                        "summary": f"task {net.task}; {report.subject['n_rows']} test rows"})
        print(f"{name}: {report.status} -> {out / name / 'report.html'}")
    entries += _demo_images(out, args, progress)
    write_files_atomically(out, {"index.html": render_index(entries, title="rai-audit: reference network audits")})
    print(f"index: {out / 'index.html'}")
    return ExitCode.OK


def _demo_images(out: Path, args: argparse.Namespace, progress: _Progress) -> list[dict[str, Any]]:
    """Audit the image reference networks (trained first when missing); their index entries."""
    from ._api import image_auditors, run
    from .models import IMAGE_NETWORKS, load_image_reference, train_image

    entries = []
    policy = Path(str(resources.files("audit") / "policies" / "image.toml"))
    for name in IMAGE_NETWORKS:
        try:
            net = load_image_reference(name, **_models_kw(args))
        except UsageError:
            progress(f"training {name} (no trained weights found)")
            net = train_image(name, **_models_kw(args))
        progress(f"auditing {name}")
        report = run(net.test_images(), model=net.as_model(), metadata=net.test_metadata(), target="label",
                     sensitive_features=["group"], auditors=image_auditors(), checks=policy, name=name,
                     title=f"Audit of image reference network {name}", random_state=0, progress=progress)
        report.save(out / name)
        entries.append({"name": name, "href": f"{name}/report.html", "status": report.status,
                        "title": report.title, "checks": report.to_dict()["checks"],
                        "summary": f"image classifier, 10 classes; {report.subject['n_rows']} test images"})
        print(f"{name}: {report.status} -> {out / name / 'report.html'}")
    return entries


def build_parser() -> argparse.ArgumentParser:
    """The ``rai-audit`` argument parser: one sub-command per verb (run, gate, list, train, demo, ...)."""
    parser = argparse.ArgumentParser(prog="rai-audit", description="Responsible-AI audit of ML models: fairness, "
                                     "attribution, privacy and energy, with a CI gate.")
    from ._version import __version__

    parser.add_argument("--version", action="version", version=f"rai-audit {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="train missing reference networks, audit each, write reports and an index")
    p.add_argument("--out", default="reports", help="output folder (default: reports/)")
    p.add_argument("--models", default=None, help="reference network folder (default: ./models)")

    p = sub.add_parser("train", help="train reference networks into models/<name>/, deterministically")
    p.add_argument("names", nargs="*", metavar="NAME", help="networks to train (default: all)")
    p.add_argument("--models", default=None, help="reference network folder (default: ./models)")

    p = sub.add_parser("run", help="run the audit a spec file describes and apply its checks")
    p.add_argument("spec", metavar="SPEC.toml")
    p.add_argument("--out", default="reports", help="output folder for report.html and report.json")
    p.add_argument("--models", default=None, help="reference network folder (default: ./models)")

    p = sub.add_parser("gate", help="apply a policy to a saved report.json; exit 0 pass, 1 fail, 3 error "
                       "(prints ::error/::warning annotations when GITHUB_ACTIONS=true)")
    p.add_argument("report", metavar="REPORT.json")
    p.add_argument("--policy", required=True, metavar="POLICY.toml")
    p.add_argument("--baseline", default=None, metavar="OLD.json",
                   help="also fail when a gated metric got worse than in this (last accepted) report")
    p.add_argument("--tolerance-abs", type=float, default=0.01, metavar="X",
                   help="absolute change tolerated against the baseline (default 0.01)")
    p.add_argument("--tolerance-rel", type=float, default=0.1, metavar="X",
                   help="relative change tolerated against the baseline (default 0.1)")
    p.add_argument("--junit", default=None, metavar="FILE", help="write JUnit XML, one test case per check")
    p.add_argument("--summary", default=None, metavar="FILE",
                   help="write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)")

    p = sub.add_parser("diff", help="what changed between two report.json files, better or worse, regressions "
                       "the gate flags first (exit 0)")
    p.add_argument("old", metavar="OLD.json")
    p.add_argument("new", metavar="NEW.json")
    p.add_argument("--policy", default=None, metavar="POLICY.toml",
                   help="flag regressions of this policy's metrics as the gate would with --baseline OLD.json "
                        "(default: the checks NEW.json carries)")
    p.add_argument("--tolerance-abs", type=float, default=0.01, metavar="X",
                   help="absolute change tolerated before a gated regression (default 0.01, as the gate)")
    p.add_argument("--tolerance-rel", type=float, default=0.1, metavar="X",
                   help="relative change tolerated before a gated regression (default 0.1, as the gate)")
    p.add_argument("--format", choices=("text", "markdown"), default="text", help="table format (default text)")
    p.add_argument("--min-change", type=float, default=0.0, metavar="X",
                   help="treat metric changes of at most X as unchanged (default 0)")
    p.add_argument("--limit", type=int, default=50, metavar="N",
                   help="show at most N changes, gated regressions and what got worse first (default 50; 0 shows all)")

    sub.add_parser("list", help="list auditors (with the distribution providing each) and reference networks")
    return parser


#: Optional modules -> the extra that installs them.
_EXTRA_OF = {"torch": "torch", "captum": "torch", "polars": "scale", "duckdb": "scale", "dask": "scale",
             "pyspark": "scale", "spacy": "ner", "pynvml": "gpu-energy"}
_TORCH_NOTE = " (for torch's CPU-only build, first: pip install torch --index-url https://download.pytorch.org/whl/cpu)"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``rai-audit``; returns an :class:`ExitCode`."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage; our contract says 4
        return ExitCode.OK if exc.code == 0 else ExitCode.USAGE_ERROR
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_SafeFormatter("rai-audit: %(levelname)s: %(message)s"))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, handlers=[handler])
    if args.command is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE_ERROR
    progress = _Progress(args.quiet)
    try:
        if args.command == "list":
            return int(_cmd_list(args))
        if args.command == "train":
            return int(_cmd_train(args, progress))
        if args.command == "run":
            return int(_cmd_run(args, progress))
        if args.command == "gate":
            return int(_cmd_gate(args))
        if args.command == "diff":
            return int(_cmd_diff(args))
        return int(_cmd_demo(args, progress))
    except KeyboardInterrupt:
        print("rai-audit: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `rai-audit list | head`: the reader left; nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except UsageError as exc:
        print(f"rai-audit: error: {for_terminal(exc)}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    except (PluginError, AuditError) as exc:
        print(f"rai-audit: internal error: {for_terminal(exc)}", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
    except Exception as exc:  # a bug of ours: fail closed with exit 3 (never 1, which means "checks failed")
        extra = _EXTRA_OF.get(str(getattr(exc, "name", "")).split(".")[0]) \
            if isinstance(exc, ModuleNotFoundError) else None
        if extra is not None:  # an optional dependency this command needs: the user's fix, not our bug
            text = MSG_NEEDS_EXTRA.format(command=args.command, module=getattr(exc, "name", None), extra=extra,
                                          note=_TORCH_NOTE if extra == "torch" else "")
            print(f"rai-audit: error: {for_terminal(text)}", file=sys.stderr)
            return ExitCode.USAGE_ERROR
        print(for_terminal_block(traceback.format_exc()).rstrip("\n"), file=sys.stderr)
        print("rai-audit: internal error (the traceback above is a bug report; please file it)", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
