"""Signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), Ed25519 only.

The ledger publishes its tree head the way Go's checksum database and the transparency-dev
tools do: a *checkpoint* (origin, tree size, root hash) as the text of a *signed note*.
Using their format, rather than one of our own, lets any existing note or witness tool
check our heads, and lets us test against the vectors of `golang.org/x/mod/sumdb/note`.

A signed note is the text (UTF-8, ending in a newline, no control characters other than
newline), one blank line, then one or more lines `— <key name> <base64(key id || sig)>`.
The text MAY hold empty lines of its own: it ends at the *last* blank line, and signature
lines are never blank, so the split is unambiguous. Signatures cover the text including
its final newline, not the blank line.

Where the specifications leave room, this module is strict, because a note is only ever
read to be believed: base64 must be canonical (so no two spellings carry one signature),
every signature by a known key must verify, not only the first one, and a note or key that
would not survive the trip through `open_note` is refused when it is made, not when read.

Everything here is pure (no I/O, no clock, no Django), apart from `Signer.generate`,
which draws a fresh seed from the operating system's random source.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = 0x01
"""The signature-type byte of Ed25519 in key ids and key strings (c2sp.org/signed-note)."""

MAX_SIGNATURES = 100
"""More signature lines than this make a note malformed, as in Go's `note.Open`.

The specification asks verifiers to accept at least 16; the cap stops a note from making
us check signatures without end.
"""

SIGNATURE_PREFIX = "\u2014 "
"""Every signature line starts with an em dash (U+2014) and a space."""

_KEY_SIZE = 32
_SIGNATURE_SIZE = 64
_ROOT_HASH_SIZE = 32
_MAX_TREE_SIZE = 2**64 - 1
_PRIVATE_KEY_PREFIX = "PRIVATE+KEY+"

# Control characters other than newline, and lone surrogates (a str that holds one is not
# text that UTF-8 can carry).
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\ud800-\udfff]")
_KEY_ID_HEX = re.compile("[0-9a-fA-F]{8}")
_DECIMAL = re.compile("0|[1-9][0-9]*")


class NoteError(ValueError):
    """A note, key or checkpoint is malformed, or its signatures do not verify."""


def key_id(name: str, public_key: bytes) -> int:
    """The 32-bit id of an Ed25519 key: SHA-256(name || 0x0A || 0x01 || key), first 4 bytes.

    The name and type byte are hashed in so one key under two names, or one name with two
    key types, never shares an id. The id only picks the key to try; it proves nothing.
    """
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public_key)
    return int.from_bytes(digest.digest()[:4], "big")


def valid_key_name(name: str) -> bool:
    """Whether `name` can name a key: non-empty, no Unicode space, no `+`.

    Control characters and lone surrogates are refused as well: the name is written into
    signature lines, where neither may appear.
    """
    return (
        bool(name)
        and "+" not in name
        and not any(character.isspace() for character in name)
        and _FORBIDDEN.search(name) is None
    )


def _check_key_name(name: str) -> None:
    if not valid_key_name(name):
        raise NoteError(
            f"invalid key name {name!r}: it must be non-empty, without spaces, "
            "'+' or control characters"
        )


def _decode_base64(text: str) -> bytes | None:
    """Standard padded base64 (RFC 4648 section 4) in its one canonical spelling, or None.

    Non-canonical spellings (spare bits set in the last character) are refused: otherwise
    two different notes would carry the same signature bytes.
    """
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        return None
    if base64.b64encode(raw).decode("ascii") != text:
        return None
    return raw


def _encode_base64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _parse_key_id(text: str, what: str) -> int:
    if _KEY_ID_HEX.fullmatch(text) is None:
        raise NoteError(f"malformed {what}: key id {text!r} is not 8 hexadecimal digits")
    return int(text, 16)


def _parse_ed25519_key(text: str, what: str) -> bytes:
    """The 32 key bytes of base64(0x01 || key), as both key strings carry them."""
    raw = _decode_base64(text)
    if not raw:
        raise NoteError(f"malformed {what}: the key is not standard padded base64")
    if raw[0] != ED25519:
        raise NoteError(
            f"{what} has unknown key type 0x{raw[0]:02x}; only Ed25519 (0x01) is supported"
        )
    if len(raw) != 1 + _KEY_SIZE:
        raise NoteError(f"malformed {what}: an Ed25519 key is 32 bytes, not {len(raw) - 1}")
    return raw[1:]


@dataclass(frozen=True)
class Verifier:
    """A public key that can check signatures in notes, known by name and key id."""

    name: str
    key_id: int
    public_key: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        if len(self.public_key) != _KEY_SIZE:
            raise NoteError(
                f"an Ed25519 public key is {_KEY_SIZE} bytes, not {len(self.public_key)}"
            )
        expected = key_id(self.name, self.public_key)
        if self.key_id != expected:
            raise NoteError(
                f"key id {self.key_id:08x} does not match the key of {self.name}; "
                f"it should be {expected:08x}"
            )
        try:
            public_key = Ed25519PublicKey.from_public_bytes(bytes(self.public_key))
        except ValueError as error:
            raise NoteError(f"the key of {self.name} is not an Ed25519 public key") from error
        object.__setattr__(self, "_key", public_key)

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Read a Go verifier key `<name>+<hex key id>+<base64(0x01 || public key)>`.

        Only the first two `+` split it: the base64 alphabet has `+` of its own.
        """
        parts = text.split("+", 2)
        if len(parts) != 3:
            raise NoteError(
                f"malformed verifier key {text!r}: expected <name>+<key id>+<base64 key>"
            )
        name, id_text, key_text = parts
        _check_key_name(name)
        what = f"verifier key {name}+{id_text}"
        claimed = _parse_key_id(id_text, what)
        public_key = _parse_ed25519_key(key_text, what)
        expected = key_id(name, public_key)
        if claimed != expected:
            raise NoteError(
                f"{what}: the key id does not match the key; it should be {expected:08x}"
            )
        return cls(name, claimed, public_key)

    def to_string(self) -> str:
        """The Go verifier key string, which `parse` reads back."""
        key_text = _encode_base64(bytes([ED25519]) + self.public_key)
        return f"{self.name}+{self.key_id:08x}+{key_text}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether `signature` is this key's Ed25519 signature of `message`."""
        if len(signature) != _SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 private key that signs notes. Its repr leaves the seed out."""

    name: str
    seed: bytes = field(repr=False)
    _key: Ed25519PrivateKey = field(init=False, repr=False, compare=False)
    _public_key: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        if len(self.seed) != _KEY_SIZE:
            raise NoteError(f"an Ed25519 seed is {_KEY_SIZE} bytes, not {len(self.seed)}")
        private_key = Ed25519PrivateKey.from_private_bytes(bytes(self.seed))
        public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        object.__setattr__(self, "_key", private_key)
        object.__setattr__(self, "_public_key", public_key)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new key under `name`, from a fresh random seed."""
        return cls(name, secrets.token_bytes(_KEY_SIZE))

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Signer:
        """The key of RFC 8032 for a 32-byte `seed`, under `name`."""
        return cls(name, seed)

    @classmethod
    def parse(cls, text: str) -> Signer:
        """Read a Go signer key `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`.

        The key id in the string is that of the public key, so it is checked after the
        public key is derived. Errors never quote the string: it holds the secret.
        """
        parts = text.split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise NoteError(
                "malformed signer key: expected PRIVATE+KEY+<name>+<key id>+<base64 seed>"
            )
        name, id_text, key_text = parts[2:]
        _check_key_name(name)
        what = f"signer key {name}+{id_text}"
        claimed = _parse_key_id(id_text, what)
        signer = cls(name, _parse_ed25519_key(key_text, what))
        if claimed != signer.key_id:
            raise NoteError(
                f"{what}: the key id does not match the key; it should be {signer.key_id:08x}"
            )
        return signer

    def to_string(self) -> str:
        """The Go signer key string, which `parse` reads back. It is the secret: guard it."""
        key_text = _encode_base64(bytes([ED25519]) + self.seed)
        return f"{_PRIVATE_KEY_PREFIX}{self.name}+{self.key_id:08x}+{key_text}"

    @property
    def public_key(self) -> bytes:
        """The 32-byte Ed25519 public key."""
        return self._public_key

    @property
    def key_id(self) -> int:
        """The key id of the public key under this name (see `key_id`)."""
        return key_id(self.name, self._public_key)

    def verifier(self) -> Verifier:
        """The public half, to hand to whoever checks this key's notes."""
        return Verifier(self.name, self.key_id, self._public_key)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of `message` (deterministic, RFC 8032)."""
        return self._key.sign(message)


def _check_characters(text: str, what: str) -> None:
    match = _FORBIDDEN.search(text)
    if match is None:
        return
    character = match.group()
    if "\ud800" <= character <= "\udfff":
        problem = "text that is not valid UTF-8 (a lone surrogate)"
    else:
        problem = f"control character U+{ord(character):04X}"
    raise NoteError(f"malformed {what}: {problem} at position {match.start()}")


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """`text`, a blank line, and one signature line per signer, in the order given.

    The text must end with a newline and hold no control character other than newline;
    it may hold empty lines (the last blank line of a note is the one before the
    signatures, so they cannot confuse `open_note`).
    """
    if not signers:
        raise NoteError("a note needs at least one signer")
    if len(signers) > MAX_SIGNATURES:
        raise NoteError(
            f"{len(signers)} signers; a note with more than {MAX_SIGNATURES} "
            "signatures is refused when opened"
        )
    if not text.endswith("\n"):
        raise NoteError("malformed note text: it must end with a newline")
    _check_characters(text, "note text")
    message = text.encode("utf-8")
    lines = []
    for signer in signers:
        signature = signer.key_id.to_bytes(4, "big") + signer.sign(message)
        lines.append(f"{SIGNATURE_PREFIX}{signer.name} {_encode_base64(signature)}\n")
    return text + "\n" + "".join(lines)


@dataclass(frozen=True)
class Note:
    """The text of an opened note and the known keys whose signatures on it verified."""

    text: str
    verified: tuple[Verifier, ...]


def _verifier_table(verifiers: Sequence[Verifier]) -> dict[tuple[str, int], Verifier]:
    table: dict[tuple[str, int], Verifier] = {}
    for verifier in verifiers:
        known = table.setdefault((verifier.name, verifier.key_id), verifier)
        if known != verifier:
            # Only a collision of the 32-bit key id can get here.
            raise NoteError(
                f"ambiguous key {verifier.name}+{verifier.key_id:08x}: "
                "two different known keys share this name and key id"
            )
    return table


def open_note(note: str, verifiers: Sequence[Verifier]) -> Note:
    """Split a signed note and check its signatures against the known `verifiers`.

    As c2sp.org/signed-note and Go's `note.Open` do: signatures by keys that are not
    known (by name *and* key id) are skipped; every signature by a known key must verify;
    at least one must. Repeats of one key's signature are listed once in `verified`.
    """
    _check_characters(note, "note")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise NoteError("malformed note: no signature lines after the blank line")
    if not block.endswith("\n"):
        raise NoteError("malformed note: the last signature line does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(
            f"malformed note: {len(lines)} signature lines, more than the {MAX_SIGNATURES} allowed"
        )

    known = _verifier_table(verifiers)
    message = text.encode("utf-8")
    verified: dict[tuple[str, int], Verifier] = {}
    unknown: dict[str, None] = {}
    for number, line in enumerate(lines, start=1):
        name, signature_id, signature = _parse_signature_line(line, number)
        verifier = known.get((name, signature_id))
        if verifier is None:
            unknown[f"{name}+{signature_id:08x}"] = None
            continue
        if not verifier.verify(message, signature):
            raise NoteError(f"invalid signature for key {name}+{signature_id:08x}")
        verified.setdefault((name, signature_id), verifier)

    if not verified:
        expected = ", ".join(f"{name}+{number:08x}" for name, number in known) or "none"
        raise NoteError(
            f"no known key signed this note (signed by {', '.join(unknown)}; "
            f"known keys: {expected})"
        )
    return Note(text, tuple(verified.values()))


def _parse_signature_line(line: str, number: int) -> tuple[str, int, bytes]:
    """(key name, key id, signature) of one `— <name> <base64>` line."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(
            f"malformed note: signature line {number} does not start with an em dash and a space"
        )
    name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not valid_key_name(name):
        raise NoteError(f"malformed note: signature line {number} has invalid key name {name!r}")
    raw = _decode_base64(encoded)
    if raw is None:
        raise NoteError(
            f"malformed note: the signature on line {number} is not standard padded base64"
        )
    if len(raw) < 5:
        raise NoteError(
            f"malformed note: the signature on line {number} is too short to hold "
            "a key id and a signature"
        )
    return name, int.from_bytes(raw[:4], "big"), raw[4:]


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed claim: the tree `origin` had `size` leaves and this root hash.

    `extensions` are the optional extra lines of c2sp.org/tlog-checkpoint (not
    recommended, but signed like the rest, so kept rather than dropped).
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin:
            raise NoteError("malformed checkpoint: the origin is empty")
        for line in (self.origin, *self.extensions):
            if "\n" in line:
                raise NoteError(f"malformed checkpoint: line {line!r} holds a newline")
            _check_characters(line, "checkpoint")
        if not 0 <= self.size <= _MAX_TREE_SIZE:
            raise NoteError(f"malformed checkpoint: tree size {self.size} is not a uint64")
        if len(self.root_hash) != _ROOT_HASH_SIZE:
            raise NoteError(
                f"malformed checkpoint: the root hash is {len(self.root_hash)} bytes, "
                f"not {_ROOT_HASH_SIZE}"
            )
        for number, line in enumerate(self.extensions, start=4):
            if not line:
                raise NoteError(f"malformed checkpoint: extension line {number} is empty")

    def body(self) -> str:
        """The note text: origin, decimal size, base64 root, extensions, each with "\\n"."""
        lines = [self.origin, str(self.size), _encode_base64(self.root_hash), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Read a checkpoint body, strictly: the one spelling `body` would write."""
        if not text.endswith("\n"):
            raise NoteError("malformed checkpoint: the body must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError(
                "malformed checkpoint: it needs an origin line, a tree size line and a "
                f"root hash line, got {len(lines)} line(s)"
            )
        origin, size_text, root_text, *extensions = lines
        if _DECIMAL.fullmatch(size_text) is None:
            raise NoteError(
                f"malformed checkpoint: tree size {size_text!r} is not a decimal number "
                "without leading zeros"
            )
        root_hash = _decode_base64(root_text)
        if root_hash is None:
            raise NoteError(
                f"malformed checkpoint: root hash {root_text!r} is not standard padded base64"
            )
        return cls(origin, int(size_text), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The checkpoint as a note signed by `signer` (whose name should be the origin)."""
    return sign_note(checkpoint.body(), [signer])


def open_checkpoint(note: str, verifier: Verifier, origin: str) -> Checkpoint:
    """The checkpoint in `note`, once `verifier` has signed it and it is for `origin`.

    The origin is checked too: a log's key may sign for more than one log, and a valid
    head of the wrong log must not pass for this one.
    """
    checkpoint = Checkpoint.parse(open_note(note, [verifier]).text)
    if checkpoint.origin != origin:
        raise NoteError(f"checkpoint origin is {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint
