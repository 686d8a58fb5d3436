"""Invitation tokens: shown once as a link, stored only as a hash, so a copy of the
database does not let anyone in."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
