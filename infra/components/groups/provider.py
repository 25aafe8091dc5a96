"""State written before the move pickled the groups provider by this module path:
it stays importable so that those resources can still be updated and deleted.

The provider is looked up only when unpickling asks for it (a module
``__getattr__``): an alias for old state must not make the shared building
blocks of ``infra/components/`` depend on a concern.
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> the module that defines it now
_MOVED = {"GroupProvider": "infra.groups.provider"}


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MOVED[name]), name)
