"""The Google Workspace groups engine: live state in, changes out, changes applied.

A library over google-api-python-client (Admin SDK Directory API v1 and
Groups Settings API v1). One concept per module:

- ``apis``: endpoints and the API clients, credentials aside;
- ``credentials``: keyless domain-wide delegation for CI;
- ``deadline``: how long each call and the whole run may take;
- ``retry``: which errors are worth another try, and the backoff;
- ``batch``: many calls in few HTTP requests, failed parts re-submitted;
- ``live``: reading groups, members and settings, every page;
- ``changes``: what differs between a declared group and its live state;
- ``deletion``: the opt-in sweep of unmanaged groups;
- ``apply``: writing changes;
- ``guard``: sample declarations never reach the real APIs;
- ``reconcile``: the whole run, one group or all of them.

Nothing here imports Pulumi: the CLI and the dynamic provider share it.
"""
