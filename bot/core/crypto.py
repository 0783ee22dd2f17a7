"""Encryption of personal numbers at rest (PRODUCT.md §8).

A NIK, KPJ or phone number is stored twice: encrypted, so staff with the right can
read it back, and as a keyed hash, so the store can be searched for it without ever
holding it in clear. Both keys derive from one secret, ``DATA_ENCRYPTION_KEY``, with
HKDF and distinct labels: rotating the one secret rotates both, and a leaked hash
key cannot decrypt anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_KEY_CHARS = 32


class CryptoError(RuntimeError):
    """A value could not be decrypted: wrong key or damaged data."""


def _derive(secret: str, label: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"bpu:" + label
    ).derive(secret.encode("utf-8"))


def normalise_number(value: str) -> str:
    """``3309 0412-0371.0003`` -> ``3309041203710003``: one form for hashing."""
    return re.sub(r"\D", "", value)


def normalise_phone(value: str) -> str:
    """One form for Indonesian numbers: ``0813...``, ``+62 813...`` -> ``62813...``.

    WhatsApp gives ``62813...``, Telegram ``+62813...`` or ``62813...``, people type
    ``0813...``: all compare equal after this.
    """
    digits = normalise_number(value)
    if digits.startswith("0"):
        return "62" + digits[1:]
    if digits.startswith("8"):
        return "62" + digits
    return digits


class DataCipher:
    """Encrypts values and computes their look-up hashes with keys from one secret."""

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_KEY_CHARS:
            raise ValueError(
                f"DATA_ENCRYPTION_KEY must be at least {MIN_KEY_CHARS} characters"
            )
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"encrypt")))
        self._hash_key = _derive(secret, b"lookup")

    def encrypt(self, value: str) -> str:
        """Ciphertext (URL-safe text); two calls give different ciphertexts."""
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The value ``encrypt`` was given; ``CryptoError`` if the key is wrong."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError) as exc:
            raise CryptoError("cannot decrypt: wrong key or damaged value") from exc

    def lookup_hash(self, value: str, *, kind: str = "nik") -> str:
        """A stable keyed hash of the digits of ``value``, namespaced by ``kind``.

        Separators do not matter ("3309 0412..." and "33090412..." hash alike), and a
        NIK never collides with a KPJ or phone number that shares its digits.
        """
        message = f"{kind}:{normalise_number(value)}".encode()
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()

    def phone_hash(self, value: str) -> str:
        """The look-up hash of a phone number, however it was written."""
        return self.lookup_hash(normalise_phone(value), kind="phone")
