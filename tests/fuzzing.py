"""How long the fuzz tests look: a bounded number of cases in `make test`, many more in
`make fuzz` (TAVOLO_LONG=1), where the long variants of the slow tests run too."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

LONG = os.environ.get("TAVOLO_LONG") == "1"


def budget(quick: int, long: int) -> Callable[[Any], Any]:
    """Hypothesis settings for `quick` cases, or `long` under `make fuzz`. Without a
    deadline: a case's time depends on pandoc and on the machine, not on the code; and
    under `make fuzz` without the suite's time limit per test, which thousands of cases
    through the web pages exceed on a busy machine."""
    chosen = settings(
        max_examples=long if LONG else quick,
        deadline=None,
        # One workshop and one logged-in client serve all the cases of a test.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )

    def apply(test: Any) -> Any:
        test = chosen(test)
        return pytest.mark.timeout(0)(test) if LONG else test

    return apply
