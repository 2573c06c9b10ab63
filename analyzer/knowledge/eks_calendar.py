"""The EKS version calendar as data (``eks_versions.json``): support dates per Kubernetes
version, and the oldest version EKS picks for a cluster that sets none. No facts here, so
both the AMI facts and the version-support rule can read it."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from analyzer.userdata import ami


@lru_cache(maxsize=1)
def support_table() -> dict[str, Any]:
    return json.loads(resources.files("analyzer.knowledge").joinpath("eks_versions.json").read_text())


def default_version_floor() -> tuple[int, int]:
    """The oldest version EKS (and eksctl) could pick today for a cluster that sets none."""
    return ami.parse_k8s_version(support_table()["default_version_at_least"])
