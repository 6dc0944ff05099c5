"""`manage.py check --deploy` is clean with the production environment of scripts/prod.sh."""

import os
import subprocess
import sys
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


def test_s3_compatible_storage_is_configured_from_the_environment():
    """STORAGE_BACKEND=storages.backends.s3.S3Storage with AWS_* variables (no network used:
    a signed URL is computed locally)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="cchc.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 60,
        STORAGE_BACKEND="storages.backends.s3.S3Storage",
        AWS_STORAGE_BUCKET_NAME="cchc-files",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="test-key",
        AWS_SECRET_ACCESS_KEY="test-secret",
        AWS_S3_ADDRESSING_STYLE="path",
    )
    code = (
        "import django; django.setup()\n"
        "from django.core.files.storage import storages\n"
        "s = storages['default']\n"
        "print(type(s).__name__, s.bucket_name, s.file_overwrite, s.default_acl)\n"
        "print(s.url('dossiers/a.pdf'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    kind, url = result.stdout.strip().splitlines()
    assert kind == "S3Storage cchc-files False None"
    assert url.startswith("http://127.0.0.1:9000/cchc-files/media/dossiers/a.pdf?")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
