"""A fake Google Directory + Groups Settings API server for tests and benchmarks."""

from tests.fake_google.server import FakeGoogle
from tests.fake_google.state import FakeGroup, FakeMember, Workspace

__all__ = ["FakeGoogle", "FakeGroup", "FakeMember", "Workspace"]
