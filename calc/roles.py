"""Who may do what: three roles, the check every write makes, and the sign-in settings.

- viewer: every page, read-only (and the presenter);
- editor: also saves and deletes scenarios and edits workshops;
- steward (data steward): also loads, rolls back and resets data and restores backups.

Each role includes the ones before it. Every function of `calc` that writes (calc.saved,
calc.workshop, calc.backup.import_state, calc.loaders.load_version, calc.store.Store.switch)
takes the caller's role and calls `require` first, so a page that forgot to hide a button
still cannot write. The command line runs as steward: whoever runs it is on the machine.

The settings come from the `[roles]` and `[local]` sections of Streamlit's secrets file (the
app passes them in as plain mappings; this module never imports Streamlit):

    [roles]                              # with [auth] (OpenID Connect): who gets which role
    claim = "wegbilanz_role"             # an ID-token claim holding role names (optional)
    stewards = ["ben@example.org"]       # e-mail addresses; "@example.org" = a whole domain
    editors = ["ana@example.org"]
    viewers = ["@example.org"]           # "*" = everyone the identity provider signs in

    [local]                              # a laptop without identity provider
    editor = "$scrypt$ln=17,r=8,p=1$…$…"  # python -m calc passphrase
    steward = "$scrypt$ln=17,r=8,p=1$…$…"
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    STEWARD = "steward"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what `needed` may (roles include the ones below them)."""
        return self.rank >= needed.rank


class RoleError(PermissionError):
    """A write refused because the caller's role is below the one it needs."""

    def __init__(self, role: Role | None, needed: Role) -> None:
        super().__init__(f"this needs the {needed} role; the caller has {role or 'none'}")
        self.role = role
        self.needed = needed


def require(role: Role | None, needed: Role) -> None:
    """Raise RoleError unless `role` includes `needed` (None, or anything not a Role: refused)."""
    if not isinstance(role, Role) or not role.allows(needed):
        raise RoleError(role if isinstance(role, Role) else None, needed)


def highest(roles: Iterable[Role]) -> Role | None:
    found = list(roles)
    return max(found, key=lambda role: role.rank) if found else None


# -- roles from an identity provider's claims ------------------------------------------------


@dataclass(frozen=True)
class RoleRules:
    """How a signed-in person's ID-token claims give a role ([roles] in the secrets file)."""

    claim: str | None = None
    stewards: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    viewers: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> RoleRules:
        settings = settings or {}

        def addresses(name: str) -> tuple[str, ...]:
            value = settings.get(name, ())
            if isinstance(value, str):
                value = [value]
            return tuple(str(item).strip().lower() for item in value if str(item).strip())

        claim = settings.get("claim")
        return cls(
            claim=str(claim) if claim else None,
            stewards=addresses("stewards"),
            editors=addresses("editors"),
            viewers=addresses("viewers"),
        )

    def role_for(self, claims: Mapping[str, Any]) -> Role | None:
        """The highest role the claims give, or None (signed in, but no role here)."""
        found: list[Role] = []
        if self.claim:
            value = claims.get(self.claim)
            names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            found += [Role(str(n).lower()) for n in names if str(n).lower() in set(Role)]
        email = str(claims.get("email") or "").strip().lower()
        # An address the provider says it has not verified is nobody's address.
        if email and claims.get("email_verified", True) is not False:
            for role, entries in (
                (Role.STEWARD, self.stewards),
                (Role.EDITOR, self.editors),
                (Role.VIEWER, self.viewers),
            ):
                if any(_matches(email, entry) for entry in entries):
                    found.append(role)
        elif "*" in self.viewers:
            found.append(Role.VIEWER)
        return highest(found)


def _matches(email: str, entry: str) -> bool:
    if entry == "*":
        return True
    if entry.startswith("@"):
        return email.endswith(entry)
    return email == entry


# -- passphrases for a laptop without identity provider --------------------------------------

SCRYPT_LOG2_N = 17  # OWASP's minimum for scrypt: N = 2^17, r = 8, p = 1 (128 MiB, ~0.3 s)
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MAX_LOG2_N = 20
_MAX_MEMORY = 1 << 30
# One check at a time in this process: guessing over many sessions at once gains nothing, and
# the memory a check takes is taken once.
_checking = threading.Lock()


class PassphraseError(ValueError):
    """A stored passphrase hash that cannot be read."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _scrypt(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=salt,
        n=1 << log2_n,
        r=r,
        p=p,
        maxmem=_MAX_MEMORY,
        dklen=HASH_BYTES,
    )


def hash_passphrase(passphrase: str, *, log2_n: int = SCRYPT_LOG2_N) -> str:
    """A salted scrypt hash of the passphrase, as one line for the secrets file."""
    if not passphrase:
        raise PassphraseError("an empty passphrase")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(passphrase, salt, log2_n, SCRYPT_R, SCRYPT_P)
    return f"$scrypt$ln={log2_n},r={SCRYPT_R},p={SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_passphrase(passphrase: str, stored: str) -> bool:
    """Whether the passphrase is the one `stored` was made from (constant-time comparison)."""
    try:
        _, scheme, params, salt_text, hash_text = stored.strip().split("$")
        values = dict(part.split("=", 1) for part in params.split(","))
        log2_n, r, p = int(values["ln"]), int(values["r"]), int(values["p"])
        salt, expected = _unb64(salt_text), _unb64(hash_text)
    except (ValueError, KeyError) as error:
        raise PassphraseError(
            f"not a passphrase hash of 'python -m calc passphrase': {error}"
        ) from None
    if scheme != "scrypt" or not (1 <= log2_n <= MAX_LOG2_N and 1 <= r <= 32 and 1 <= p <= 16):
        raise PassphraseError("not a passphrase hash of 'python -m calc passphrase'")
    with _checking:
        digest = _scrypt(passphrase, salt, log2_n, r, p)
    return hmac.compare_digest(digest, expected)


@dataclass(frozen=True)
class Passphrases:
    """The hashes of [local] in the secrets file: one for editors, one for stewards."""

    editor: str | None = None
    steward: str | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> Passphrases:
        settings = settings or {}
        return cls(
            editor=str(settings["editor"]) if settings.get("editor") else None,
            steward=str(settings["steward"]) if settings.get("steward") else None,
        )

    @property
    def configured(self) -> bool:
        return bool(self.editor or self.steward)

    def role_for(self, passphrase: str) -> Role | None:
        """The role a passphrase opens (the steward's first), or None for a wrong one."""
        if not passphrase:
            return None
        for role, stored in ((Role.STEWARD, self.steward), (Role.EDITOR, self.editor)):
            if stored and verify_passphrase(passphrase, stored):
                return role
        return None


# -- which way people sign in ----------------------------------------------------------------


class Mode(StrEnum):
    OIDC = "oidc"  # [auth]: an identity provider signs people in, [roles] gives the role
    LOCAL = "local"  # [local]: anyone is a viewer; a passphrase makes an editor or a steward
    OPEN = "open"  # nothing configured: every role, for the one computer the app listens on
    LOCKED = "locked"  # nothing configured but reachable from other computers: viewer only


LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def mode(secrets_: Mapping[str, Any], server_address: str | None) -> Mode:
    """The sign-in mode of the secrets file's sections, given the address the server listens on.

    Without any sign-in configured the app gives every role only while it listens on the
    loopback address; an app reachable from the network without sign-in is read-only.
    """
    if secrets_.get("auth"):
        return Mode.OIDC
    if Passphrases.from_settings(secrets_.get("local")).configured:
        return Mode.LOCAL
    if (server_address or "").strip().strip("[]") in LOOPBACK:
        return Mode.OPEN
    return Mode.LOCKED
