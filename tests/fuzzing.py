"""How long the fuzz tests look: a bounded number of cases in `make test`, many more in
`make fuzz` (TAVOLO_LONG=1), where the long variants of the slow tests run too."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG = os.environ.get("TAVOLO_LONG") == "1"


def budget(quick: int, long: int) -> settings:
    """Hypothesis settings for `quick` cases, or `long` under `make fuzz`. Without a
    deadline: a case's time depends on pandoc and on the machine, not on the code."""
    return settings(
        max_examples=long if LONG else quick,
        deadline=None,
        # One workshop and one logged-in client serve all the cases of a test.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
