"""The provider as Pulumi runs it: Pulumi's own dynamic provider host, in a subprocess.

The host's servicer receives the stack config (Configure), unpickles the
provider from ``__provider`` and calls it (Create), exactly as under
``pulumi up``; only the gRPC server around it is left out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from tests.conftest import REPO
from tests.fake_google import FakeGoogle

pytestmark = pytest.mark.e2e  # starts programs: see the marker in pyproject.toml

HOST = """
import asyncio, json, sys
from pathlib import Path

import pulumi.dynamic
from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from infra.groups.provider import GroupProvider, group_inputs
from infra.groups.settings_table import desired_settings
from infra.groups.model import Group

# The host module starts its gRPC server on import: run it without that last call.
source = (Path(pulumi.dynamic.__file__).parent / "__main__.py").read_text()
body = source.rpartition("\\nmain()")[0]
host = {"__name__": "dynamic_host"}
exec(compile(body, "pulumi/dynamic/__main__.py", "exec"), host)


class Context:
    def abort(self, code, details):
        raise SystemExit(details)


servicer = host["DynamicResourceProviderServicer"]()
config = struct_pb2.Struct()
config.update({"k8s-infra:groups": sys.argv[1]})
servicer.Configure(provider_pb2.ConfigureRequest(args=config), Context())
group = Group("sig-x@example.com", "sig-x", "", {}, True, owners=("alice@example.com",))
props = group_inputs(group, desired_settings({}))
props["__provider"] = serialize_provider(GroupProvider())
request = provider_pb2.CreateRequest(
    urn="urn:pulumi:groups::k8s-infra::t::sig-x",
    properties=asyncio.run(rpc.serialize_properties(props, {})),
)
created = servicer.Create(request, Context())
outs = rpc.deserialize_properties(created.properties)
print(json.dumps({"id": created.id, "groupId": outs["groupId"], "owners": outs["owners"]}))
"""


def run_host(
    fake: FakeGoogle, tmp_path: Path, config: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "host.py"
    script.write_text(HOST)
    env = {**os.environ, GOOGLE_API_ENDPOINT_ENV: fake.url}
    return subprocess.run(
        [sys.executable, str(script), json.dumps(config)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
        timeout=120,
    )


def test_pulumis_host_unpickles_configures_and_creates(fake: FakeGoogle, tmp_path: Path) -> None:
    done = run_host(fake, tmp_path, {"root": "groups", "customer": "my_customer"})
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)
    live = fake.workspace.by_email("sig-x@example.com")
    assert created == {"id": live.id, "groupId": live.id, "owners": ["alice@example.com"]}
    assert live.roles() == {"alice@example.com": "OWNER"}


def test_the_stack_config_reaches_the_provider(fake: FakeGoogle, tmp_path: Path) -> None:
    done = run_host(fake, tmp_path, {"service_account": "not-an-account"})
    assert done.returncode != 0
    assert (
        "k8s-infra:groups:1:1: error: `k8s-infra:groups` service_account: `not-an-account` "
        "is not a service account address" in done.stderr
    )
    assert fake.workspace.groups == {}
