"""Typed, validated, immutable models loaded from the declarations.

Nothing here imports Pulumi: validation runs without it, and the components
receive these objects ready to use.
"""
