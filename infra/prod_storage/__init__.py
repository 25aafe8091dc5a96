"""The production artifact buckets and accounts (component `prod-storage`)."""
