"""What a reviewer reads about a change: leaf-level diffs, dangers, allowances, pictures
and the PR summary, rendered from the planner's plans and their comparison.

The planner (``infra.planner``) only plans and compares; everything shown to
people about a change is made here, escaped for where it lands.
"""
