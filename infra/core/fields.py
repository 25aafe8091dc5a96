"""The one way declarations are read: typed values, each problem where it was written.

Every model reads its YAML (or the JSON strings ``pulumi.Config`` hands over)
through a ``Fields`` object. It checks the type of each value, refuses
unknown keys with a did-you-mean hint, and finds positions through a locator,
so one model reads a file with exact lines and columns, or a stack's config
where only the stack file itself can be named.

Leaf values that several declarations share (API service names, roles,
members, project and account ids, day counts) are checked here, once, and
always against the whole value: a trailing newline is not a valid id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from infra.core import iam, names
from infra.core.located_yaml import YamlDocument
from infra.core.problems import Position, Problems, did_you_mean

FieldPath = tuple[str | int, ...]
# (path, of the key rather than the value) -> where it was written
Locate = Callable[[FieldPath, bool], Position]

# Longest age a lifecycle or cleanup rule may name: ten years, in days.
MAX_DAYS = 3650
# No API the declarations reach takes a number outside a signed 64-bit integer.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

SERVICE = re.compile(r"[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com")
NUMERIC_ID = re.compile(r"[0-9]{6,20}")


# How YAML users call each type; short scalars are shown with their value.
_TYPE_NAMES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "a boolean"),
    ((int, float), "a number"),
    (str, "a string"),
    (list, "a list"),
    (dict, "a mapping"),
)


def yaml_type_name(value: Any) -> str:
    """How YAML users call the type of a loaded value."""
    if value is None:
        return "null"
    for kind, name in _TYPE_NAMES:
        if isinstance(value, kind):
            if isinstance(value, list | dict):
                return name
            shown = str(value).lower() if isinstance(value, bool) else repr(value)
            return f"{name} ({shown})" if len(shown) < 40 else name
    return type(value).__name__


def locate_in(document: YamlDocument, *base: str | int) -> Locate:
    """Positions inside ``document``, below the value at ``base``."""

    def locate(path: FieldPath, key: bool) -> Position:
        full = (*base, *path)
        return document.key_at(*full) if key else document.at(*full)

    return locate


def locate_file(display: str) -> Locate:
    """Every position is the file itself (for values that did not come from YAML)."""
    return lambda _path, _key: Position(display)


class Fields:
    """Typed reads below one place of one document; problems go to ``problems``."""

    def __init__(self, locate: Locate, problems: Problems) -> None:
        self.locate = locate
        self.problems = problems

    @classmethod
    def of(cls, document: YamlDocument, problems: Problems, *base: str | int) -> Fields:
        return cls(locate_in(document, *base), problems)

    def below(self, *path: str | int) -> Fields:
        """The same reader, with paths relative to ``path``."""
        outer = self.locate
        return Fields(lambda inner, key: outer((*path, *inner), key), self.problems)

    def on_keys(self) -> Fields:
        """The same reader, placing every problem on the key that ends its path.

        For checks of mapping keys (a role written as a key, a registry name):
        the problem belongs on the key, not on the value below it.
        """
        outer = self.locate
        return Fields(lambda path, _key: outer(path, True), self.problems)

    # -- positions and problems -------------------------------------------------

    def at(self, path: FieldPath = ()) -> Position:
        return self.locate(path, False)

    def key_at(self, path: FieldPath) -> Position:
        return self.locate(path, True)

    def error(self, path: FieldPath, message: str, hint: str | None = None) -> None:
        self.problems.error(self.at(path), message, hint)

    def key_error(self, path: FieldPath, message: str, hint: str | None = None) -> None:
        self.problems.error(self.key_at(path), message, hint)

    def warning(self, path: FieldPath, message: str, hint: str | None = None) -> None:
        self.problems.warning(self.at(path), message, hint)

    def key_warning(self, path: FieldPath, message: str, hint: str | None = None) -> None:
        self.problems.warning(self.key_at(path), message, hint)

    def type_error(
        self,
        path: FieldPath,
        value: Any,
        expected: str,
        what: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.error(
            path,
            f"{what or item_name(path)} must be {expected}, found {yaml_type_name(value)}",
            hint or "fix the value's type",
        )

    # -- structure --------------------------------------------------------------

    def mapping(
        self,
        value: Any,
        path: FieldPath = (),
        allowed: Collection[str] | None = None,
        required: Iterable[str] = (),
        what: str | None = None,
        hint: str | None = None,
        expected: str = "a mapping",
    ) -> dict[str, Any] | None:
        """A mapping with only ``allowed`` keys (any when None) and every ``required`` one.

        When ``allowed`` maps each key to what it holds, a missing key's hint says so.
        """
        if not isinstance(value, dict):
            self.type_error(path, value, expected, what, hint)
            return None
        if allowed is not None:
            self.known_keys(value, path, allowed, what)
        for key in required:
            if key not in value:
                described = allowed.get(key) if isinstance(allowed, Mapping) else None
                self.error(
                    path,
                    f"{what or name_of(path)} needs the key `{key}`",
                    f"set `{key}`: {described}" if described else None,
                )
        return value

    def known_keys(
        self, value: dict[str, Any], path: FieldPath, allowed: Collection[str], what: str | None
    ) -> None:
        for key in value:
            if key not in allowed:
                where = f"in {what}" if what else f"in {name_of(path)}" if path else ""
                self.key_error(
                    (*path, key),
                    f"unknown key `{key}` {where}" if where else f"unknown top-level key `{key}`",
                    did_you_mean(key, allowed),
                )

    def sequence(
        self,
        value: Any,
        path: FieldPath,
        expected: str = "a list",
        what: str | None = None,
        hint: str | None = None,
    ) -> list[Any]:
        """A list (``[]`` when absent); anything else is reported and read as empty."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.type_error(path, value, expected, what, hint)
            return []
        return value

    def optional_text(self, value: Any, path: FieldPath, what: str | None = None) -> str | None:
        """A string or nothing (absent or null); anything else is reported."""
        if value is None or isinstance(value, str):
            return value
        self.type_error(path, value, "a string", what)
        return None

    # -- leaves -----------------------------------------------------------------

    def text(
        self,
        value: Any,
        path: FieldPath,
        pattern: re.Pattern[str] | None = None,
        expected: str = "",
        what: str | None = None,
        hint: str | None = None,
    ) -> str | None:
        """A non-empty string, matching the whole of ``pattern`` when one is given."""
        if not isinstance(value, str) or not value:
            self.type_error(path, value, "a non-empty string", what)
            return None
        if pattern is not None and not pattern.fullmatch(value):
            # A mapping key is its own path's end: naming it twice says nothing more.
            where = "" if path and path[-1] == value else f"{what or name_of(path)}: "
            self.error(
                path, f"{where}`{printable(value)}` is not {expected}", hint or f"write {expected}"
            )
            return None
        return value

    def texts(
        self,
        value: Any,
        path: FieldPath,
        pattern: re.Pattern[str] | None = None,
        expected: str = "",
        what: str | None = None,
        hint: str | None = None,
    ) -> tuple[str, ...]:
        """A list of strings without repeats; bad items are reported and left out."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.type_error(path, value, "a list of strings", what)
            return ()
        found: list[str] = []
        for index, item in enumerate(value):
            text = self.text(item, (*path, index), pattern, expected, what, hint)
            if text is None:
                continue
            if text in found:
                self.error(
                    (*path, index),
                    f"`{printable(text)}` is listed twice in {what or name_of(path)}",
                    "remove the repeated entry",
                )
                continue
            found.append(text)
        return tuple(found)

    def integer(
        self,
        value: Any,
        path: FieldPath,
        low: int | None = None,
        high: int | None = None,
        what: str | None = None,
    ) -> int | None:
        """A whole number from ``low`` to ``high`` (at most a signed 64-bit integer)."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.type_error(path, value, "a whole number", what)
            return None
        floor = INT64_MIN if low is None else low
        ceiling = INT64_MAX if high is None else high
        if not floor <= value <= ceiling:
            shown = value if len(str(value)) < 20 else "out of range"
            self.error(
                path, f"{what or name_of(path)} is {shown}; allowed: from {floor} to {ceiling}"
            )
            return None
        return value

    def boolean(self, value: Any, path: FieldPath, what: str | None = None) -> bool | None:
        if not isinstance(value, bool):
            self.type_error(path, value, "true or false", what)
            return None
        return value

    def choice(
        self, value: Any, path: FieldPath, choices: Collection[str], what: str | None = None
    ) -> str | None:
        """One of ``choices``, with a did-you-mean hint."""
        if not isinstance(value, str) or value not in choices:
            shown = f"`{printable(value)}`" if isinstance(value, str) else yaml_type_name(value)
            self.error(
                path,
                f"{what or name_of(path)} {shown} is not one of "
                + ", ".join(f"`{c}`" for c in choices),
                did_you_mean(str(value), choices),
            )
            return None
        return value

    # -- shared leaf checks -------------------------------------------------------

    def days(self, value: Any, path: FieldPath, what: str | None = None) -> int | None:
        """A positive number of days, at most ``MAX_DAYS``."""
        return self.integer(value, path, 1, MAX_DAYS, what)

    def service(self, value: Any, path: FieldPath) -> str | None:
        """An API service name, ``<api>.googleapis.com``."""
        return self.text(value, path, SERVICE, "an API service name (`<api>.googleapis.com`)")

    def services(self, value: Any, path: FieldPath) -> tuple[str, ...]:
        return self.texts(value, path, SERVICE, "an API service name (`<api>.googleapis.com`)")

    def role(self, value: Any, path: FieldPath) -> str | None:
        """An IAM role: predefined, or custom in a project or organization."""
        return self.text(value, path, iam.ROLE, "an IAM role", hint="write roles/<service>.<role>")

    def member(self, value: Any, path: FieldPath, symbols: Collection[str] = ()) -> str | None:
        """An IAM member in one of its forms, or one of ``symbols`` (resolved by the caller)."""
        if isinstance(value, str) and value in symbols:
            return value
        forms = ", ".join([*symbols, iam.MEMBER_FORMS])
        if not isinstance(value, str) or not value:
            self.type_error(path, value, f"an IAM member ({forms})")
            return None
        if not iam.is_member(value):
            self.error(path, f"`{printable(value)}` is not an IAM member", f"write {forms}")
            return None
        planned = iam.canonical_member(value)
        if planned != value:
            self.warning(
                path,
                f"member `{value}` has uppercase letters; it is planned as `{planned}`",
                f"write `{planned}`: Google compares addresses case-insensitively "
                "and stores them in lowercase",
            )
        return planned

    def project_id(self, value: Any, path: FieldPath, *, key: bool = False) -> str | None:
        """A Google Cloud project id (6-30 characters...); ``key``: written as a mapping key."""
        if not isinstance(value, str):
            self.type_error(path, value, "a project id")
            return None
        problem = names.project_id_problem(value)
        if problem:
            where = self.key_at(path) if key else self.at(path)
            self.problems.error(where, *problem)
            return None
        return value

    def service_account_id(
        self, value: Any, path: FieldPath, *, key: bool = False, hint: str = ""
    ) -> str | None:
        if not isinstance(value, str):
            self.type_error(path, value, "a service account id")
            return None
        problem = names.service_account_id_problem(value)
        if problem:
            where = self.key_at(path) if key else self.at(path)
            self.problems.error(where, problem, hint or "pick a valid account id")
            return None
        return value

    def numeric_id(self, value: Any, path: FieldPath, what: str) -> str | None:
        """A numeric id written as a quoted string (YAML would read it as a number)."""
        if isinstance(value, int) and not isinstance(value, bool):
            self.error(path, f"{what} must be quoted", f'write "{value}"')
            return None
        return self.text(value, path, NUMERIC_ID, f"a numeric {what}", hint=f'write "<{what}>"')


def printable(text: str) -> str:
    """``text`` as a message shows it: on one line, control characters escaped."""
    return text if text.isprintable() else repr(text)[1:-1]


def name_of(path: FieldPath) -> str:
    """How a message names the value at ``path``: its key, in backticks."""
    keys = [str(p) for p in path if isinstance(p, str)]
    return f"`{keys[-1]}`" if keys else "the file"


def item_name(path: FieldPath) -> str:
    """Like ``name_of``, but an item of a list is called one (not the list itself)."""
    if path and isinstance(path[-1], int):
        return f"an item of {name_of(path)}"
    return name_of(path)
