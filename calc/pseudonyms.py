"""The secret key behind the pseudonyms of client and staff ids, kept outside every database.

A pseudonym is the first 16 hex digits of SHA-256(salt || id), where the salt is
HMAC-SHA256(key, purpose): whoever holds a database file but not the key cannot recompute a
pseudonym from a guessed id, so six-digit ids cannot be brute-forced from the file. The same key
gives a person the same pseudonym in every load.

The key is read from $WEGBILANZ_PSEUDONYM_KEY (64 hex digits), else from the file named by
$WEGBILANZ_KEY_FILE, else ~/.config/wegbilanz/pseudonym.key; a missing file is created on first
use with permissions 0600. Losing the key only means that later loads give new pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_ENV = "WEGBILANZ_PSEUDONYM_KEY"
KEY_FILE_ENV = "WEGBILANZ_KEY_FILE"
DEFAULT_KEY_FILE = Path.home() / ".config" / "wegbilanz" / "pseudonym.key"
KEY_BYTES = 32
PURPOSE = b"wegbilanz pseudonyms v1"


class PseudonymKeyError(RuntimeError):
    """The key cannot be read or made (bad hex, no permission): an environment failure."""


def key_file() -> Path:
    return Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE)


def load_or_create_key() -> bytes:
    """The key from the environment or the key file, creating the file (0600) if missing."""
    if text := os.environ.get(KEY_ENV):
        return _parse(text, f"${KEY_ENV}")
    path = key_file()
    try:
        return _parse(path.read_text(encoding="ascii"), str(path))
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        # O_EXCL: two processes starting at once cannot both write a key; the loser reads it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _parse(path.read_text(encoding="ascii"), str(path))
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise PseudonymKeyError(
            f"{where}: the pseudonym key must be {KEY_BYTES * 2} hex digits"
        ) from None
    if len(key) < KEY_BYTES:
        raise PseudonymKeyError(f"{where}: the pseudonym key must be {KEY_BYTES * 2} hex digits")
    return key


def salt(key: bytes) -> str:
    """The secret salt that the loader's SQL puts before every id."""
    return hmac.new(key, PURPOSE, hashlib.sha256).hexdigest()


def sql(id_column: str) -> str:
    """SQL for the pseudonym of the id in `id_column`, with the salt as its one `?` parameter:
    the one formula every writer of pseudonyms uses (the loader, the pre-built demo)."""
    return f"left(sha256(? || {id_column}), 16)"
