"""Configuration from the environment, with safe defaults for the offline demo."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "memberportal.sqlite3")
    # Accept the common short forms and use the psycopg 3 driver for PostgreSQL.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load(instance_path: str) -> dict:
    """Build the config mapping; every value a deployment changes comes from the environment."""
    url = _database_url(instance_path)
    engine_options: dict = {}
    if url.startswith("sqlite"):
        # Wait for a writer instead of failing at once when several threads write.
        engine_options["connect_args"] = {"timeout": 30}
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        # A pooled connection unused for this long is checked before use (core.db.ping_after_idle).
        "DB_PING_AFTER_IDLE_SECONDS": float(os.environ.get("DB_PING_AFTER_IDLE_SECONDS", "1")),
        "BRAND_NAME": os.environ.get("BRAND_NAME", "Memberportal"),
        "BRAND_TIMEZONE": os.environ.get("BRAND_TIMEZONE", "Asia/Shanghai"),
        # Where a phone typed without a country code belongs (a region code such as CN, HK).
        "PHONE_REGION": os.environ.get("PHONE_REGION", "CN"),
        "PAYMENTS_MODE": os.environ.get("PAYMENTS_MODE", "demo"),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        # Only to point the stripe library at another host (tests run a local one).
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", ""),
        "HTMX_SOURCE": os.environ.get("HTMX_SOURCE", "cdn"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "lazymemory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "1200 per minute"),
        # How often each worker adds its tally of API calls to the owner's usage figures.
        "API_USAGE_FLUSH_SECONDS": float(os.environ.get("API_USAGE_FLUSH_SECONDS", "5")),
        "SIGNIN_LIMIT_PER_ACCOUNT": os.environ.get("SIGNIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "SIGNIN_LIMIT_PER_IP": os.environ.get("SIGNIN_LIMIT_PER_IP", "30 per 15 minutes"),
        # New accounts made (successful registrations), against farming invite rewards.
        "REGISTER_LIMIT_PER_IP": os.environ.get("REGISTER_LIMIT_PER_IP", "20 per hour"),
        "REGISTER_LIMIT_PER_DEVICE": os.environ.get("REGISTER_LIMIT_PER_DEVICE", "3 per day"),
        # Wrong password-reset codes: with 31**8 codes and 30 minutes per code, a handful of
        # guesses per account is far from enough to find one.
        "RESET_CODE_LIMIT_PER_ACCOUNT": os.environ.get(
            "RESET_CODE_LIMIT_PER_ACCOUNT", "5 per 15 minutes"
        ),
        "RESET_CODE_LIMIT_PER_IP": os.environ.get("RESET_CODE_LIMIT_PER_IP", "20 per 15 minutes"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ("zh", "en"),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    }
