"""The catalog entry of the registry proxy (component `registry-proxy`)."""

from __future__ import annotations

from infra.core.problems import Problems
from infra.declarations.concern import CheckContext, Checked, Concern
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import ConfigKey, StackSettings
from infra.mirrors.model import ARTIFACT_REGISTRY_FILE, S3_BUCKETS_FILE
from infra.proxy.armor import ARMOR_FILE, PATHS_FILE
from infra.proxy.declarations import load_proxy_declarations
from infra.proxy.guardrails import GUARDRAILS
from infra.proxy.model import COMPONENT, REGIONS_KEY, SETTINGS_KEY
from infra.proxy.resources import RESOURCES


def check(context: CheckContext, problems: Problems) -> Checked:
    """The mirror and edge data, and every building stack's proxy settings."""
    declarations, references = load_proxy_declarations(context, problems)
    return Checked(declarations, references)


def build(settings: StackSettings, declarations: Declarations) -> None:
    from infra.proxy.build import build_registry_proxy

    build_registry_proxy(settings, declarations)


CONCERN = Concern(
    name=COMPONENT,
    summary="the registry proxy: archeio on Cloud Run behind one global load balancer",
    check=check,
    build=build,
    # the edge's data, and the mirrors' it redirects to
    inputs=lambda _settings: (ARMOR_FILE, PATHS_FILE, ARTIFACT_REGISTRY_FILE, S3_BUCKETS_FILE),
    config_keys={
        SETTINGS_KEY: ConfigKey(
            "object",
            "the proxy's project, domain, archeio image, switches and live names",
            required=True,
        ),
        REGIONS_KEY: ConfigKey(
            "object",
            "Cloud Run region -> the AWS region of its default bucket (~: the global URL)",
            required=True,
        ),
    },
    guardrails=GUARDRAILS,
    resources=RESOURCES,
)
