"""``python -m workers`` : build-base, list, run.

Bad input (unknown experiment, a parameter out of its limits, a model directory that is not
a causal LM, a malformed JSONL line) prints one line ``error: ...`` to stderr and exits 2;
the result file is written atomically, so nothing half-written is left behind."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from workers import preload
from workers.base_model import (
    build_base_model,
    build_record,
    is_built,
    model_path,
    two_gap_config,
)
from workers.experiments import list_experiments, preflight, run_experiment, validate_params
from workers.runtime import LabError, LabInputError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m workers", description="Alignment lab engine")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser(
        "build-base",
        help="build the default base model and the surface vs deep lab's (no-op when built)",
    )
    ls = sub.add_parser("list", help="list experiments with their parameters and limits")
    ls.add_argument("--json", action="store_true", help="print the specs as JSON")
    run = sub.add_parser("run", help="run one experiment")
    run.add_argument("experiment")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    run.add_argument("--out", help="write the JSON result here")
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    return ap


def _parse_sets(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise LabInputError(f"--set {item!r} is not KEY=VALUE")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _fmt_metrics(metrics: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.4g}" for k, v in metrics.items())


def _write_atomic(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cmd_list(as_json: bool) -> None:

    specs = list_experiments()
    if as_json:
        print(json.dumps(specs, indent=1))
        return
    for spec in specs:
        print(f"{spec['name']}: {spec['title']}")
        print(f"  {spec['summary']}")
        for p in spec["params"]:
            limits = (
                f"[{p['min']}, {p['max']}]"
                if p["min"] is not None
                else ("{" + ", ".join(p["choices"]) + "}" if p["choices"] else "")
            )
            default = f"{p['name']}={p['default']}"
            print(f"  {default:<24} {p['type']:<6} {limits:<18} {p['help']}")
        if spec["needs_gold"]:
            print(f"  note: {spec['needs_gold']}")


def _progress_printer(quiet: bool):
    t0 = time.perf_counter()

    def report(step: int, total: int, metrics: dict[str, float], samples: list) -> None:
        if not quiet:
            print(
                f"[{time.perf_counter() - t0:6.1f}s] {step}/{total} {_fmt_metrics(metrics)}",
                flush=True,
            )

    return report


def _cmd_build_base(quiet: bool = False) -> None:
    """The default base model, then the surface vs deep lab's own (the same configuration
    on the two-gap world, ``base_model.two_gap_config``)."""
    for what, config in (
        ("base model", None),
        ("surface vs deep base model (two-gap world)", two_gap_config()),
    ):
        if is_built(config):
            print(f"{what} already built: {model_path(config)}")
            continue
        print(f"building the {what} (corpus, tokenizer, pretraining)...", flush=True)
        path = build_base_model(config, report=_progress_printer(quiet))
        rec = build_record(path)
        print(f"built {path} ({rec.get('parameters')} parameters) in {rec.get('total_seconds')} s")


def _cmd_run(args: argparse.Namespace) -> None:

    params = validate_params(args.experiment, _parse_sets(args.set))  # fail before loading
    preflight(args.experiment, params)
    out = Path(args.out) if args.out else None
    if out is not None and out.is_dir():
        raise LabInputError(f"--out {out} is a directory")
    if not args.quiet:
        print(f"running {args.experiment} ({_fmt_params(params)})", flush=True)

    preload()
    result = run_experiment(args.experiment, params, _progress_printer(args.quiet))
    print(f"headline: {result['headline']}")
    print(f"timings: {json.dumps(result['timings'])}")
    if out is not None:
        _write_atomic(out, result)
        print(f"wrote {out}")


def _fmt_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            _cmd_list(args.json)
        elif args.command == "build-base":
            _cmd_build_base()
        else:
            _cmd_run(args)
    except LabError as exc:  # bad input (2) or training that diverged (1): one line
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2 if isinstance(exc, LabInputError) else 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
