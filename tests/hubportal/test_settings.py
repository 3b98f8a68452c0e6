"""Production settings are safe, and a missing secret stops the portal at start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run Python in the project with only the given DJANGO_* variables set."""
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update({"HUBPORTAL_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=120
    )


def run_manage(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    return run_python("manage.py", *args, tmp_path=tmp_path, **env)


def test_check_deploy_is_clean_with_production_values(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="hubportal.example.org",
        DJANGO_SETTINGS_MODULE="hubportal.settings",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_a_missing_secret_key_stops_the_web_server(tmp_path):
    result = run_python(
        "-c", "import hubportal.wsgi", tmp_path=tmp_path, DJANGO_SETTINGS_MODULE="hubportal.settings"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_developer_commands_run_without_a_secret(tmp_path):
    result = run_manage("check", tmp_path=tmp_path, DJANGO_SETTINGS_MODULE="hubportal.settings")
    assert result.returncode == 0, result.stderr
