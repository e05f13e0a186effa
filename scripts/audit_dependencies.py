"""Check the installed packages against published advisories (pip-audit), and say plainly
when no advisory service answered instead of reporting a pass.

    .venv/bin/python scripts/audit_dependencies.py       # make lint runs this

pip-audit asks PyPI's JSON API for each installed version's advisories, then OSV's if PyPI
answered for none. Its own summary is misleading where neither answers: every package is
"skipped" and it still prints "No known vulnerabilities found" and exits 0. So this reads
its JSON and decides:

- a known vulnerability in any package: the advisories are listed, exit 1;
- no service answered for any package (offline, a mirror without the per-version API, DNS
  refused): a banner says that NOTHING WAS CHECKED, naming the reason, and exits 0 so
  that CI on a machine without the advisory services still runs the tests (warn and
  continue); DEPENDENCY_AUDIT=required makes it exit 1 instead, for a CI that has network;
- packages a service did not know (this project itself, a private package): listed, not
  a failure, as long as the others were checked.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404  # a fixed pip-audit command line, no shell
import sys
from dataclasses import dataclass, field

SERVICES = ("pypi", "osv")
NETWORK_ERRORS = (
    "ConnectionError",
    "Max retries exceeded",
    "Failed to resolve",
    "Name or service not known",
    "Temporary failure in name resolution",
    "timed out",
    "HTTPError",
)


@dataclass
class Audit:
    service: str
    checked: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # name: reason
    vulnerable: dict[str, list[str]] = field(default_factory=dict)  # "name version": ids
    error: str = ""


def read_report(service: str, returncode: int, stdout: str, stderr: str) -> Audit:
    """pip-audit's JSON (-f json) as an Audit; an unreadable run as an Audit with `error`."""
    audit = Audit(service)
    try:
        report = json.loads(stdout)
    except ValueError:
        lines = [line for line in (stderr or stdout).strip().splitlines() if line.strip()]
        audit.error = lines[-1] if lines else f"pip-audit exited {returncode} with no output"
        return audit
    for row in report.get("dependencies", []):
        name = f"{row['name']} {row.get('version', '')}".strip()
        if "skip_reason" in row:
            audit.skipped[row["name"]] = row["skip_reason"]
            continue
        audit.checked.append(name)
        ids = [vuln["id"] for vuln in row.get("vulns", [])]
        if ids:
            audit.vulnerable[name] = ids
    return audit


def run_pip_audit(service: str) -> Audit:
    command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off"]
    command += ["--vulnerability-service", service, "--format", "json"]
    result = subprocess.run(  # nosec B603  # a fixed command line
        command, capture_output=True, text=True, timeout=600, check=False
    )
    return read_report(service, result.returncode, result.stdout, result.stderr)


def is_network_failure(audit: Audit) -> bool:
    return any(marker in audit.error for marker in NETWORK_ERRORS)


def verdict(audits: list[Audit], *, required: bool) -> tuple[int, str]:
    """The exit status and what to print, from the services tried in order."""
    answered = next((audit for audit in audits if audit.checked), None)
    if answered is None:
        if any(audit.error and not is_network_failure(audit) for audit in audits):
            failed = next(a for a in audits if a.error and not is_network_failure(a))
            return 1, f"pip-audit failed ({failed.service}): {failed.error}"
        reasons = [
            f"  {audit.service}: "
            + (
                audit.error
                or f"answered for none of {len(audit.skipped)} packages, e.g. "
                f"{next(iter(audit.skipped.values()), 'no packages')}"
            )
            for audit in audits
        ]
        banner = "\n".join(
            [
                "=" * 78,
                "DEPENDENCY ADVISORIES NOT CHECKED: no advisory service answered.",
                *reasons,
                "Nothing was audited; this is not a pass. Run `make lint` where PyPI's JSON",
                "API or api.osv.dev can be reached, or set DEPENDENCY_AUDIT=required to fail.",
                "=" * 78,
            ]
        )
        return (1 if required else 0), banner
    lines = [
        f"Dependencies checked against {answered.service} advisories: "
        f"{len(answered.checked)} packages."
    ]
    if answered.skipped:
        names = ", ".join(sorted(answered.skipped))
        lines.append(f"Not known to {answered.service}, so not checked: {names}")
    if answered.vulnerable:
        lines.append("Known vulnerabilities:")
        lines += [f"  {name}: {', '.join(ids)}" for name, ids in answered.vulnerable.items()]
        return 1, "\n".join(lines)
    lines.append("No known vulnerabilities.")
    return 0, "\n".join(lines)


def main() -> int:
    required = os.environ.get("DEPENDENCY_AUDIT", "") == "required"
    audits = []
    for service in SERVICES:
        audit = run_pip_audit(service)
        audits.append(audit)
        if audit.checked:
            break
    status, message = verdict(audits, required=required)
    print(message, file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main())
