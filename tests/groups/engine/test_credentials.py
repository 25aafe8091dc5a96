"""Keyless domain-wide delegation: what is built, and what is missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.auth import iam
from google.oauth2 import service_account

from infra.core.errors import EXIT_CREDENTIALS, CredentialsMissing
from infra.groups.engine.credentials import SCOPES, delegated_credentials

SA = "groups-manager@k8s-gsuite.iam.gserviceaccount.com"
ADMIN = "admin-bot@kubernetes.io"


def test_credentials_sign_through_iam_as_the_service_account_for_the_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adc = tmp_path / "adc.json"
    adc.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "id.apps.googleusercontent.com",
                "client_secret": "not-a-secret",
                "refresh_token": "not-a-token",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    credentials = delegated_credentials(SA, ADMIN)
    assert isinstance(credentials, service_account.Credentials)
    assert isinstance(credentials.signer, iam.Signer)
    assert credentials.service_account_email == SA
    assert credentials._subject == ADMIN
    assert tuple(credentials.scopes or ()) == SCOPES
    assert "admin.directory.group.member" in " ".join(SCOPES)


@pytest.mark.parametrize(
    ("sa", "admin", "missing"), [("", ADMIN, "service_account"), (SA, "", "admin_subject")]
)
def test_missing_settings_are_credentials_missing(sa: str, admin: str, missing: str) -> None:
    with pytest.raises(CredentialsMissing) as raised:
        delegated_credentials(sa, admin)
    assert missing in raised.value.message
    assert raised.value.exit_code == EXIT_CREDENTIALS


def test_no_ambient_credentials_is_credentials_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "absent.json"))
    with pytest.raises(CredentialsMissing) as raised:
        delegated_credentials(SA, ADMIN)
    assert raised.value.hint and "Workload Identity" in raised.value.hint
