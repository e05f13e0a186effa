"""CI's security checks: `make lint` runs bandit over the project's code and checks the
installed packages against published advisories, and the advisory check never reports a
pass when no advisory service answered."""

import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "audit_dependencies", ROOT / "scripts" / "audit_dependencies.py"
)
audit_dependencies = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = audit_dependencies  # the dataclasses look their module up
_spec.loader.exec_module(audit_dependencies)


def _lint_recipe() -> str:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)


def _report(*rows: dict) -> str:
    return json.dumps({"dependencies": list(rows), "fixes": []})


def test_make_lint_runs_bandit_over_the_apps_config_scripts_benchmarks_and_the_engine():
    recipe = _lint_recipe()
    assert re.search(r"bandit .*-r config course cohorts quizzes labs scripts benchmarks", recipe)
    assert re.search(r"bandit .*-r workers", recipe)
    assert "tests" not in recipe.split("bandit", 1)[1].split("\n", 1)[0]


def test_make_lint_checks_the_dependencies_against_advisories():
    assert "scripts/audit_dependencies.py" in _lint_recipe()


def test_bandit_and_pip_audit_are_pinned_dev_dependencies():
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = dict(entry.split("==") for entry in dev["optional-dependencies"]["dev"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", pins["bandit"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", pins["pip-audit"])


def test_bandit_passes_on_the_project_code():
    bandit = Path(sys.executable).with_name("bandit")
    for args in (
        [
            "-r",
            "config",
            "course",
            "cohorts",
            "quizzes",
            "labs",
            "scripts",
            "benchmarks",
            "manage.py",
        ],
        ["-r", "workers", "--skip", "B311"],
    ):
        result = subprocess.run(
            [str(bandit), "-q", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout


def test_a_known_vulnerability_fails_the_check_and_names_the_advisory():
    audit = audit_dependencies.read_report(
        "pypi",
        1,
        _report(
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1"}]},
            {"name": "nh3", "version": "0.3.8", "vulns": []},
        ),
        "",
    )
    status, message = audit_dependencies.verdict([audit], required=False)
    assert status == 1
    assert "django 5.2.0: PYSEC-2025-1" in message


def test_clean_packages_pass_and_say_how_many_were_checked():
    audit = audit_dependencies.read_report(
        "pypi",
        0,
        _report(
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "private-thing", "skip_reason": "Dependency not found on PyPI"},
        ),
        "",
    )
    status, message = audit_dependencies.verdict([audit], required=False)
    assert status == 0
    assert "1 packages" in message and "No known vulnerabilities." in message
    assert "not checked: private-thing" in message


def test_no_service_answering_is_a_loud_warning_not_a_pass():
    everything_skipped = audit_dependencies.read_report(
        "pypi",
        0,
        _report({"name": "django", "skip_reason": "Dependency not found on PyPI"}),
        "",
    )
    unreachable = audit_dependencies.read_report(
        "osv", 1, "", "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'"
    )
    status, message = audit_dependencies.verdict([everything_skipped, unreachable], required=False)
    assert status == 0  # warn and continue: the tests still run offline
    assert "DEPENDENCY ADVISORIES NOT CHECKED" in message
    assert "this is not a pass" in message
    assert "No known vulnerabilities" not in message
    assert "Failed to resolve 'api.osv.dev'" in message


def test_no_service_answering_fails_when_the_audit_is_required():
    unreachable = audit_dependencies.read_report(
        "pypi", 1, "", "requests.exceptions.ConnectionError: Max retries exceeded"
    )
    status, message = audit_dependencies.verdict([unreachable], required=True)
    assert status == 1
    assert "DEPENDENCY ADVISORIES NOT CHECKED" in message


def test_pip_audit_failing_for_another_reason_fails_the_check():
    broken = audit_dependencies.read_report("pypi", 2, "", "pip-audit: error: unrecognized")
    status, message = audit_dependencies.verdict([broken], required=False)
    assert status == 1
    assert "pip-audit failed" in message
