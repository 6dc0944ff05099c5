"""`manage.py check --deploy` is clean with the production environment of scripts/prod.sh."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _production_check(tmp_path, **extra) -> subprocess.CompletedProcess:
    # Start from a clean environment: the test settings set DJANGO_* variables for the suite.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CCHC_", "GRANIAN_"))
        and k not in {"DATABASE_URL", "REDIS_URL", "STATIC_ROOT", "MEDIA_ROOT", "TASKS_BACKEND"}
    }
    env.update(CCHC_PROD_DIR=str(tmp_path / "prod"), **extra)
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "prod.sh"), "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_the_production_environment(tmp_path):
    result = _production_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    # The secret key was generated once into the state directory, private to its owner.
    key = tmp_path / "prod" / "secret_key"
    assert len(key.read_text().strip()) >= 50
    assert key.stat().st_mode & 0o077 == 0


def test_deploy_check_fails_when_a_production_setting_is_weakened(tmp_path):
    result = _production_check(tmp_path, DJANGO_SSL_REDIRECT="false", DJANGO_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
    assert "security.W004" in result.stderr + result.stdout
