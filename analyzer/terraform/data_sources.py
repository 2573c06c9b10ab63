"""Data sources whose attributes follow from their arguments before anything is read.

``data.aws_ec2_instance_type`` describes one instance type: its ``maximum_network_cards`` is a
fact of the type, the same in every Region and account, taken from the bundled instance-type
table (``analyzer/knowledge/ec2_instance_types.json``, refreshed by
``scripts/refresh_ec2_instance_types.py``). terraform-aws-modules/eks builds one EFA network
interface per card from it. A type the table does not list stays unknown.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent.parent / "knowledge" / "ec2_instance_types.json"


@lru_cache(maxsize=1)
def network_cards() -> dict[str, int]:
    return dict(json.loads(TABLE.read_text(encoding="utf-8")).get("network_cards", {}))


def _maximum_network_cards(arguments: Callable[[str], Any]) -> int | None:
    instance_type = arguments("instance_type")
    return network_cards().get(instance_type) if isinstance(instance_type, str) else None


# (data source type, attribute) -> how it follows from the arguments (None: not known)
_KNOWN: dict[tuple[str, str], Callable[[Callable[[str], Any]], Any]] = {
    ("aws_ec2_instance_type", "maximum_network_cards"): _maximum_network_cards,
}


def known_attribute(data_type: str, attribute: str, arguments: Callable[[str], Any]) -> Any:
    """The value of a data source attribute its arguments decide, or None. ``arguments(name)``
    evaluates one argument of the block (None when it is not set)."""
    rule = _KNOWN.get((data_type, attribute))
    return rule(arguments) if rule is not None else None
