"""Address comparison (upstream's EmailAddressEquals) and reserved domains."""

from __future__ import annotations

import pytest

from infra.groups.engine.addresses import address_key, is_reserved, same_address


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("Alice@Example.com", "alice@example.com", True),
        ("a.lice@example.com", "alice@example.com", True),
        ("alice@ex.ample.com", "alice@example.com", False),  # dots matter in the domain
        ("alice@example.com", "alicia@example.com", False),
        ("not.an.address", "notanaddress", False),  # without one @, only case is ignored
        ("Not.An.Address", "not.an.address", True),
        ("a@b@example.com", "ab@example.com", False),
    ],
)
def test_addresses_compare_as_google_does(left: str, right: str, same: bool) -> None:
    assert same_address(left, right) is same
    assert (address_key(left) == address_key(right)) is same


@pytest.mark.parametrize(
    ("address", "reserved"),
    [
        ("alice@example.com", True),
        ("alice@EXAMPLE.ORG", True),
        ("alice@lists.example.net", True),
        ("alice@corp.example", True),
        ("alice@host.test", True),
        ("alice@nowhere.invalid", True),
        ("alice@localhost", True),
        ("alice@kubernetes.io", False),
        ("alice@example.co", False),
        ("alice@myexample.com", False),
        ("alice@testing.dev", False),
    ],
)
def test_reserved_domains(address: str, reserved: bool) -> None:
    assert is_reserved(address) is reserved
