"""E-mail addresses in groups: their syntax, when two are one, and sample domains.

One key says when two addresses are one: ``address_key``. Case never
matters, and neither do dots in the local part, on any domain: upstream's
reconciler compared addresses that way (its ``EmailAddressEquals``), after a
mixed-case address broke every run. The engine keys every comparison with
live state by it, and validation groups a group's members by it.

Within one key, ``same_mailbox`` tells the spellings Google itself treats as
one mailbox (any case; any dots on Gmail, ``gmail.com`` and
``googlemail.com``) from those it keeps apart (dots on any other domain).
Validation refuses the first as a duplicate member and warns about the
second: two mailboxes, which the engine would still take for one. Two
addresses with different keys are never the same, for anyone.

``is_reserved`` names the domains reserved for examples, where no real
mailbox lives.
"""

from __future__ import annotations

import re

# Consumer Google accounts, where `a.b@` and `ab@` are one mailbox.
DOT_INSENSITIVE_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

LOCAL_MAX, ADDRESS_MAX = 64, 254

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")

# RFC 2606 second-level domains and RFC 2606/6761 top-level names: no real
# mailbox lives there, so a declaration holding one is sample data.
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")


def syntax_problem(address: str) -> tuple[str, str] | None:
    """Why ``address`` is not a plain ``local@domain`` address, with a fix; None if it is."""
    if any(c.isspace() for c in address):
        return "holds white space", "remove the spaces; one address per list item"
    if address.count("@") != 1:
        found = "no `@`" if "@" not in address else "more than one `@`"
        return f"has {found}", "write one full address, local-part@domain"
    if address.startswith(("group:", "user:", "serviceAccount:")):
        return "has an IAM prefix", f"write the bare address `{address.partition(':')[2]}`"
    return _parts_problem(address)


def _parts_problem(address: str) -> tuple[str, str] | None:
    """Why the two parts of a one-``@`` address are not valid; None if they are."""
    local, _, domain = address.partition("@")
    if not local or len(local) > LOCAL_MAX or not _LOCAL.fullmatch(local):
        return (
            f"has an invalid local part `{local}`",
            "before `@`: letters, digits and `.-_+'`, without a leading, trailing or doubled dot",
        )
    if not _DOMAIN.fullmatch(domain):
        return f"has an invalid domain `{domain}`", "write a domain such as `example.com`"
    if len(address) > ADDRESS_MAX:
        return f"is {len(address)} characters long", f"at most {ADDRESS_MAX} are allowed"
    return None


def shown(address: str) -> str:
    """``address`` for a one-line message: characters that would break the line escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in address)


def canonical(address: str) -> str:
    """The address as Google stores it, and as every plan writes it: in lowercase.

    Google compares addresses without case (upstream's reconciler too, with
    its ``EmailAddressEquals``) and answers with the lowercase form, so a
    plan that kept a file's case would show a difference after adoption and
    on every refresh.
    """
    return address.strip().lower()


def address_key(address: str) -> str:
    """The one key of an address: equal for two addresses that are one.

    Case never matters; dots in the local part do not either, when the
    address has exactly one ``@``.
    """
    lowered = address.strip().lower()
    local, at, domain = lowered.partition("@")
    if not at or "@" in domain:
        return lowered
    return f"{local.replace('.', '')}@{domain}"


def same_mailbox(left: str, right: str) -> bool:
    """Whether Google delivers both to one mailbox: one key, and the same spelling
    but for case, or a domain that ignores dots."""
    if address_key(left) != address_key(right):
        return False
    domain = address_key(left).rpartition("@")[2]
    return left.strip().lower() == right.strip().lower() or domain in DOT_INSENSITIVE_DOMAINS


def is_reserved(address: str) -> bool:
    """Whether the address sits under a domain reserved for examples and tests."""
    domain = address.strip().lower().rpartition("@")[2].rstrip(".")
    if any(domain == d or domain.endswith("." + d) for d in _RESERVED_DOMAINS):
        return True
    return domain.rpartition(".")[2] in _RESERVED_TLDS
