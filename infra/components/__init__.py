"""Pulumi building blocks shared by several concerns (a protected project, its APIs).

``groups/provider.py`` stays here only so that group resources pickled into
state by that module path keep loading.
"""
