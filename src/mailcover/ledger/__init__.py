"""The tamper-evident ledger: an append-only Merkle log in the manner of RFC 9162."""
