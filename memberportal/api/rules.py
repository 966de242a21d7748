"""Pure helpers: API tokens and request fingerprints."""

from __future__ import annotations

import hashlib
import json
import secrets

TOKEN_PREFIX = "mpk_"  # noqa: S105 - a label, not a secret


def new_token() -> tuple[str, str]:
    """(token, display prefix). The token carries 256 bits of randomness."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", f"{TOKEN_PREFIX}{prefix}"


def hash_token(token: str) -> str:
    # A fast hash is right here: the token is random and long, not a password to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(header: str | None) -> str | None:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def request_fingerprint(method: str, path: str, payload: dict) -> str:
    """Same method, path and JSON body (key order ignored) -> same fingerprint."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()
