"""Settings come from the environment; each case loads them in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x8!kq2-production-like-secret-key-with-plenty-of-entropy-0f9a7c3e5b1d",
    "ALLOWED_HOSTS": "kierratys.turku.example",
    "CSRF_TRUSTED_ORIGINS": "https://kierratys.turku.example",
    "DATABASE_URL": "postgres://kierratys:pw@db.internal:5432/kierratys",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "kierratys-media",
    "AWS_S3_ENDPOINT_URL": "https://s3.example",
    "AWS_S3_REGION_NAME": "eu-north-1",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example:587",
}
PROBE = """
import json, django
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "storage": settings.STORAGES["default"]["BACKEND"],
    "storage_options": settings.STORAGES["default"].get("OPTIONS", {}),
    "email": settings.EMAIL_BACKEND,
    "language": settings.LANGUAGE_CODE,
    "languages": [code for code, _ in settings.LANGUAGES],
    "tz": settings.TIME_ZONE,
    "domains": settings.SIGNUP_EMAIL_DOMAINS,
    "service": settings.SERVICE_NAME,
}, default=str))
"""


def clean_env(**overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "AWS_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "kierratys.settings", "DEBUG": "true"})
    env.pop("SECRET_KEY", None)
    env.update(overrides)
    return env


def load(**overrides):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean_env(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default_needs_no_variables():
    loaded = load()
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["name"].endswith("db.sqlite3")
    assert loaded["layer"] == "channels.layers.InMemoryChannelLayer"
    assert loaded["storage"] == "django.core.files.storage.FileSystemStorage"
    assert loaded["email"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["language"] == "fi"
    assert loaded["languages"] == ["fi", "sv", "en"]
    assert loaded["tz"] == "Europe/Helsinki"


def test_postgres_url_and_redis_switch_backends():
    loaded = load(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/kierratys",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["name"] == "kierratys"
    assert loaded["conn_max_age"] == 60  # each server thread keeps its connection
    assert loaded["health_checks"] is True
    # channels-redis pub/sub, sending each batch as one pipeline (kierratys.live.layers)
    assert loaded["layer"] == "kierratys.live.layers.PipelinedPubSubChannelLayer"


def test_s3_bucket_switches_media_to_s3():
    loaded = load(
        AWS_STORAGE_BUCKET_NAME="media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_S3_REGION_NAME="eu-north-1",
    )
    assert loaded["storage"] == "storages.backends.s3.S3Storage"
    options = loaded["storage_options"]
    assert options["bucket_name"] == "media"
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["addressing_style"] == "path"
    assert options["file_overwrite"] is False


def test_municipality_is_configured_by_environment():
    loaded = load(
        SERVICE_NAME="Återbruket",
        SIGNUP_EMAIL_DOMAINS="Vaasa.fi,vasa.fi",
        LANGUAGES="sv,fi",
        LANGUAGE_CODE="sv",
    )
    assert loaded["service"] == "Återbruket"
    assert loaded["domains"] == ["vaasa.fi", "vasa.fi"]
    assert loaded["languages"] == ["sv", "fi"]
    assert loaded["language"] == "sv"


def test_manage_py_works_with_no_variables_at_all():
    env = clean_env()
    env.pop("DEBUG")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_production_database_without_secret_key_refuses_to_start():
    env = clean_env(DATABASE_URL="postgres://kierratys@db.internal:5432/kierratys")
    env.pop("DEBUG")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean_env(DEBUG="false"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_check_deploy_is_clean_with_production_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_env(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_serves_the_security_headers_and_passes_check_deploy():
    """The headers are on in production (DEBUG off), and check --deploy stays clean with them."""
    probe = (
        "import json\n"
        "from django.test import Client\n"
        "import django; django.setup()\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "r = Client().get('/listings/', secure=True)\n"
        "print(json.dumps({k: r.headers.get(k) for k in ("
        "'Content-Security-Policy', 'Permissions-Policy', 'X-Frame-Options', "
        "'Strict-Transport-Security', 'Referrer-Policy')}))\n"
    )
    # A page that answers without the database or static files: the redirect to sign in.
    env = clean_env(**{**PRODUCTION, "ALLOWED_HOSTS": "testserver"})
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.strip().splitlines()[-1])
    policy = headers["Content-Security-Policy"]
    # The directives come in no fixed order: compare them one by one.
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in policy.split(";") if d.strip()}
    assert directives["script-src"] == "script-src 'self'" and "'unsafe-inline'" not in policy
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert "camera=(self)" in headers["Permissions-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["Referrer-Policy"] == "same-origin"

    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_env(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_production_cookies_and_transport_are_strict():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE, "
            "settings.SECURE_HSTS_SECONDS, settings.SECURE_SSL_REDIRECT)",
        ],
        cwd=ROOT,
        env=clean_env(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "31536000", "True"]
