"""Comparing e-mail addresses, and the addresses no real group may hold.

Google treats addresses case-insensitively and, for consumer accounts,
ignores dots in the local part. Upstream compared every address that way
(after a mixed-case address broke every run), so a declaration never fights
Google over the spelling it stores.
"""

from __future__ import annotations

# RFC 2606 second-level domains and RFC 2606/6761 top-level names: no real
# mailbox lives there, so a declaration holding one is sample data.
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")


def address_key(address: str) -> str:
    """A key equal for two addresses that Google treats as one.

    Case never matters; dots in the local part do not either, when the
    address has exactly one ``@``.
    """
    lowered = address.strip().lower()
    local, at, domain = lowered.partition("@")
    if not at or "@" in domain:
        return lowered
    return f"{local.replace('.', '')}@{domain}"


def same_address(left: str, right: str) -> bool:
    return address_key(left) == address_key(right)


def is_reserved(address: str) -> bool:
    """Whether the address sits under a domain reserved for examples and tests."""
    domain = address.strip().lower().rpartition("@")[2].rstrip(".")
    if any(domain == d or domain.endswith("." + d) for d in _RESERVED_DOMAINS):
        return True
    return domain.rpartition(".")[2] in _RESERVED_TLDS
