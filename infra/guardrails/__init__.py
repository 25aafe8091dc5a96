"""Guard rails: policies every stack's resources must pass, whatever the change.

Written once as Pulumi CrossGuard policies: the generic ones (``checks``),
told by each concern which of its resource types they apply to, and each
concern's own (its ``guardrails`` module), collected through the catalog
(``checks.policies``). They run two ways: offline over the planner's
inventory (``offline``, ``k8s-infra policy check``), and as a policy pack in
``pulumi preview`` (the thin ``policy-pack`` folder at the top of the
checkout, which ``k8s-infra preview`` passes). What the policies know of the
declarations reaches both the same way: a policy config file made from the
declarations and from what each concern tells of its model (``settings``).

Named ``guardrails`` because "policy" already means IAM policies and S3
bucket-policy documents in this code.
"""
