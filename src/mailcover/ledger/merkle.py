"""Merkle tree hashing, proofs and their verification, as RFC 9162 section 2.1 defines them.

RFC 9162 (Certificate Transparency 2.0) keeps the tree of RFC 6962 unchanged: a leaf
hashes as SHA-256(0x00 || data), an inner node as SHA-256(0x01 || left || right), and
the empty tree as SHA-256(""). The distinct prefixes stop a leaf from passing for a
node (a second-preimage attack on the tree).

Everything here is pure: no I/O, no clock, no Django. Proof generation takes the tree
as a way to get the root of any range of leaves (`SubtreeRoot`), so the ledger can
answer from stored subtree hashes instead of rehashing; `inclusion_proof` and
`consistency_proof` are the same algorithms over a plain sequence of leaf hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence

HASH_SIZE = 32
"""Length in bytes of every hash in the tree (SHA-256)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) of RFC 9162 section 2.1.1: the root of a tree with no leaves."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

SubtreeRoot = Callable[[int, int], bytes]
"""MTH(D[start:end]) for 0 <= start < end: the root of the leaves in that range."""


class ProofError(ValueError):
    """A proof, or the sizes and hashes it is checked against, does not hold."""


def hash_leaf(data: bytes) -> bytes:
    """The leaf hash of one entry: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split_point(size: int) -> int:
    """k of RFC 9162 2.1.1: the largest power of two strictly less than `size` (> 1)."""
    return 1 << ((size - 1).bit_length() - 1)


class MerkleFrontier:
    """The right edge of a growing tree: the roots of its perfect subtrees, left to right.

    A tree of n leaves splits into one perfect subtree per set bit of n, largest first,
    so keeping those roots (at most log2(n) + 1 of them) is enough to append a leaf and
    to give the tree head without reading any earlier leaf again.
    """

    def __init__(self) -> None:
        self._size = 0
        self._subtree_roots: list[bytes] = []

    @classmethod
    def restore(cls, size: int, subtree_roots: Sequence[bytes]) -> MerkleFrontier:
        """Rebuild a frontier saved as (`size`, `subtree_roots`), checking they fit together."""
        if size < 0:
            raise ValueError(f"tree size must not be negative, got {size}")
        if len(subtree_roots) != size.bit_count():
            raise ValueError(
                f"a tree of {size} leaves has {size.bit_count()} perfect subtrees, "
                f"got {len(subtree_roots)} subtree roots"
            )
        _check_hash_sizes("subtree root", subtree_roots, error=ValueError)
        frontier = cls()
        frontier._size = size
        frontier._subtree_roots = list(subtree_roots)
        return frontier

    @property
    def size(self) -> int:
        """How many leaves the tree holds."""
        return self._size

    @property
    def subtree_roots(self) -> tuple[bytes, ...]:
        """The perfect subtrees' roots, largest (leftmost) first: what `restore` takes."""
        return tuple(self._subtree_roots)

    def append(self, leaf_hash: bytes) -> list[bytes]:
        """Add one leaf; merges equal-sized subtrees as a binary counter carries.

        Returns the roots of the perfect subtrees the merge completed, at levels 1, 2, ...
        in that order (empty for a leaf that completes none): the subtree at level L
        holds the leaves [index << L, (index + 1) << L) with index = old size >> L. A
        store that keeps them can answer any proof without rehashing leaves.
        """
        _check_hash_sizes("leaf hash", [leaf_hash], error=ValueError)
        node = leaf_hash
        carry = self._size
        completed: list[bytes] = []
        while carry & 1:
            node = hash_children(self._subtree_roots.pop(), node)
            completed.append(node)
            carry >>= 1
        self._subtree_roots.append(node)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """MTH of the whole tree: the subtree roots folded together from the right."""
        if not self._subtree_roots:
            return EMPTY_ROOT
        return fold_subtree_roots(self._subtree_roots)


def subtree_root_of(leaf_hashes: Sequence[bytes]) -> SubtreeRoot:
    """A `SubtreeRoot` that hashes ranges of `leaf_hashes` recursively (O(range) each)."""

    def subtree_root(start: int, end: int) -> bytes:
        if end - start == 1:
            return leaf_hashes[start]
        middle = start + _split_point(end - start)
        return hash_children(subtree_root(start, middle), subtree_root(middle, end))

    return subtree_root


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees, as (level, index), whose roots fold into MTH(D[start:end]).

    Every range a proof asks for starts on a multiple of a power of two at least its
    length (RFC 9162 splits at the largest power of two below the size), so it is one
    aligned perfect subtree per set bit of its length, largest first.
    """
    if not 0 <= start < end:
        raise ValueError(f"no subtree covers the empty or reversed range [{start}, {end})")
    subtrees: list[tuple[int, int]] = []
    position = start
    for level in range((end - start).bit_length() - 1, -1, -1):
        width = 1 << level
        if (end - position) & width:
            if position % width:
                raise ValueError(f"[{start}, {end}) is not a range of the tree")
            subtrees.append((level, position >> level))
            position += width
    return subtrees


def fold_subtree_roots(roots: Sequence[bytes]) -> bytes:
    """Fold perfect subtree roots, largest (leftmost) first, into one root, from the right."""
    node = roots[-1]
    for left in reversed(roots[:-1]):
        node = hash_children(left, node)
    return node


def subtree_root_from(nodes: Mapping[tuple[int, int], bytes]) -> SubtreeRoot:
    """A `SubtreeRoot` answered from stored perfect subtree roots keyed (level, index)."""

    def subtree_root(start: int, end: int) -> bytes:
        return fold_subtree_roots([nodes[key] for key in perfect_subtrees(start, end)])

    return subtree_root


def ranges_of(path: Callable[[SubtreeRoot], list[bytes]]) -> list[tuple[int, int]]:
    """The ranges a proof algorithm asks the tree for, so a store can fetch them at once."""
    asked: list[tuple[int, int]] = []

    def record(start: int, end: int) -> bytes:
        asked.append((start, end))
        return EMPTY_ROOT

    path(record)
    return asked


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 section 2.1.1 over the given leaf hashes."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return subtree_root_of(leaf_hashes)(0, len(leaf_hashes))


def inclusion_path(subtree_root: SubtreeRoot, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 section 2.1.3.1, leaf-side sibling first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    # Walk down from the root; each sibling is appended, then the list is reversed.
    while end - start > 1:
        middle = start + _split_point(end - start)
        if index < middle:
            path.append(subtree_root(middle, end))
            end = middle
        else:
            path.append(subtree_root(start, middle))
            start = middle
    path.reverse()
    return path


def consistency_path(subtree_root: SubtreeRoot, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[second]) of RFC 9162 section 2.1.4.1, for 0 < first <= second."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    path: list[bytes] = []
    start, end = 0, second
    first_is_whole_subtree = True
    while first != end:
        k = _split_point(end - start)
        if first - start <= k:
            path.append(subtree_root(start + k, end))
            end = start + k
        else:
            path.append(subtree_root(start, start + k))
            start += k
            first_is_whole_subtree = False
    # SUBPROOF(m, D[m], true) is empty: the verifier already holds that root.
    if not first_is_whole_subtree:
        path.append(subtree_root(start, end))
    path.reverse()
    return path


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) over the first `size` of `leaf_hashes`."""
    _check_prefix(leaf_hashes, size)
    return inclusion_path(subtree_root_of(leaf_hashes), index, size)


def consistency_proof(leaf_hashes: Sequence[bytes], first: int, second: int) -> list[bytes]:
    """PROOF(first, D[second]) over the first `second` of `leaf_hashes`."""
    _check_prefix(leaf_hashes, second)
    return consistency_path(subtree_root_of(leaf_hashes), first, second)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check an inclusion proof by RFC 9162 section 2.1.3.2; raise ProofError if it fails."""
    _check_hash_sizes("leaf hash", [leaf_hash])
    _check_hash_sizes("root hash", [root])
    _check_hash_sizes("inclusion proof hash", proof)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    fn, sn, node = index, size - 1, leaf_hash
    for position, sibling in enumerate(proof):
        if sn == 0:
            raise ProofError(
                f"inclusion proof has {len(proof)} hashes; a tree of size {size} "
                f"needs only {position} for leaf {index}"
            )
        if fn & 1 or fn == sn:
            node = hash_children(sibling, node)
            # Past the right edge the path skips levels where this node has no sibling.
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = hash_children(node, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(
            f"inclusion proof has {len(proof)} hashes, too few for leaf {index} "
            f"in a tree of size {size}"
        )
    if node != root:
        raise ProofError(
            f"inclusion proof for leaf {index} gives root {node.hex()}, "
            f"not the expected {root.hex()}"
        )


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check a consistency proof by RFC 9162 section 2.1.4.2; raise ProofError if it fails."""
    _check_hash_sizes("first root hash", [first_root])
    _check_hash_sizes("second root hash", [second_root])
    _check_hash_sizes("consistency proof hash", proof)
    _check_consistency_sizes(first, second)
    if first == second:
        # Outside the RFC algorithm (which needs first < second): nothing to prove.
        if proof:
            raise ProofError(f"both trees have size {first}, so the proof must be empty")
        if first_root != second_root:
            raise ProofError(f"two trees of size {first} have different roots")
        return
    fr, sr = _consistency_roots(first, second, first_root, proof)
    if fr != first_root:
        raise ProofError(
            f"consistency proof gives root {fr.hex()} for size {first}, "
            f"not the expected {first_root.hex()}"
        )
    if sr != second_root:
        raise ProofError(
            f"consistency proof gives root {sr.hex()} for size {second}, "
            f"not the expected {second_root.hex()}"
        )


def _consistency_roots(
    first: int, second: int, first_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """Steps 1-6 of RFC 9162 2.1.4.2, for 0 < first < second: the two roots the proof gives."""
    if not proof:
        raise ProofError(f"consistency proof from size {first} to {second} is empty")
    path = list(proof)
    fn, sn = first - 1, second - 1
    # A power-of-two first tree is a whole subtree of the second; the proof leaves its
    # root out because the verifier already holds it.
    if (first & fn) == 0:
        path.insert(0, first_root)
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    prepended = len(path) - len(proof)
    fr = sr = path[0]
    for position, node in enumerate(path[1:], start=1):
        if sn == 0:
            raise ProofError(
                f"consistency proof from size {first} to {second} has {len(proof)} hashes, "
                f"more than the {position - prepended} it needs"
            )
        if fn & 1 or fn == sn:
            fr, sr = hash_children(node, fr), hash_children(node, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = hash_children(sr, node)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(
            f"consistency proof from size {first} to {second} has {len(proof)} hashes, "
            "too few to reach the second root"
        )
    return fr, sr


def _check_consistency_sizes(first: int, second: int) -> None:
    if first > second:
        raise ProofError(f"the first tree (size {first}) is larger than the second ({second})")
    if first < 0:
        raise ProofError(f"tree size must not be negative, got {first}")
    # RFC 9162 needs 0 < first; transparency-dev rejects first = 0 even when second = 0.
    if first == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")


def _check_hash_sizes(
    what: str, hashes: Sequence[bytes], error: type[ValueError] = ProofError
) -> None:
    """Every hash must be exactly 32 bytes: a policy check outside the RFC steps, which
    transparency-dev makes too (an empty leaf hash must not match an empty root)."""
    for position, value in enumerate(hashes):
        if len(value) != HASH_SIZE:
            where = f" {position}" if len(hashes) > 1 else ""
            raise error(f"{what}{where} has {len(value)} bytes, not {HASH_SIZE}")


def _check_prefix(leaf_hashes: Sequence[bytes], size: int) -> None:
    if size > len(leaf_hashes):
        raise ValueError(f"tree size {size} is larger than the {len(leaf_hashes)} leaves given")
