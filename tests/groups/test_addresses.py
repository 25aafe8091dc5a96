"""Addresses: one key for the engine and validation, Google's mailboxes, reserved domains."""

from __future__ import annotations

import pytest

from infra.groups.addresses import address_key, is_reserved, same_mailbox, shown, syntax_problem


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
def test_one_key_compares_as_upstream_did(left: str, right: str, same: bool) -> None:
    """The engine's comparison (upstream's EmailAddressEquals): case and local dots ignored."""
    assert (address_key(left) == address_key(right)) is same


@pytest.mark.parametrize(
    ("left", "right", "mailbox"),
    [
        ("Jane@example.com", "jane@example.com", True),
        ("jane.doe@gmail.com", "janedoe@gmail.com", True),
        ("Jane.Doe@GoogleMail.com", "j.a.n.e.doe@googlemail.com", True),
        ("jane.doe@example.com", "janedoe@example.com", False),  # one key, two mailboxes
        ("jane@example.com", "jane@example.org", False),
        ("jane@gmail.com", "jane@googlemail.com", False),
    ],
)
def test_one_mailbox_is_google_s_view_within_one_key(left: str, right: str, mailbox: bool) -> None:
    assert same_mailbox(left, right) is mailbox
    assert same_mailbox(right, left) is mailbox
    if mailbox:
        assert address_key(left) == address_key(right)


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


def test_a_trailing_newline_is_not_an_address_and_is_shown_on_one_line() -> None:
    assert syntax_problem("a@kubernetes.io\n") is not None
    assert shown("a@kubernetes.io\n") == "a@kubernetes.io\\n"
    assert shown("jöe@example.com") == "jöe@example.com"
