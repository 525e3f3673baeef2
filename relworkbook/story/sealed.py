"""Private moments, sealed so that only the holder of the personal link can read them.

A moment kept private must not sit in the workshop's database as plain text:
whoever looks after the server, or gets hold of a copy of the file, would read
it. So a participant's private moments are stored only inside one encrypted
field of their payload, ``"sealed"``, and the key comes from their personal
link's token (``Membership.token``), which the server never stores (only its
sha256 is in the database, and that cannot be turned back into the token).

The cryptography is the ``cryptography`` package's, nothing home-made:

* HKDF-SHA256 turns the token into a 256-bit key. The token is
  ``secrets.token_urlsafe(12)``: 96 random bits, so a fast key derivation is
  right (a slow password hash is for guessable secrets). Every seal draws a
  fresh random salt, so no two seals share a key.
* AES-256-GCM encrypts and authenticates, with a fresh random nonce; the
  participant's uid is bound in as associated data, so a sealed field copied
  onto someone else's answer does not open there.

``cryptography`` is imported only when there is something to seal or open: a
participant who keeps nothing private never loads it. Measured with psutil
(Python 3.11, cryptography 46): importing HKDF, hashes and AESGCM adds about
5.5 MiB of RSS to a process that already holds a participant's page (35 MiB),
6.4 MiB to a bare Python; the import takes about 10 ms, a seal and an open of
a 2,000-character moment about 1 ms.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any, Mapping

from ..store import SEALED_KEY
from .model import SHARED_CONSENTS, consent_of

#: The payload key holding the sealed private moments.
SEALED = SEALED_KEY  # the store knows this key too: a change under it is no change for k
#: The format of a sealed field: ``v1:`` + urlsafe base64 of salt, nonce and ciphertext.
PREFIX = "v1:"
SALT_BYTES = 16
NONCE_BYTES = 12
KEY_BYTES = 32
#: HKDF's "info": ties the key to this one use, so the same token can never
#: yield the same key for anything else.
INFO = b"relworkbook/story-weaving/private-moments/v1"


class SealError(Exception):
    """A sealed field that does not open: the wrong link, or a damaged field.

    Not a FriendlyError: its words are for the log. The page that opens sealed
    fields catches it and says so in the pack's words; anywhere else it would
    be an unexpected failure, and get the generic message."""


def _key(secret: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=INFO).derive(secret.encode("utf-8"))


def _context(context: str) -> bytes:
    return ("relworkbook/story-weaving|" + context).encode("utf-8")


def seal(secret: str, data: Any, context: str = "") -> str:
    """Encrypt ``data`` (anything JSON can hold) so only ``secret`` opens it; returns text."""
    if not secret:
        raise ValueError("sealing needs the participant's personal token")
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    plain = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    sealed = AESGCM(_key(secret, salt)).encrypt(nonce, plain, _context(context))
    return PREFIX + base64.urlsafe_b64encode(salt + nonce + sealed).decode("ascii")


# For the log only: the page catches SealError and says it in the pack's words ("private_unreadable").
_UNREADABLE = "a sealed field did not open with this token"


def unseal(secret: str, token: str, context: str = "") -> Any:
    """Open a field made by :func:`seal`; a wrong secret or context raises :class:`SealError`."""
    if not isinstance(token, str) or not token.startswith(PREFIX) or not secret:
        raise SealError(_UNREADABLE)
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX):].encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise SealError(_UNREADABLE) from None
    salt, nonce, sealed = raw[:SALT_BYTES], raw[SALT_BYTES:SALT_BYTES + NONCE_BYTES], raw[SALT_BYTES + NONCE_BYTES:]
    if len(salt) != SALT_BYTES or len(nonce) != NONCE_BYTES or not sealed:
        raise SealError(_UNREADABLE)
    try:
        plain = AESGCM(_key(secret, salt)).decrypt(nonce, sealed, _context(context))
    except InvalidTag:
        raise SealError(_UNREADABLE) from None
    return json.loads(plain.decode("utf-8"))


# -- a payload with its private moments sealed -------------------------------------------


def _is_private(moment: Mapping[str, Any]) -> bool:
    return consent_of(moment) not in SHARED_CONSENTS


def seal_payload(payload: Mapping[str, Any], secret: str, context: str = "") -> dict[str, Any]:
    """The payload as it may be stored: shared moments in plain, private ones sealed.

    The sealed part also keeps the order of all the moments, so the teller's
    list reads the same after opening. No private moments: no ``sealed`` key,
    and ``cryptography`` is not imported.
    """
    moments = [m for m in payload.get("moments") or [] if isinstance(m, Mapping)]
    private = [dict(m) for m in moments if _is_private(m)]
    stored: dict[str, Any] = {"moments": [dict(m) for m in moments if not _is_private(m)],
                              "sort": dict(payload.get("sort") or {})}
    if private:
        order = [str(m.get("id") or "") for m in moments]
        stored[SEALED] = seal(secret, {"moments": private, "order": order}, context)
    return stored


def open_payload(payload: Mapping[str, Any] | None, secret: str, context: str = "") -> dict[str, Any]:
    """The teller's whole payload, private moments back in their place.

    Raises :class:`SealError` when the sealed part does not open with
    ``secret``. A payload with nothing sealed is returned as it is (no
    ``cryptography`` import).
    """
    payload = payload or {}
    shared = [dict(m) for m in payload.get("moments") or [] if isinstance(m, Mapping)]
    whole = {"moments": shared, "sort": dict(payload.get("sort") or {})}
    if not payload.get(SEALED):
        return whole
    opened = unseal(secret, payload[SEALED], context)
    private = [dict(m) for m in opened.get("moments") or [] if isinstance(m, Mapping)]
    place = {moment_id: n for n, moment_id in enumerate(opened.get("order") or [])}
    everything = shared + private
    # Moments not in the remembered order (there should be none) go last, as they were.
    ranked = sorted(range(len(everything)),
                    key=lambda i: (place.get(str(everything[i].get("id") or ""), len(place)), i))
    whole["moments"] = [everything[i] for i in ranked]
    return whole


def has_sealed(payload: Mapping[str, Any] | None) -> bool:
    """Whether a stored payload holds sealed private moments."""
    return bool(payload and payload.get(SEALED))
