import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ASK_HEALTHZ = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


@pytest.mark.django_db
def test_healthz_answers_without_login_when_the_database_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    """A real portal process pointed at a PostgreSQL port where nothing listens."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hubportal.settings_test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere?connect_timeout=2",
        "HUBPORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", ASK_HEALTHZ], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {"status": 503, "body": {"status": "unavailable", "database": "down"}}
