"""The stand-in Pulumi CLI for the commands that drive the real engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.engines.stand_in import StandIn, install


@pytest.fixture
def stand_in(tmp_path: Path) -> Callable[..., StandIn]:
    """``stand_in(**settings)``: a stand-in `pulumi` first on PATH (see tests/engines)."""

    def make(**settings: Any) -> StandIn:
        return install(tmp_path, **settings)

    return make
