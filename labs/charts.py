"""Chart data for the lab pages (rendered by static/js/labs.js with Chart.js)."""

from __future__ import annotations

from typing import Any

from labs.models import LabRun
from labs.parameters import humanize


def _line(label: str, points: list) -> dict[str, Any]:
    return {"label": label, "points": points}


def _is_numeric(lines: list[dict]) -> bool:
    return all(isinstance(p[0], int | float) for line in lines for p in line["points"])


def _series_charts(series: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    charts = []
    for name, spec in (series or {}).items():
        if "lines" in spec:
            lines = [_line(f"{prefix}{label}", pts) for label, pts in spec["lines"].items()]
        else:
            lines = [_line(f"{prefix}{name}", spec.get("points", []))]
        charts.append(
            {
                "id": name,
                "title": humanize(name),
                "x_label": spec.get("x_label", ""),
                "y_label": spec.get("y_label", ""),
                "numeric_x": _is_numeric(lines),
                "lines": lines,
            }
        )
    return charts


def run_charts(run: LabRun) -> dict[str, Any]:
    """Live metric charts (one per metric, growing by step) and, when finished, the
    experiment's own result charts."""
    final = _series_charts((run.result or {}).get("series", {}))
    shown = {chart["id"] for chart in final}
    live = [
        {
            "id": f"live-{name}",
            "title": humanize(name),
            "x_label": "step",
            "y_label": name,
            "numeric_x": True,
            "lines": [_line(name, points)],
        }
        for name, points in (run.metrics or {}).items()
        if len(points) > 1 and name not in shown  # single values are in the table
    ]
    return {"live": live, "final": final, "active": run.is_active}


def run_label(run: LabRun, varying: list[str]) -> str:
    details = ", ".join(f"{key}={run.params.get(key)}" for key in varying)
    return f"run {run.pk}" + (f" ({details})" if details else "")


def varying_params(runs: list[LabRun]) -> list[str]:
    keys = sorted({key for run in runs for key in run.params})
    return [key for key in keys if len({repr(run.params.get(key)) for run in runs}) > 1]


def compare_charts(runs: list[LabRun]) -> list[dict[str, Any]]:
    """Overlay several finished runs: one chart per curve or result series with a line per
    run, and, when one numeric parameter varies (a sweep made of separate runs), each
    finding against that parameter."""
    varying = varying_params(runs)
    charts: dict[str, dict[str, Any]] = {}
    series_names = {name for run in runs for name in (run.result or {}).get("series", {})}
    for run in runs:
        label = run_label(run, varying)
        for name, points in (run.metrics or {}).items():
            if len(points) < 2 or name in series_names:
                continue
            chart = charts.setdefault(
                f"live-{name}",
                {
                    "id": f"live-{name}",
                    "title": humanize(name),
                    "x_label": "step",
                    "y_label": name,
                    "numeric_x": True,
                    "lines": [],
                },
            )
            chart["lines"].append(_line(label, points))
        for chart in _series_charts((run.result or {}).get("series", {}), prefix=f"{label}: "):
            merged = charts.setdefault(chart["id"], {**chart, "lines": []})
            merged["lines"].extend(chart["lines"])
            merged["numeric_x"] = merged["numeric_x"] and chart["numeric_x"]
    sweep = _sweep_chart(runs, varying)
    return ([sweep] if sweep else []) + list(charts.values())


def _sweep_chart(runs: list[LabRun], varying: list[str]) -> dict[str, Any] | None:
    numeric = [
        key for key in varying if all(isinstance(run.params.get(key), int | float) for run in runs)
    ]
    if len(numeric) != 1:
        return None
    key = numeric[0]
    ordered = sorted(runs, key=lambda run: run.params[key])
    names = sorted(
        {
            name
            for run in runs
            for name, value in ((run.result or {}).get("findings") or {}).items()
            if isinstance(value, int | float)
        }
    )
    lines = []
    for name in names:
        points = [
            [run.params[key], run.result["findings"][name]]
            for run in ordered
            if isinstance((run.result.get("findings") or {}).get(name), int | float)
        ]
        lines.append(_line(name.replace("_", " "), points))
    if not lines:
        return None
    return {
        "id": "sweep",
        "title": f"Findings against {humanize(key)}",
        "x_label": key,
        "y_label": "finding",
        "numeric_x": True,
        "lines": lines,
    }
