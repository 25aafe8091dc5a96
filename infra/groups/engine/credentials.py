"""Keyless domain-wide delegation: how CI acts as a Workspace admin without a key file.

The job's ambient credentials (Workload Identity, or a person's
application-default login) ask the IAM Credentials API to sign a JWT as the
groups service account; Google's token endpoint exchanges that JWT, with
the admin as subject, for a token carrying the four scopes upstream used.
No private key exists anywhere.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from infra.core.errors import CredentialsMissing
from infra.core.fields import printable

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


_KEY_FILE_ENV = "GOOGLE_APPLICATION_CREDENTIALS"


def _check_key_file() -> None:
    """A credentials file named by the environment must be a readable file; said plainly
    here rather than as whatever the auth library trips on."""
    path = os.environ.get(_KEY_FILE_ENV)
    if not path:
        return
    shown = printable(path)
    fix = (
        f"point {_KEY_FILE_ENV} at a credentials JSON file, or unset it to use the job's own "
        "identity (Workload Identity, or `gcloud auth application-default login`)"
    )
    if not os.path.exists(path):
        raise CredentialsMissing(f"{_KEY_FILE_ENV} names `{shown}`, which does not exist", fix)
    if not os.path.isfile(path):
        raise CredentialsMissing(f"{_KEY_FILE_ENV} names `{shown}`, which is not a file", fix)
    if not os.access(path, os.R_OK):
        raise CredentialsMissing(f"{_KEY_FILE_ENV} names `{shown}`, which cannot be read", fix)


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

    _check_key_file()
    try:
        ambient, _project = google.auth.default(scopes=list(_SIGNING_SCOPES))
    except (DefaultCredentialsError, OSError, ValueError) as error:
        first = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
        reason = printable(first.splitlines()[0] if first else type(error).__name__)
        raise CredentialsMissing(f"no usable Google credentials ({reason})", _HINT) from None
    request = google_auth_httplib2.Request(httplib2.Http())
    signer = iam.Signer(request, ambient, service_account)  # type: ignore[no-untyped-call]
    return sa.Credentials(  # type: ignore[no-untyped-call]
        signer,
        service_account,
        _TOKEN_URI,
        scopes=list(SCOPES),
        subject=admin_subject,
    )
