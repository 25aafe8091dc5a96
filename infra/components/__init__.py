"""Pulumi components, one per concept. They take models and register resources."""
