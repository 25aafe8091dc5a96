"""E-mail addresses in groups files: their syntax, and when two name one mailbox.

Google compares addresses case-insensitively, and Gmail ignores dots in the
local part. Declarations are checked against that at load, so that the file
never holds two spellings of one member (upstream's reconciler once failed
every run on a mixed-case address).
"""

from __future__ import annotations

import re

# Consumer Google accounts, where `a.b@` and `ab@` are one mailbox.
DOT_INSENSITIVE_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

LOCAL_MAX, ADDRESS_MAX = 64, 254

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"^{_LABEL}(?:\.{_LABEL})+$")


def syntax_problem(address: str) -> tuple[str, str] | None:
    """Why ``address`` is not a plain ``local@domain`` address, with a fix; None if it is."""
    if any(c.isspace() for c in address):
        return "holds white space", "remove the spaces; one address per list item"
    if address.count("@") != 1:
        found = "no `@`" if "@" not in address else "more than one `@`"
        return f"has {found}", "write one full address, local-part@domain"
    local, _, domain = address.partition("@")
    if address.startswith(("group:", "user:", "serviceAccount:")):
        return "has an IAM prefix", f"write the bare address `{address.partition(':')[2]}`"
    if not local or len(local) > LOCAL_MAX or not _LOCAL.match(local):
        return (
            f"has an invalid local part `{local}`",
            "before `@`: letters, digits and `.-_+'`, without a leading, trailing or doubled dot",
        )
    if not _DOMAIN.match(domain):
        return f"has an invalid domain `{domain}`", "write a domain such as `example.com`"
    if len(address) > ADDRESS_MAX:
        return f"is {len(address)} characters long", f"at most {ADDRESS_MAX} are allowed"
    return None


def mailbox_key(address: str) -> str:
    """Equal for two spellings of one mailbox: case, and Gmail's dots."""
    lowered = address.lower()
    local, at, domain = lowered.rpartition("@")
    if at and domain in DOT_INSENSITIVE_DOMAINS:
        return f"{local.replace('.', '')}@{domain}"
    return lowered


def dotless_key(address: str) -> str:
    """Equal for addresses differing only in case or local-part dots, on any domain."""
    lowered = address.lower()
    local, at, domain = lowered.rpartition("@")
    return f"{local.replace('.', '')}@{domain}" if at else lowered
