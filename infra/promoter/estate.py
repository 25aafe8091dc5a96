"""What a promoter manifest must agree with, computed from the declarations.

Destinations come from the mirrors data (the serving regions' repositories),
the promoter account from the mirrors stack (the account that administers
every repository), sources from infra.yaml (each staging project's
repository, each shared registry).
"""

from __future__ import annotations

from infra.core import names
from infra.core.errors import K8sInfraError
from infra.declarations.loaded import Declarations
from infra.mirrors.model import COMPONENT as MIRRORS
from infra.mirrors.model import Mirrors
from infra.promoter.manifests import PROMOTER_ROLE, PromoterEstate
from infra.staging_images.model import shared_registries

STAGING_SECTION = "staging"
STAGING_REPOSITORY = "images"  # each per-project staging project's repository
DEFAULT_LOCATION = "us-central1"
GCR_COMPATIBLE = "gcr.io"  # a repository of this id in `us` serves gcr.io/<project>


def promoter_estate(declarations: Declarations) -> PromoterEstate:
    mirrors = declarations.model(MIRRORS, Mirrors)
    if mirrors is None:
        raise K8sInfraError(
            "no stack builds the registry mirrors, so the destinations are unknown",
            "run against a checkout whose stacks build `registry-mirrors`",
        )
    registry = mirrors.artifact_registry
    serving = {r: repo.url for r, repo in registry.repositories.items() if repo.serving}
    others = frozenset(r for r, repo in registry.repositories.items() if not repo.serving)
    return PromoterEstate(serving, others, _promoter_account(mirrors), _sources(declarations))


def _promoter_account(mirrors: Mirrors) -> str:
    for settings in mirrors.settings.values():
        for account in settings.service_accounts.values():
            if PROMOTER_ROLE in account.project_roles:
                return names.service_account_email(
                    account.account_id, mirrors.artifact_registry.project
                )
    raise K8sInfraError(
        f"no mirror service account holds {PROMOTER_ROLE}, so the promoter is unknown",
        "declare it under `k8s-infra:mirrors` service_accounts",
    )


def _sources(declarations: Declarations) -> dict[str, str]:
    """Every registry a manifest may promote from, and what declares it."""
    sources: dict[str, str] = {}
    location = DEFAULT_LOCATION
    for settings in declarations.stacks.values():
        if STAGING_SECTION in settings.components:
            location = str(settings.object("staging").get("repository_location", location))
    for entry in declarations.estate.projects(STAGING_SECTION):
        project_id = entry.project_id
        sources[f"{location}-docker.pkg.dev/{project_id}/{STAGING_REPOSITORY}"] = (
            f"staging project {project_id}"
        )
        sources[f"gcr.io/{project_id}"] = f"staging project {project_id}"
    shared = shared_registries(declarations)
    for project in shared.projects if shared else ():
        for item in project.registries:
            what = f"registry {item.name} of {project.project_id}"
            if item.name == GCR_COMPATIBLE and item.location == "us":
                sources[f"gcr.io/{project.project_id}"] = what
            else:
                sources[f"{item.location}-docker.pkg.dev/{project.project_id}/{item.name}"] = what
    return sources
