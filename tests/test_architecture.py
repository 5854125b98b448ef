"""The dependency rule of DESIGN.md, enforced by the import-linter contracts in pyproject.toml."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ROOT / "packages"


def lint_imports(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--config",
            str(ROOT / "pyproject.toml"),
            "--no-cache",
        ],
        capture_output=True,
        text=True,
        env=os.environ | {"COLUMNS": "200"} | env,  # no wrapped lines to match
        check=False,
    )


def test_contracts_are_kept() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("importer", "imported", "contract"),
    [
        ("prodready", "prodready_backup", "Core depends on no other"),
        ("prodready_security", "prodready_observability", "never import each other"),
        ("prodready_backup", "prodready_security", "never import each other"),
        ("prodready_observability", "school_site", "No package imports the example"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, importer: str, imported: str, contract: str
) -> None:
    # Copies of the sources, one with a forbidden import, shadow the installed packages.
    for src in PACKAGES.glob("*/src/*/__init__.py"):
        shutil.copytree(src.parent, tmp_path / src.parent.name)
    with (tmp_path / importer / "apps.py").open("a") as module:
        module.write(f"\nimport {imported}  # forbidden\n")

    result = lint_imports(PYTHONPATH=str(tmp_path))

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract}" in result.stdout
    assert f"{importer}.apps -> {imported}" in result.stdout


@pytest.mark.parametrize(
    ("module", "imported", "contract"),
    [
        (
            "prodready_security/ratelimit/types.py",
            "prodready_security.ratelimit.store",
            "Security's modules import each other without cycles",
        ),
        (
            "prodready/contracts.py",
            "prodready.hooks",
            "Core's modules import each other without cycles",
        ),
        (
            "prodready_observability/metrics/health_collector.py",
            "prodready_observability.metrics.registry",
            "Observability's metrics modules import each other without cycles",
        ),
        (
            "prodready_observability/metrics/record.py",
            "prodready_observability.analytics.store",
            "Observability's modules import each other without cycles",
        ),
        (
            "prodready_observability/context.py",
            "prodready_observability.logging",
            "Observability's modules import each other without cycles",
        ),
    ],
)
def test_an_import_cycle_breaks_a_contract(
    tmp_path: Path, module: str, imported: str, contract: str
) -> None:
    # ``imported`` imports ``module`` already: importing it back closes a cycle.
    for src in PACKAGES.glob("*/src/*/__init__.py"):
        shutil.copytree(src.parent, tmp_path / src.parent.name)
    with (tmp_path / module).open("a") as source:
        source.write(f"\nimport {imported}  # a cycle\n")

    result = lint_imports(PYTHONPATH=str(tmp_path))

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract} BROKEN" in result.stdout
