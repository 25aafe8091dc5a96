"""Faults of the Google APIs, met by `k8s-infra groups diff|sync` through the real client.

The fake server (``tests/fake_google``) injects each fault; the CLI runs in a
child bounded in time and memory (``bounded``). Every case states the exit
code, the problem line at the failed group's declaration (or the one error
line, when nothing could be compared), and what the Workspace holds after.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# imported here, before the children fork, so that each starts with them loaded
import google_auth_httplib2  # noqa: F401
import googleapiclient.discovery
import googleapiclient.http  # noqa: F401
import pytest

import infra.cli.app  # noqa: F401
from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from infra.groups.engine import live
from tests.fake_google import FakeGoogle
from tests.groups.tree import ALLOW_ALL, write_groups_stack, write_tree
from tests.hostile.bounded import Run, run_cli

FILE = "groups/sig-test/groups.yaml"
GROUPS = """\
groups:
  - email-id: alpha@kubernetes.io
    name: alpha
    settings:
      WhoCanJoin: "INVITED_CAN_JOIN"
    members: [a1@example.com, a2@example.com]
  - email-id: beta@kubernetes.io
    name: beta
    members: [b1@example.com]
  - email-id: gamma@kubernetes.io
    name: gamma
    owners: [g1@example.com]
"""
LINE = {"alpha": 2, "beta": 7, "gamma": 10}
SECONDS = 25.0
# The page cap, lowered in the children so that a list without end meets it fast.
PAGE_CAP = 25


def seed(fake: FakeGoogle, *, extra: dict[str, str] | None = None) -> None:
    """The declared groups exist and match, so a sync changes nothing."""
    from infra.groups.settings_table import desired_settings

    fake.workspace.add_group(
        "alpha@kubernetes.io", "alpha", members=("a1@example.com", "a2@example.com"),
        settings=desired_settings({"WhoCanJoin": "INVITED_CAN_JOIN"}),
    )  # fmt: skip
    fake.workspace.add_group(
        "beta@kubernetes.io", "beta", members=("b1@example.com",), settings=desired_settings({})
    )
    fake.workspace.add_group(
        "gamma@kubernetes.io", "gamma", owners=("g1@example.com",), settings=desired_settings({})
    )
    for address, name in (extra or {}).items():
        fake.workspace.add_group(address, name)


def group_id(fake: FakeGoogle, name: str) -> str:
    return fake.workspace.by_email(f"{name}@kubernetes.io").id


def declared_state_holds(fake: FakeGoogle) -> bool:
    ws = fake.workspace
    return (
        ws.emails() >= {"alpha@kubernetes.io", "beta@kubernetes.io", "gamma@kubernetes.io"}
        and ws.by_email("alpha@kubernetes.io").roles()
        == {"a1@example.com": "MEMBER", "a2@example.com": "MEMBER"}
        and ws.by_email("alpha@kubernetes.io").settings["whoCanJoin"] == "INVITED_CAN_JOIN"
        and ws.by_email("beta@kubernetes.io").roles() == {"b1@example.com": "MEMBER"}
        and ws.by_email("gamma@kubernetes.io").roles() == {"g1@example.com": "OWNER"}
    )


@dataclass(frozen=True)
class Fault:
    name: str
    setup: Callable[[FakeGoogle], object]
    args: tuple[str, ...] = ("sync", "--confirm")
    exit_code: int = 0
    failed: tuple[str, ...] = ()  # groups with a problem line at their declaration
    message: str = ""  # in each of those lines, or in the error line when none
    holds: bool = True  # the declared state holds in the Workspace afterwards
    env: dict[str, str] = field(default_factory=dict)


def faults(*specs: dict[str, object]) -> Callable[[FakeGoogle], None]:
    def setup(fake: FakeGoogle) -> None:
        for spec in specs:
            fake.fail(**spec)  # type: ignore[arg-type]

    return setup


def _old_group_deleted_then_503(fake: FakeGoogle) -> None:
    seed(fake, extra={"k8s-infra-old@kubernetes.io": "k8s-infra-old"})
    fake.fail(503, effect="after_work", method="DELETE", path="k8s-infra-old", where="part")


def seeded(
    then: Callable[[FakeGoogle], object] = lambda fake: None,
) -> Callable[[FakeGoogle], None]:
    def setup(fake: FakeGoogle) -> None:
        seed(fake)
        then(fake)

    return setup


def with_id(name: str, **spec: object) -> Callable[[FakeGoogle], None]:
    """A fault on the calls naming group ``name`` by id (seeded first)."""

    def setup(fake: FakeGoogle) -> None:
        seed(fake)
        fake.fail(path=f"/groups/{group_id(fake, name)}{spec.pop('suffix', '')}", **spec)  # type: ignore[arg-type]

    return setup


def remove_member(fake: FakeGoogle) -> None:
    seed(fake)
    fake.workspace.by_email("beta@kubernetes.io").members.append(
        fake.workspace.new_member("stray-owner@example.com", "OWNER")
    )
    fake.fail(503, effect="after_work", method="DELETE", path="/members/", where="part")


def drop_member(fake: FakeGoogle) -> None:
    seed(fake)
    fake.workspace.by_email("alpha@kubernetes.io").members.pop()
    fake.fail(503, effect="after_work", method="POST", path="/members", where="part")


def omit_member_add(fake: FakeGoogle) -> None:
    seed(fake)
    fake.workspace.by_email("alpha@kubernetes.io").members.pop()
    fake.fail(0, effect="omit", method="POST", path="/members", where="part")


def paging(mode: str, listed: str) -> Callable[[FakeGoogle], None]:
    def setup(fake: FakeGoogle) -> None:
        seed(fake)
        fake.paging = mode  # type: ignore[assignment]
        fake.paging_list = listed  # type: ignore[assignment]

    return setup


def slow(fake: FakeGoogle) -> None:
    fake.latency = 0.7


ALL = ("alpha", "beta", "gamma")
SWEEP = ("sync", "--confirm", "--delete-unmanaged", "--prefix", "k8s-infra-old",
         "--max-deletions", "1")  # fmt: skip
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"

FAULTS: list[Fault] = [
    # lost replies: the work is done, the reply says otherwise; the retry finds it done
    Fault("create-connection-dropped-after-the-work",
          faults(dict(status=0, effect="drop", method="POST", path="/batch", where="top"))),
    Fault("create-503-after-the-work",
          faults(dict(status=503, effect="after_work", method="POST",
                      path="/admin/directory/v1/groups", where="part", times=3))),
    Fault("create-answered-409-adopts-and-goes-on",
          faults(dict(status=0, effect="twice", method="POST",
                      path="/admin/directory/v1/groups", where="part"))),
    Fault("member-add-503-after-the-work", drop_member),
    Fault("member-removal-503-after-the-work", remove_member),
    Fault("group-deletion-503-after-the-work",
          _old_group_deleted_then_503,
          args=SWEEP),
    Fault("settings-patch-503-after-the-work",
          faults(dict(status=503, effect="after_work", method="PATCH", path="/groups/v1/groups",
                      where="part", times=2))),
    Fault("settings-read-connection-dropped",
          seeded(lambda fake: fake.fail(0, effect="drop", path="/batch/groupssettings",
                                        where="top", times=2))),
    # batch replies missing parts: only those calls go again
    Fault("batch-reply-missing-a-member-add", omit_member_add),
    Fault("batch-reply-missing-a-create",
          faults(dict(status=0, effect="omit", method="POST", path="/admin/directory/v1/groups",
                      where="part"))),
    Fault("batch-reply-missing-a-settings-read",
          seeded(lambda fake: fake.fail(0, effect="omit", method="GET", path="/groups/v1/groups",
                                        where="part", times=2)), args=("diff",)),
    # pages that never end
    Fault("member-pages-repeat-a-token", paging("repeat", "members"), args=("diff",),
          exit_code=1, failed=ALL, message="twice; the list would never end"),
    Fault("member-pages-without-end", paging("endless", "members"), args=("diff",),
          exit_code=1, failed=ALL, message=f"more than {PAGE_CAP} pages of 200"),
    Fault("group-list-repeats-a-token", paging("repeat", "groups"), args=("diff",),
          exit_code=1, message="could not list the groups of the Workspace (the list of groups: "
          "the API sent page token"),
    # replies trickled a byte at a time
    Fault("settings-replies-trickled",
          seeded(lambda fake: fake.fail(200, effect="trickle", trickle=0.05, times=None,
                                        path="/batch/groupssettings", where="top")),
          args=("diff", "--call-timeout", "1"), exit_code=1, failed=ALL,
          message="no complete reply within 1 s"),
    # malformed bodies
    Fault("settings-a-list",
          seeded(lambda fake: fake.fail(200, effect="body", payload=b'["a"]', method="GET",
                                        path="/groups/v1/groups/alpha", where="part")),
          args=("diff",), exit_code=1, failed=("alpha",),
          message="the settings of alpha@kubernetes.io: expected a JSON object, found a list"),
    Fault("members-a-string", with_id("beta", status=200, effect="body",
                                      payload=b'{"members": "b1@example.com"}', method="GET",
                                      where="part", suffix="/members"),
          args=("diff",), exit_code=1, failed=("beta",),
          message="`members` is a string, not a list"),
    Fault("member-an-integer", with_id("gamma", status=200, effect="body",
                                       payload=b'{"members": [7]}', method="GET", where="part",
                                       suffix="/members"),
          args=("diff",), exit_code=1, failed=("gamma",), message="expected a JSON object"),
    Fault("settings-not-json",
          seeded(lambda fake: fake.fail(200, effect="body", payload=b"<html>busy</html>",
                                        method="GET", path="/groups/v1/groups/beta",
                                        where="part")),
          args=("diff",), exit_code=1, failed=("beta",),
          message="expected a JSON object, found a string"),
    Fault("group-list-a-json-string",
          faults(dict(status=200, effect="body", payload=b'"groups"', method="GET",
                      path="/admin/directory/v1/groups", where="top")),
          args=("diff",), exit_code=1, holds=False,
          message="a page of the list of groups: expected a JSON object, found a string"),
    Fault("group-list-not-json",
          faults(dict(status=200, effect="body", payload=b"{", method="GET",
                      path="/admin/directory/v1/groups", where="top")),
          args=("diff",), exit_code=1, holds=False,
          message="a page of the list of groups: expected a JSON object, found a string"),
    # the run's deadline
    Fault("run-deadline-passes", slow, args=("sync", "--confirm", "--deadline", "1"),
          exit_code=1, failed=ALL, holds=False, message="not done: the run's deadline of 1 s"),
    # credentials and endpoint
    Fault("credentials-a-directory", lambda fake: None, args=("diff",), exit_code=4,
          holds=False, message="names `/`, which is not a file",
          env={GOOGLE_API_ENDPOINT_ENV: "", CREDENTIALS_ENV: "/"}),
    Fault("credentials-a-broken-file", lambda fake: None, args=("diff",), exit_code=4,
          holds=False, message="is not a valid json file",
          env={GOOGLE_API_ENDPOINT_ENV: "", CREDENTIALS_ENV: "@broken"}),
    Fault("endpoint-not-http", lambda fake: None, args=("diff",), exit_code=2, holds=False,
          message="must be an http or https URL", env={GOOGLE_API_ENDPOINT_ENV: "file:///etc/passwd"}),
    Fault("endpoint-with-credentials", lambda fake: None, args=("diff",), exit_code=2,
          holds=False, message="embeds credentials (http://***@127.0.0.1/)",
          env={GOOGLE_API_ENDPOINT_ENV: "http://admin:s3cr3t@127.0.0.1/"}),
]  # fmt: skip


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    server = FakeGoogle().start()
    yield server
    server.stop()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "checkout", {"sig-test/groups.yaml": GROUPS}, ALLOW_ALL)
    write_groups_stack(
        root,
        "root: groups\n"
        "service_account: gsuite-groups-manager@k8s-gsuite.iam.gserviceaccount.com\n"
        "admin_subject: admin@kubernetes.io\n",
    )
    return root


def test_the_engine_corpus_is_large_enough() -> None:
    assert len(FAULTS) >= 20


def _no_waiting() -> None:
    time.sleep = lambda _seconds: (
        None
    )  # the child's backoff; the fake (in the parent) keeps real time
    live.MAX_PAGES = PAGE_CAP


@pytest.mark.parametrize("case", FAULTS, ids=lambda case: case.name)
def test_engine_fault(case: Fault, fake: FakeGoogle, checkout: Path, tmp_path: Path) -> None:
    case.setup(fake)
    env = {GOOGLE_API_ENDPOINT_ENV: fake.url, **case.env}
    if env.get(CREDENTIALS_ENV) == "@broken":
        broken = tmp_path / "key.json"
        broken.write_text('{"type": "service_account", ')
        env[CREDENTIALS_ENV] = str(broken)
    if not env[GOOGLE_API_ENDPOINT_ENV]:
        del env[GOOGLE_API_ENDPOINT_ENV]

    run = run_cli(["--root", str(checkout), "groups", *case.args], env=env, seconds=SECONDS,
                  before=_no_waiting)  # fmt: skip

    assert run.crash == "", run.crash
    assert run.exit_code == case.exit_code, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    _expect_lines(run, case)
    if case.holds and case.exit_code == 0:
        assert declared_state_holds(fake), fake.workspace.groups
    assert "s3cr3t" not in run.stderr + run.stdout


def _expect_lines(run: Run, case: Fault) -> None:
    lines = run.lines_at(FILE)
    for name in case.failed:
        at = f"{FILE}:{LINE[name]}:1: error: failed: {name}@kubernetes.io"
        assert any(line.startswith(at) and case.message in line for line in lines), run.stderr
    failed = {line.split(": failed: ")[1].split(":")[0] for line in lines if ": failed: " in line}
    assert failed == {f"{name}@kubernetes.io" for name in case.failed}, run.stderr
    if case.message and not case.failed:
        assert case.message in run.stderr, run.stderr
