"""Passwords, tokens and the same-origin rule.

Tokens (session cookies, API tokens, invitation and calendar links) are random strings shown once;
the database keeps only their SHA-256, so a leaked database does not leak working credentials.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown keeps the answer's timing the same.
_DUMMY_HASH = _hasher.hash("not a real password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign(secret_key: str, message: str) -> str:
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed(secret_key: str, token: str) -> str:
    """A cookie value: the token and its signature with the server's secret key.

    A forged or tampered cookie is refused before any database lookup, and changing
    TOOLBOX_SECRET_KEY signs everyone out at once.
    """
    return f"{token}.{sign(secret_key, token)}"


def unsigned(secret_key: str, value: str) -> str | None:
    token, _dot, signature = value.rpartition(".")
    if token and hmac.compare_digest(signature, sign(secret_key, token)):
        return token
    return None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(origin: str | None, *, host: str | None, scheme: str, base_url: str) -> bool:
    """Is a browser's `Origin` our own? Ours is the configured base URL or the Host it asked.

    Comparing with the Host header is safe against cross-site requests: a browser always sends
    the real host it connects to, and an attacker's page cannot change that.
    """
    if not origin:
        return False
    origin = origin.lower()
    if origin == origin_of(base_url):
        return True
    return bool(host) and origin == f"{scheme}://{host}".lower()
