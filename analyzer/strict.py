"""Strict mode: an internal error raises instead of degrading to an unknown value or a
"could not evaluate" finding.

Users get a run that continues past a defect in eksjoin; the test suite sets
``EKSJOIN_STRICT=1`` (tests/conftest.py) so that the same defect fails a test instead of
hiding behind an unknown outcome.
"""

from __future__ import annotations

import os

ENVIRONMENT_VARIABLE = "EKSJOIN_STRICT"


def strict() -> bool:
    return os.environ.get(ENVIRONMENT_VARIABLE, "") not in ("", "0")
