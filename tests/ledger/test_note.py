"""Signed notes and checkpoints (ledger/note.py), checked against published vectors.

Sources of the vectors below (copied from SPECS.md section 5, which cites each):

* golang/mod `sumdb/note/note_test.go` (TestNewVerifier, TestNewSigner, TestSign,
  TestOpen) and the package documentation of `sumdb/note/note.go`: the PeterNeumann and
  EnochRoot keys, the Peter Neumann quotation and its two signatures, and the notes and
  keys that must be refused.
* transparency-dev/formats `log/note_test.go`: a real sum.golang.org checkpoint and the
  sum.golang.org verifier key.
* C2SP `signed-note.md` and `tlog-checkpoint.md` (c2sp.org/signed-note,
  c2sp.org/tlog-checkpoint): the format rules the unit tests below pin.

The example.com/test-log checkpoint is COMPUTED (SPECS.md 5.3 item 3): the public
PeterNeumann test seed signing the root of the RFC 6962 reference tree of size 8, so it
pins this module to the Merkle module, not to a third party.
"""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailcover.ledger.merkle import hash_leaf, root_hash
from mailcover.ledger.note import (
    MAX_SIGNATURES,
    Checkpoint,
    Note,
    NoteError,
    Signer,
    Verifier,
    key_id,
    open_checkpoint,
    open_note,
    sign_checkpoint,
    sign_note,
    valid_key_name,
)

DASH = "\u2014"  # the em dash that starts every signature line

# golang/mod sumdb/note/note_test.go (TestNewSigner, TestSign, TestOpen).
PETER_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_KEY_ID = 0xC74F20A3
# The raw bytes inside the two key strings above (decoded in SPECS.md 5.3 item 1).
PETER_SEED = bytes.fromhex("810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173")
PETER_PUBLIC_KEY = bytes.fromhex("1a5cd907143c384c41e830c5bce12aa8817ec5649aaabf2c31388b35b2d744d6")
# golang/mod sumdb/note/note_test.go (TestVerifierList, TestOpen).
ENOCH_VERIFIER_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
ENOCH_KEY_ID = 0xAF0CFE78

# golang/mod sumdb/note/note_test.go (TestSign, TestOpen).
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    f"{DASH} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfq"
    "dngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    f"{DASH} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwn"
    "WLox33WWd1RvMc+QQ=\n"
)

# transparency-dev/formats log/note_test.go: a real checkpoint of Go's checksum database.
SUMDB_VERIFIER_KEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_ORIGIN = "go.sum database tree"
SUMDB_CHECKPOINT = (
    "go.sum database tree\n"
    "6476701\n"
    "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    "\n"
    f"{DASH} sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4n"
    "PRYfvimWEPWL+o3GeoWwOoAw=\n"
)

# COMPUTED in SPECS.md 5.3 item 3: the PeterNeumann test seed under the log's own name,
# signing the size-8 root of the RFC 6962 reference tree (transparency-dev/merkle
# testonly/constants.go, SPECS.md 4.4-4.5).
TEST_LOG = "example.com/test-log"
TEST_LOG_SIGNER_KEY = (
    "PRIVATE+KEY+example.com/test-log+1b542240+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
)
TEST_LOG_VERIFIER_KEY = "example.com/test-log+1b542240+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
REFERENCE_LEAVES = [
    bytes.fromhex(leaf)
    for leaf in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
ROOT_8 = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
TEST_LOG_CHECKPOINT = (
    "example.com/test-log\n"
    "8\n"
    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    "\n"
    f"{DASH} example.com/test-log G1QiQAmfTlmg7wA5FU0OBEp8LaPgOk4AyIOLzLcPpZUb9l20IsXvkzpjZNbP9k"
    "fHUFqVYHFtgc4lcdGmIkNyGjp9UAU=\n"
)

PETER = Signer.parse(PETER_SIGNER_KEY)
PETER_VERIFIER = Verifier.parse(PETER_VERIFIER_KEY)
ENOCH_VERIFIER = Verifier.parse(ENOCH_VERIFIER_KEY)


def insert_abcd_at_byte_60(line: str) -> str:
    """Go's TestOpen corrupts a signature as `sig[:60] + "ABCD" + sig[60:]` on bytes; the
    em dash is three bytes in UTF-8, so slice the encoded line to land where Go does."""
    raw = line.encode("utf-8")
    return (raw[:60] + b"ABCD" + raw[60:]).decode("utf-8")


class TestKeyStrings:
    def test_the_peter_neumann_keys_hold_the_published_seed_and_public_key(self) -> None:
        assert PETER.name == PETER_VERIFIER.name == "PeterNeumann"
        assert PETER.seed == PETER_SEED
        assert PETER.public_key == PETER_VERIFIER.public_key == PETER_PUBLIC_KEY
        assert PETER.key_id == PETER_VERIFIER.key_id == PETER_KEY_ID

    def test_key_ids_are_the_first_four_bytes_of_the_hash_of_name_type_and_key(self) -> None:
        assert key_id("PeterNeumann", PETER_PUBLIC_KEY) == PETER_KEY_ID
        assert key_id(TEST_LOG, PETER_PUBLIC_KEY) == 0x1B542240
        assert key_id("EnochRoot", ENOCH_VERIFIER.public_key) == ENOCH_KEY_ID
        assert Verifier.parse(SUMDB_VERIFIER_KEY).key_id == 0x033DE0AE

    def test_the_signer_derives_the_published_verifier(self) -> None:
        assert PETER.verifier() == PETER_VERIFIER
        assert Signer.parse(TEST_LOG_SIGNER_KEY).verifier() == Verifier.parse(TEST_LOG_VERIFIER_KEY)

    @pytest.mark.parametrize(
        "text",
        [
            PETER_SIGNER_KEY,
            PETER_VERIFIER_KEY,
            ENOCH_VERIFIER_KEY,
            SUMDB_VERIFIER_KEY,
            TEST_LOG_SIGNER_KEY,
            TEST_LOG_VERIFIER_KEY,
        ],
    )
    def test_each_published_key_string_is_written_back_exactly(self, text: str) -> None:
        key = Signer.parse(text) if text.startswith("PRIVATE+KEY+") else Verifier.parse(text)
        assert key.to_string() == text

    def test_a_verifier_key_is_split_on_its_first_two_plus_signs_only(self) -> None:
        # The sum.golang.org key's base64 holds two '+' of its own.
        verifier = Verifier.parse(SUMDB_VERIFIER_KEY)
        assert (verifier.name, len(verifier.public_key)) == ("sum.golang.org", 32)

    def test_every_substring_and_every_changed_character_of_the_verifier_key_is_refused(
        self,
    ) -> None:
        # golang/mod sumdb/note/note_test.go TestNewVerifier's manglings.
        key = PETER_VERIFIER_KEY
        for start in range(len(key) + 1):
            for end in range(start + 1, len(key) + 1):
                if (start, end) != (0, len(key)):
                    with pytest.raises(NoteError):
                        Verifier.parse(key[start:end])
        for position, character in enumerate(key):
            with pytest.raises(NoteError):
                Verifier.parse(key[:position] + chr(ord(character) + 1) + key[position + 1 :])

    def test_every_substring_and_every_changed_character_of_the_signer_key_is_refused(
        self,
    ) -> None:
        # golang/mod sumdb/note/note_test.go TestNewSigner's manglings.
        key = PETER_SIGNER_KEY
        for start in range(len(key) + 1):
            for end in range(start + 1, len(key) + 1):
                if (start, end) != (0, len(key)):
                    with pytest.raises(NoteError):
                        Signer.parse(key[start:end])
        for position, character in enumerate(key):
            with pytest.raises(NoteError):
                Signer.parse(key[:position] + chr(ord(character) + 1) + key[position + 1 :])

    def test_a_key_of_the_wrong_length_is_refused_even_with_a_matching_key_id(self) -> None:
        # golang/mod sumdb/note/note_test.go TestNewVerifier ("wrong length key").
        with pytest.raises(NoteError):
            Verifier.parse(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
            )
        thirty_three = base64.b64encode(b"\x01" + PETER_PUBLIC_KEY + b"!").decode()
        with pytest.raises(NoteError, match="an Ed25519 key is 32 bytes, not 33"):
            Verifier.parse(f"PeterNeumann+c74f20a3+{thirty_three}")

    def test_a_key_of_an_unknown_type_is_refused(self) -> None:
        # golang/mod sumdb/note/note_test.go TestNewVerifier ("unknown algorithm").
        with pytest.raises(NoteError, match=r"unknown key type 0x65"):
            Verifier.parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")

    def test_a_key_id_that_does_not_match_the_key_is_refused_with_the_right_one(self) -> None:
        with pytest.raises(NoteError, match="does not match the key; it should be c74f20a3"):
            Verifier.parse(PETER_VERIFIER_KEY.replace("c74f20a3", "c74f20a4"))
        with pytest.raises(NoteError, match="does not match the key; it should be c74f20a3"):
            Signer.parse(PETER_SIGNER_KEY.replace("c74f20a3", "c74f20a4"))
        with pytest.raises(NoteError, match="does not match the key of PeterNeumann"):
            Verifier("PeterNeumann", PETER_KEY_ID + 1, PETER_PUBLIC_KEY)

    def test_key_ids_may_be_written_in_capitals_as_go_reads_them(self) -> None:
        assert Verifier.parse(PETER_VERIFIER_KEY.replace("c74f20a3", "C74F20A3")) == (
            PETER_VERIFIER
        )

    def test_a_signer_key_error_never_quotes_the_secret(self) -> None:
        mangled = PETER_SIGNER_KEY.replace("PRIVATE", "PRIVATE_")
        with pytest.raises(NoteError) as refused:
            Signer.parse(mangled)
        assert "AYEKFALV" not in str(refused.value)
        with pytest.raises(NoteError) as refused:
            Signer.parse(PETER_SIGNER_KEY[:-1])
        assert "AYEKFALV" not in str(refused.value)

    def test_the_signer_repr_does_not_show_the_seed(self) -> None:
        shown = repr(PETER) + str(PETER)
        assert "PeterNeumann" in shown
        for secret in (PETER_SEED.hex(), repr(PETER_SEED), "AYEKFALV", "gQoUAtUU"):
            assert secret not in shown

    def test_a_generated_signer_is_checked_by_its_own_verifier_only(self) -> None:
        signer = Signer.generate("example.com/fresh")
        signature = signer.sign(b"hi")
        assert signer.verifier().verify(b"hi", signature)
        assert not signer.verifier().verify(b"ho", signature)
        assert not PETER_VERIFIER.verify(b"hi", signature)
        assert Signer.generate("example.com/fresh") != signer

    def test_a_verifier_refuses_a_corrupted_or_misshapen_signature(self) -> None:
        # golang/mod sumdb/note/note_test.go testSignerAndVerifier.
        signature = bytearray(PETER.sign(b"hi"))
        assert PETER_VERIFIER.verify(b"hi", bytes(signature))
        signature[0] ^= 1
        assert not PETER_VERIFIER.verify(b"hi", bytes(signature))
        assert not PETER_VERIFIER.verify(b"hi", PETER.sign(b"hi")[:63])
        assert not PETER_VERIFIER.verify(b"hi", b"")

    def test_a_seed_or_public_key_of_the_wrong_length_is_refused(self) -> None:
        with pytest.raises(NoteError, match="an Ed25519 seed is 32 bytes, not 31"):
            Signer.from_seed("PeterNeumann", PETER_SEED[:31])
        with pytest.raises(NoteError, match="an Ed25519 public key is 32 bytes, not 33"):
            Verifier("PeterNeumann", PETER_KEY_ID, PETER_PUBLIC_KEY + b"\x00")

    @pytest.mark.parametrize(
        "name",
        [
            "",
            "Peter Neumann",
            "Peter+Neumann",
            "Peter\tNeumann",
            "Peter\u00a0Neumann",  # no-break space
            "Peter\u3000Neumann",  # ideographic space
            "Peter\u2028Neumann",  # line separator
            "Peter\x01Neumann",
            "Peter\ud800Neumann",  # a lone surrogate is not UTF-8
        ],
    )
    def test_key_names_with_spaces_plus_signs_or_control_characters_are_invalid(
        self, name: str
    ) -> None:
        assert not valid_key_name(name)
        with pytest.raises(NoteError, match="invalid key name"):
            Signer.from_seed(name, PETER_SEED)

    @pytest.mark.parametrize(
        "name", ["PeterNeumann", "sum.golang.org", "example.com/test-log", "Ünïcødé—ok"]
    )
    def test_ordinary_key_names_are_valid(self, name: str) -> None:
        assert valid_key_name(name)


class TestSigning:
    def test_signing_reproduces_the_published_signature_line_exactly(self) -> None:
        # golang/mod sumdb/note/note_test.go TestSign: Ed25519 is deterministic.
        assert sign_note(TEXT, [PETER]) == TEXT + "\n" + PETER_SIG

    def test_each_signer_adds_one_line_in_the_order_given(self) -> None:
        other = Signer.from_seed("example.com/other", bytes(range(32)))
        note = sign_note(TEXT, [PETER, other])
        assert note.startswith(TEXT + "\n" + PETER_SIG + f"{DASH} example.com/other ")
        opened = open_note(note, [other.verifier(), PETER_VERIFIER])
        assert opened.verified == (PETER_VERIFIER, other.verifier())

    def test_text_without_a_final_newline_is_refused(self) -> None:
        # golang/mod sumdb/note/note_test.go TestSign ("abc").
        with pytest.raises(NoteError, match="must end with a newline"):
            sign_note("abc", [PETER])
        with pytest.raises(NoteError, match="must end with a newline"):
            sign_note("", [PETER])

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("tab\there\n", "control character U\\+0009 at position 3"),
            ("carriage\r\n", "control character U\\+000D at position 8"),
            ("\x01" + TEXT, "control character U\\+0001 at position 0"),
            ("\udcff" + TEXT, "text that is not valid UTF-8 \\(a lone surrogate\\) at position 0"),
        ],
    )
    def test_text_with_control_characters_or_invalid_utf8_is_refused(
        self, text: str, problem: str
    ) -> None:
        with pytest.raises(NoteError, match=f"malformed note text: {problem}"):
            sign_note(text, [PETER])

    def test_text_with_empty_lines_of_its_own_opens_to_the_same_text(self) -> None:
        # c2sp.org/signed-note: "The note text MAY contain empty lines".
        for text in ["stanza one\n\nstanza two\n", "ends in an empty line\n\n", "\n"]:
            assert open_note(sign_note(text, [PETER]), [PETER_VERIFIER]).text == text

    def test_a_note_needs_a_signer_and_at_most_the_number_open_accepts(self) -> None:
        with pytest.raises(NoteError, match="at least one signer"):
            sign_note(TEXT, [])
        with pytest.raises(NoteError, match="101 signers"):
            sign_note(TEXT, [PETER] * (MAX_SIGNATURES + 1))


class TestOpening:
    def test_the_published_note_opens_with_its_text(self) -> None:
        note = open_note(TEXT + "\n" + PETER_SIG, [PETER_VERIFIER])
        assert note == Note(TEXT, (PETER_VERIFIER,))

    def test_the_second_published_signature_verifies_on_the_same_text(self) -> None:
        # golang/mod sumdb/note/note_test.go TestOpen ("Check both verified").
        note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER_VERIFIER, ENOCH_VERIFIER])
        assert note.verified == (PETER_VERIFIER, ENOCH_VERIFIER)
        assert open_note(TEXT + "\n" + ENOCH_SIG, [ENOCH_VERIFIER]).verified == (ENOCH_VERIFIER,)

    def test_signatures_by_unknown_keys_are_ignored_when_a_known_one_verifies(self) -> None:
        # golang/mod sumdb/note/note_test.go TestOpen ("one signature verified, one not").
        note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [PETER_VERIFIER])
        assert note == Note(TEXT, (PETER_VERIFIER,))
        note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [ENOCH_VERIFIER])
        assert note == Note(TEXT, (ENOCH_VERIFIER,))

    def test_an_unknown_signature_is_ignored_even_if_it_would_not_verify(self) -> None:
        # golang/mod sumdb/note/note_test.go TestOpen: EnochRoot's corrupted line is only
        # recorded as unverified while EnochRoot is not a known key.
        corrupted_enoch = insert_abcd_at_byte_60(ENOCH_SIG)
        note = open_note(
            TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + corrupted_enoch, [PETER_VERIFIER]
        )
        assert note == Note(TEXT, (PETER_VERIFIER,))

    def test_a_key_matching_only_by_name_or_only_by_id_counts_as_unknown(self) -> None:
        # c2sp.org/signed-note: ignore unknown keys "even if they share a name or ID (but
        # not both) with a known key".
        same_name = Signer.from_seed("PeterNeumann", bytes(range(32))).verifier()
        same_key_other_name = Signer.from_seed("PeterNeuman", PETER_SEED).verifier()
        for verifier in (same_name, same_key_other_name):
            with pytest.raises(NoteError, match="no known key signed this note"):
                open_note(TEXT + "\n" + PETER_SIG, [verifier])

    def test_a_note_signed_by_no_known_key_is_refused_with_who_did_sign_it(self) -> None:
        # golang/mod sumdb/note/note_test.go TestOpen ("Check both unverified").
        with pytest.raises(
            NoteError,
            match=r"no known key signed this note \(signed by PeterNeumann\+c74f20a3, "
            r"EnochRoot\+af0cfe78; known keys: none\)",
        ):
            open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])

    def test_a_known_key_whose_signature_fails_refuses_the_whole_note(self) -> None:
        # golang/mod sumdb/note/note_test.go TestOpen ("Invalid signature").
        with pytest.raises(NoteError, match=r"^invalid signature for key PeterNeumann\+c74f20a3$"):
            open_note(TEXT + "\n" + insert_abcd_at_byte_60(PETER_SIG), [PETER_VERIFIER])

    def test_a_bad_signature_by_a_known_key_is_refused_even_after_a_good_one(self) -> None:
        # Stricter than Go, which checks only the first signature of each key.
        note = TEXT + "\n" + PETER_SIG + insert_abcd_at_byte_60(PETER_SIG)
        with pytest.raises(NoteError, match="invalid signature for key PeterNeumann"):
            open_note(note, [PETER_VERIFIER])

    def test_the_text_must_be_the_one_that_was_signed(self) -> None:
        with pytest.raises(NoteError, match="invalid signature for key PeterNeumann"):
            open_note(TEXT.replace("answer", "anwser") + "\n" + PETER_SIG, [PETER_VERIFIER])

    @pytest.mark.parametrize(
        ("note", "reason"),
        [
            # golang/mod sumdb/note/note_test.go TestOpen, badMsgs, in order.
            (TEXT, "no blank line before the signatures"),
            (TEXT + "\n", "no signature lines after the blank line"),
            (TEXT + "\n" + PETER_SIG[:-1], "the last signature line does not end with a newline"),
            ("\x01" + TEXT + "\n" + PETER_SIG, "control character U\\+0001 at position 0"),
            # Go's "\xff" byte, as a str decoded with surrogateescape would hold it.
            ("\udcff" + TEXT + "\n" + PETER_SIG, "not valid UTF-8"),
            (
                TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name")[:-1],
                "the last signature line does not end with a newline",
            ),
            (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "signature line 2 does not start"),
            # The same faults one at a time.
            # "Bad" is a valid name; "Name x08go…" is not base64.
            (
                TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name"),
                "the signature on line 1 is not standard padded base64",
            ),
            (
                TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"),
                "signature line 1 has invalid key name 'Peter\\+Neumann'",
            ),
            (TEXT + "\n" + PETER_SIG.replace(DASH, "-"), "does not start with an em dash"),
            (TEXT + "\n" + PETER_SIG.replace("=\n", "\n"), "not standard padded base64"),
            (TEXT + "\n" + f"{DASH} PeterNeumann\n", "too short"),
            (TEXT + "\n" + f"{DASH} PeterNeumann x08gow==\n", "too short"),
            (TEXT.replace("\n", "\r\n") + "\n" + PETER_SIG, "control character U\\+000D"),
        ],
    )
    def test_a_malformed_note_is_refused_with_the_reason(self, note: str, reason: str) -> None:
        with pytest.raises(NoteError, match=f"^malformed note: .*{reason}"):
            open_note(note, [PETER_VERIFIER])

    def test_a_signature_in_non_canonical_base64_is_refused(self) -> None:
        # "…nAM=" ends in two spare bits; "nAN=" decodes to the same bytes.
        assert base64.b64decode("nAN=") == base64.b64decode("nAM=")
        with pytest.raises(NoteError, match="not standard padded base64"):
            open_note(TEXT + "\n" + PETER_SIG.replace("nAM=", "nAN="), [PETER_VERIFIER])

    def test_one_hundred_signature_lines_are_accepted(self) -> None:
        note = open_note(TEXT + "\n" + PETER_SIG * MAX_SIGNATURES, [PETER_VERIFIER])
        assert note.verified == (PETER_VERIFIER,)

    def test_sixteen_unknown_signatures_beside_a_known_one_are_accepted(self) -> None:
        # c2sp.org/signed-note: verifiers MUST accept at least 16 signatures.
        strangers = [Signer.from_seed(f"witness{n}.example", bytes([n]) * 32) for n in range(16)]
        note = sign_note(TEXT, [*strangers, PETER])
        assert open_note(note, [PETER_VERIFIER]).verified == (PETER_VERIFIER,)

    @pytest.mark.parametrize("verifiers", [[PETER_VERIFIER], []])
    def test_more_than_one_hundred_signature_lines_are_refused(
        self, verifiers: list[Verifier]
    ) -> None:
        # golang/mod sumdb/note/note_test.go TestOpen ("too many signatures").
        with pytest.raises(NoteError, match="malformed note: 101 signature lines"):
            open_note(TEXT + "\n" + PETER_SIG * (MAX_SIGNATURES + 1), verifiers)

    def test_a_repeated_known_verifier_is_harmless(self) -> None:
        # golang/mod sumdb/note/note_test.go TestOpen lists one verifier twice.
        note = open_note(TEXT + "\n" + PETER_SIG, [PETER_VERIFIER, ENOCH_VERIFIER, PETER_VERIFIER])
        assert note.verified == (PETER_VERIFIER,)

    def test_two_different_known_keys_with_one_name_and_id_are_refused(self) -> None:
        # Only a 32-bit key id collision can make this; forge one past the checks.
        impostor = Signer.from_seed("PeterNeumann", bytes(range(32))).verifier()
        object.__setattr__(impostor, "key_id", PETER_KEY_ID)
        with pytest.raises(NoteError, match="ambiguous key PeterNeumann\\+c74f20a3"):
            open_note(TEXT + "\n" + PETER_SIG, [PETER_VERIFIER, impostor])


class TestCheckpoints:
    def test_the_real_sum_golang_org_checkpoint_opens(self) -> None:
        # transparency-dev/formats log/note_test.go
        checkpoint = open_checkpoint(
            SUMDB_CHECKPOINT, Verifier.parse(SUMDB_VERIFIER_KEY), SUMDB_ORIGIN
        )
        assert checkpoint == Checkpoint(
            SUMDB_ORIGIN,
            6476701,
            base64.b64decode("mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk="),
        )

    def test_the_real_checkpoint_is_refused_for_another_origin(self) -> None:
        with pytest.raises(
            NoteError,
            match=re.escape(
                "checkpoint origin is 'go.sum database tree', expected 'sum.golang.org'"
            ),
        ):
            open_checkpoint(SUMDB_CHECKPOINT, Verifier.parse(SUMDB_VERIFIER_KEY), "sum.golang.org")

    def test_the_real_checkpoint_is_refused_under_another_key(self) -> None:
        with pytest.raises(NoteError, match="no known key signed this note"):
            open_checkpoint(SUMDB_CHECKPOINT, PETER_VERIFIER, SUMDB_ORIGIN)

    def test_the_test_log_root_is_the_root_of_the_reference_tree(self) -> None:
        assert root_hash([hash_leaf(leaf) for leaf in REFERENCE_LEAVES]) == ROOT_8

    def test_the_test_log_checkpoint_is_reproduced_exactly(self) -> None:
        signer = Signer.parse(TEST_LOG_SIGNER_KEY)
        checkpoint = Checkpoint(TEST_LOG, 8, ROOT_8)
        assert checkpoint.body() == TEST_LOG_CHECKPOINT.split("\n\n")[0] + "\n"
        assert sign_checkpoint(checkpoint, signer) == TEST_LOG_CHECKPOINT

    def test_the_test_log_checkpoint_opens_with_its_verifier(self) -> None:
        verifier = Verifier.parse(TEST_LOG_VERIFIER_KEY)
        assert open_checkpoint(TEST_LOG_CHECKPOINT, verifier, TEST_LOG) == Checkpoint(
            TEST_LOG, 8, ROOT_8
        )

    def test_a_checkpoint_that_is_not_signed_by_the_verifier_is_refused_first(self) -> None:
        # The same body signed by Peter Neumann's key under another name.
        forged = sign_checkpoint(Checkpoint(TEST_LOG, 9, ROOT_8), PETER)
        with pytest.raises(NoteError, match="no known key signed this note"):
            open_checkpoint(forged, Verifier.parse(TEST_LOG_VERIFIER_KEY), TEST_LOG)

    def test_the_empty_tree_is_written_with_size_zero(self) -> None:
        empty = Checkpoint(TEST_LOG, 0, root_hash([]))
        assert empty.body() == (
            "example.com/test-log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        )
        assert Checkpoint.parse(empty.body()) == empty

    def test_extension_lines_are_kept_and_signed(self) -> None:
        body = "example.com/test-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\nx\ny z\n"
        checkpoint = Checkpoint.parse(body)
        assert checkpoint.extensions == ("x", "y z")
        assert checkpoint.body() == body
        note = sign_checkpoint(checkpoint, Signer.parse(TEST_LOG_SIGNER_KEY))
        opened = open_checkpoint(note, Verifier.parse(TEST_LOG_VERIFIER_KEY), TEST_LOG)
        assert opened == checkpoint

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            ("example.com/test-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=", "newline"),
            ("example.com/test-log\n8\n", "got 2 line"),
            ("\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "origin is empty"),
            ("o\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "'08' is not a decimal"),
            ("o\n00\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "'00' is not a decimal"),
            ("o\n+8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "'\\+8' is not a decimal"),
            ("o\n-1\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "'-1' is not a decimal"),
            ("o\n 8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "' 8' is not a decimal"),
            ("o\n\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "'' is not a decimal"),
            ("o\n\u0668\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "is not a decimal"),
            ("o\n1_0\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "is not a decimal"),
            ("o\n18446744073709551616\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "uint64"),
            ("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n", "not standard padded"),
            ("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=\n", "not standard padded"),
            ("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=\n", "not standard padded"),
            ("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==\n", "31 bytes, not 32"),
            ("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n", "extension line 4 is empty"),
            ("o\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\nx\n\ny\n", "line 5 is empty"),
            ("o\x01\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n", "control character"),
        ],
    )
    def test_a_malformed_checkpoint_body_is_refused_with_the_reason(
        self, body: str, reason: str
    ) -> None:
        with pytest.raises(NoteError, match=f"^malformed checkpoint: .*{reason}"):
            Checkpoint.parse(body)

    def test_a_checkpoint_that_could_not_be_written_is_refused_when_made(self) -> None:
        with pytest.raises(NoteError, match="origin is empty"):
            Checkpoint("", 8, ROOT_8)
        with pytest.raises(NoteError, match="holds a newline"):
            Checkpoint("two\nlines", 8, ROOT_8)
        with pytest.raises(NoteError, match="-1 is not a uint64"):
            Checkpoint(TEST_LOG, -1, ROOT_8)
        with pytest.raises(NoteError, match="the root hash is 31 bytes"):
            Checkpoint(TEST_LOG, 8, ROOT_8[:31])
        with pytest.raises(NoteError, match="extension line 4 is empty"):
            Checkpoint(TEST_LOG, 8, ROOT_8, ("",))


# --- properties ------------------------------------------------------------------------

key_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=30,
).filter(valid_key_name)
seeds = st.binary(min_size=32, max_size=32)
signers = st.builds(Signer.from_seed, key_names, seeds)
origins = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
)
checkpoints = st.builds(
    Checkpoint,
    origin=origins,
    size=st.integers(0, 2**64 - 1),
    root_hash=st.binary(min_size=32, max_size=32),
    extensions=st.lists(origins, max_size=2).map(tuple),
)
# Replacements for one character of a signed note: base64 digits, the characters that
# give a note its shape, a control character and some non-ASCII text.
replacements = st.sampled_from(
    [*"AZaz09+/=", "\n", " ", DASH, "-", "\x01", "\t", "é", "\u2028", "\U0001f4ec"]
)
fast = settings(max_examples=200, deadline=None)


class TestProperties:
    @fast
    @given(checkpoints, signers)
    def test_a_signed_checkpoint_always_opens_to_itself(
        self, checkpoint: Checkpoint, signer: Signer
    ) -> None:
        note = sign_checkpoint(checkpoint, signer)
        assert open_checkpoint(note, signer.verifier(), checkpoint.origin) == checkpoint
        assert Checkpoint.parse(checkpoint.body()) == checkpoint

    @fast
    @given(checkpoints, signers, st.data())
    def test_changing_any_one_character_of_a_signed_checkpoint_is_caught(
        self, checkpoint: Checkpoint, signer: Signer, data: st.DataObject
    ) -> None:
        note = sign_checkpoint(checkpoint, signer)
        position = data.draw(st.integers(0, len(note) - 1), label="position")
        replacement = data.draw(
            replacements.filter(lambda character: character != note[position]),
            label="replacement",
        )
        changed = note[:position] + replacement + note[position + 1 :]
        with pytest.raises(NoteError):
            open_checkpoint(changed, signer.verifier(), checkpoint.origin)

    @fast
    @given(signers)
    def test_key_strings_round_trip(self, signer: Signer) -> None:
        assert Signer.parse(signer.to_string()) == signer
        verifier = signer.verifier()
        assert Verifier.parse(verifier.to_string()) == verifier

    @fast
    @given(st.text(max_size=60), signers)
    def test_any_text_a_note_can_hold_opens_to_the_text_that_was_signed(
        self, body: str, signer: Signer
    ) -> None:
        text = body + "\n"
        try:
            note = sign_note(text, [signer])
        except NoteError:
            return  # control characters or lone surrogates: nothing was signed
        assert open_note(note, [signer.verifier()]) == Note(text, (signer.verifier(),))
