"""Captured data sealed at rest: one AES-256-GCM key per order.

MC-IMPROPER and MC-RETENTION ask that an order's data be destroyed. Rows and files
deleted from the database and the storage can live on in their backups; a key deleted
from the key folder, which is kept out of those backups (docs/retention.md), makes every
copy of what it sealed unreadable at once. So the personal exterior of each capture and
each stored image is a ciphertext under its order's key, and destroying an order's data
ends with destroying its key.

A sealed value is `VERSION || nonce (12 bytes) || ciphertext and tag`. Its associated
data names what it belongs to (the order and the piece, or the order and the image
name): a ciphertext copied onto another row, or another order's file, does not open.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from mailcover.config.env import write_secret_once

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce; random, so at most ~2**32 seals per key (NIST SP 800-38D)
VERSION = b"\x01"


class KeyMissing(Exception):
    """The key of an order that holds sealed data is not in the key folder."""

    def __init__(self, order_id: int) -> None:
        self.order_id = order_id
        super().__init__(
            f"the key of order {order_id} is not in the key folder (MAILCOVER_KEY_DIR): what "
            "it captured cannot be read. Restore the key folder from its own backup, or, if "
            "the order's data was destroyed, nothing of it is left to read (MC-RETENTION)"
        )


class Unsealable(Exception):
    """A sealed value that does not open under this order's key for this row or file."""


def key_dir() -> Path:
    return Path(settings.MAILCOVER_KEY_DIR)


def key_path(order_id: int) -> Path:
    return key_dir() / f"order-{order_id}.key"


def order_key(order_id: int, *, create: bool = False) -> bytes:
    """The order's 32-byte key; made on first use when `create` (the first capture).

    Made like the ledger's signing key: written whole under a temporary name, mode 600,
    then linked into place, so two ingest workers capturing for the same order at once
    end up with one key, and a crash leaves none or a whole one."""
    path = key_path(order_id)
    if create and not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_secret_once(path, lambda: secrets.token_hex(KEY_BYTES))
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise KeyMissing(order_id) from None
    return bytes.fromhex(text.strip())


def has_key(order_id: int) -> bool:
    return key_path(order_id).exists()


def destroy_key(order_id: int) -> bool:
    """Delete the order's key file; True when there was one."""
    try:
        key_path(order_id).unlink()
    except FileNotFoundError:
        return False
    return True


def exterior_context(order_id: int, piece_id: str) -> bytes:
    return f"mailcover/capture-exterior\x00{order_id}\x00{piece_id}".encode()


def image_context(order_id: int, name: str) -> bytes:
    return f"mailcover/capture-image\x00{order_id}\x00{name}".encode()


def seal(key: bytes, context: bytes, plaintext: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(key: bytes, context: bytes, sealed: bytes) -> bytes:
    """The plaintext; Unsealable when the value was not sealed with this key for `context`
    (moved from another row, altered, or of another order)."""
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != VERSION:
        raise Unsealable("not a sealed value")
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, context)
    except InvalidTag:
        raise Unsealable("the sealed value does not belong here, or was altered") from None
