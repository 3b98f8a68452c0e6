"""The app order is a lint rule: an import from an app above fails `make lint` (import-linter)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
APPS = [
    "core",
    "outbox",
    "notifications",
    "hubs",
    "innovations",
    "evaluation",
    "value",
    "learning",
    "demo",
    "hubportal",
    "crispy_nhsuk",
]


@pytest.fixture
def project_copy(tmp_path):
    """The apps' Python files and the lint settings, in a folder of the test's own."""
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_the_apps_keep_their_order_and_a_wrong_way_import_fails(project_copy):
    assert lint_imports(project_copy).returncode == 0
    (project_copy / "hubs" / "wrong_way.py").write_text("from evaluation.models import Measurement\n")
    broken = lint_imports(project_copy)
    assert broken.returncode != 0
    assert "hubs.wrong_way -> evaluation.models" in broken.stdout
