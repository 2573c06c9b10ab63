"""Attributes that follow from a block's own arguments before anything is read or applied.

* ``data.aws_ec2_instance_type``'s ``maximum_network_cards`` is a fact of the instance type, the
  same in every Region and account, taken from the bundled instance-type table
  (``analyzer/knowledge/ec2_instance_types.json``, refreshed by
  ``scripts/refresh_ec2_instance_types.py``); terraform-aws-modules/eks builds one EFA network
  interface per card from it. A type the table does not list stays unknown.
* ``aws_eks_cluster``'s ``id`` is the cluster's name (the provider sets one from the other), so
  a tag ``kubernetes.io/cluster/${aws_eks_cluster.this.id}`` names the cluster it is written for.
* ``data.aws_subnets`` / ``data.aws_subnet_ids`` with a ``subnet-id`` filter find some of the
  subnets that filter lists (every filter must match): ``ids`` is a collection of unknown length
  whose every element is one of them (terraform-aws-modules/eks v20 keeps the subnets of a node
  group's placement group in the instance type's zones this way).

* ``random_string``'s ``result`` (and ``id``) is ``length`` characters from the letters, digits
  and special characters its arguments allow (``special = false``: letters and digits), so a
  cluster named ``education-eks-${random_string.suffix.result}`` has a valid name whatever the
  characters are.

Besides, some attributes are known to be non-empty strings whatever their value
(``never_empty``): a ``data "aws_ami"`` that reads finds one AMI, whose ID is ``ami-...``.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer.terraform.lazy import LazyObject
from analyzer.values import EachOf, OneOf, PartialStr, Ref, Unknown

TABLE = Path(__file__).resolve().parent.parent / "knowledge" / "ec2_instance_types.json"


@lru_cache(maxsize=1)
def network_cards() -> dict[str, int]:
    return dict(json.loads(TABLE.read_text(encoding="utf-8")).get("network_cards", {}))


def _maximum_network_cards(arguments: Callable[[str], Any]) -> int | None:
    instance_type = arguments("instance_type")
    return network_cards().get(instance_type) if isinstance(instance_type, str) else None


def _cluster_name(arguments: Callable[[str], Any]) -> Any:
    name = arguments("name")
    return name if isinstance(name, (str, PartialStr, Unknown)) and name != "" else None


def _subnets_among_filtered(arguments: Callable[[str], Any]) -> Any:
    filters = arguments("filter")
    if not isinstance(filters, list):
        return None
    for block in filters:
        if not isinstance(block, LazyObject) or block.get_attr("name") != "subnet-id":
            continue
        values = block.get_attr("values")
        if not isinstance(values, list) or not values:
            return None
        reason = "how many of the subnets its subnet-id filter lists the other filters keep is not known"
        if len(values) == 1:
            return EachOf(list(values), reason)
        one = OneOf("one of the subnets its subnet-id filter lists", candidates=tuple(values))
        return EachOf([one], reason)
    return None


@dataclass(frozen=True)
class CharacterSet:
    """The attribute is ``length`` characters from ``alphabet`` (which ones is not known)."""

    alphabet: frozenset[str]
    length: int


# the provider's default special characters (random_string, override_special unset)
_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"


def _random_string(arguments: Callable[[str], Any]) -> CharacterSet | None:
    length = arguments("length")
    if not isinstance(length, int) or isinstance(length, bool) or not 0 < length <= 4096:
        return None

    def allowed(name: str) -> bool:  # default true; an unknown flag may be true
        return arguments(name) is not False

    alphabet = ""
    if allowed("upper"):
        alphabet += string.ascii_uppercase
    if allowed("lower"):
        alphabet += string.ascii_lowercase
    if allowed("numeric"):  # a wider alphabet only makes fewer checks decide
        alphabet += string.digits
    if allowed("special"):
        override = arguments("override_special")
        if override is not None and not isinstance(override, str):
            return None
        alphabet += override if isinstance(override, str) else _SPECIAL
    return CharacterSet(frozenset(alphabet), length) if alphabet else None


# (block type, attribute) -> how it follows from the arguments (None: not known)
_DATA_SOURCES: dict[tuple[str, str], Callable[[Callable[[str], Any]], Any]] = {
    ("aws_ec2_instance_type", "maximum_network_cards"): _maximum_network_cards,
    ("aws_subnets", "ids"): _subnets_among_filtered,
    ("aws_subnet_ids", "ids"): _subnets_among_filtered,
}
_RESOURCES: dict[tuple[str, str], Callable[[Callable[[str], Any]], Any]] = {
    ("aws_eks_cluster", "id"): _cluster_name,
    ("random_string", "result"): _random_string,
    ("random_string", "id"): _random_string,
}


def known_attribute(block_type: str, attribute: str, arguments: Callable[[str], Any], *, data: bool) -> Any:
    """The value of an attribute the block's arguments decide, or None. ``arguments(name)``
    evaluates one argument of the block (None when it is not set). It may be an Unknown: the
    attribute is that argument, whose value is not known (the caller keeps its Ref, whose
    reason then names the argument's cause)."""
    rule = (_DATA_SOURCES if data else _RESOURCES).get((block_type, attribute))
    return rule(arguments) if rule is not None else None


# Attributes that are never null nor empty once read: (data source type, attribute)
_NEVER_EMPTY = {("aws_ami", "id"), ("aws_ami", "image_id")}
_DATA_TYPE = re.compile(r"(?:^|[.#])data\.([A-Za-z0-9_-]+)\.[^.]+$")


def never_empty(value: Any) -> bool:
    """True for a Ref to an attribute that is a non-empty string whenever it has a value."""
    if not isinstance(value, Ref):
        return False
    found = _DATA_TYPE.search(re.sub(r"\[[^\]]*\]$", "", value.target))
    return found is not None and (found.group(1), value.attribute) in _NEVER_EMPTY
