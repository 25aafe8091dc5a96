"""Keyless domain-wide delegation: how CI acts as a Workspace admin without a key file.

The job's ambient credentials (Workload Identity, or a person's
application-default login) ask the IAM Credentials API to sign a JWT as the
groups service account; Google's token endpoint exchanges that JWT, with
the admin as subject, for a token carrying the four scopes upstream used.
No private key exists anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra.core.errors import CredentialsMissing

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

SCOPES = (
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.directory.group",
    "https://www.googleapis.com/auth/admin.directory.group.member",
    "https://www.googleapis.com/auth/apps.groups.settings",
)
# signBlob needs one of these on the ambient credentials.
_SIGNING_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
_TOKEN_URI = "https://oauth2.googleapis.com/token"

_HINT = (
    "run where Workload Identity provides the job's service account, or "
    "`gcloud auth application-default login` as a person allowed to act as it "
    "(roles/iam.serviceAccountTokenCreator); the service account needs "
    "domain-wide delegation of the four group scopes"
)


def delegated_credentials(service_account: str, admin_subject: str) -> Credentials:
    """Credentials that act as ``admin_subject`` through ``service_account``."""
    if not service_account or not admin_subject:
        missing = "service_account" if not service_account else "admin_subject"
        raise CredentialsMissing(
            f"the groups settings have no `{missing}`",
            "set it in the `k8s-infra:groups` object of the stack file, "
            "or set K8S_INFRA_GOOGLE_API_ENDPOINT to use a local fake",
        )
    import google.auth
    import google_auth_httplib2
    import httplib2
    from google.auth import iam
    from google.auth.exceptions import DefaultCredentialsError
    from google.oauth2 import service_account as sa

    try:
        ambient, _project = google.auth.default(scopes=list(_SIGNING_SCOPES))
    except DefaultCredentialsError as error:
        raise CredentialsMissing(f"no Google credentials found ({error})", _HINT) from None
    request = google_auth_httplib2.Request(httplib2.Http())
    signer = iam.Signer(request, ambient, service_account)  # type: ignore[no-untyped-call]
    return sa.Credentials(  # type: ignore[no-untyped-call]
        signer,
        service_account,
        _TOKEN_URI,
        scopes=list(SCOPES),
        subject=admin_subject,
    )
