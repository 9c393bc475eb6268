"""Short secrets sealed at rest (carriers' API keys and webhook secrets) with AES-256-GCM.

The key is derived from RETOUR_SECRET_KEY with HKDF-SHA256 and the fixed label
`HKDF_INFO`, so sealing needs no setting of its own; changing the secret key makes every
sealed value unreadable (they are set again). A sealed value reads
`sealed:v1:<urlsafe base64 of nonce + ciphertext + tag>`; a stored value without the
prefix is a plain one from before sealing and is read as it is. The empty string stays
empty: it means "none set", and queries compare with it.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from retour.settings import Settings

PREFIX = "sealed:v1:"
#: The HKDF label of the sealing key: another label derives another key from the same secret.
HKDF_INFO = b"retour stored credentials v1"
NONCE_BYTES = 12


class SealedValueUnreadable(Exception):
    """A sealed value this key cannot open: it was sealed with another RETOUR_SECRET_KEY
    (or altered). Carries no part of the value."""


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


class Sealer:
    """Seals and opens short secrets with the key derived from the installation's secret key."""

    def __init__(self, secret_key: str) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO)
        self._cipher = AESGCM(derived.derive(secret_key.encode()))

    def __repr__(self) -> str:
        return "Sealer(key derived from RETOUR_SECRET_KEY)"

    def seal(self, value: str) -> str:
        """`value` sealed under a fresh random nonce; the empty string stays empty."""
        if not value:
            return ""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, value.encode(), PREFIX.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def sealed(self, stored: str) -> str:
        """`stored` as it should be stored: sealed already, or sealed now."""
        return stored if is_sealed(stored) else self.seal(stored)

    def open(self, stored: str) -> str:
        """The secret of a stored value, sealed or plain; SealedValueUnreadable when it was
        sealed with another key."""
        if not is_sealed(stored):
            return stored
        try:
            raw = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode("ascii"))
            opened = self._cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], PREFIX.encode())
        except (InvalidTag, binascii.Error, ValueError, UnicodeEncodeError):
            raise SealedValueUnreadable(
                "a sealed value that this RETOUR_SECRET_KEY cannot open"
            ) from None
        return opened.decode()


def sealer_of(settings: Settings) -> Sealer:
    """The installation's sealer: its key derived from RETOUR_SECRET_KEY."""
    return Sealer(settings.secret_key.get_secret_value())
