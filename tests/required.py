"""What a test does when a service or tool it needs is absent.

CI runs on a machine that has them all, so there their absence is a failure; on a
developer's machine without them the test is skipped, with the reason.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(reason: str) -> NoReturn:
    """Fail with ``reason`` when ``CI=true``; skip with it elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required when CI=true)")
    pytest.skip(reason)
