"""The offline planner: the real program, run under the SDK's mock monitor.

It records every resource with its inputs and options, as a plan other
tools can read (docs/approver/commands.md gives the JSON shape), and compares two plans.
"""
