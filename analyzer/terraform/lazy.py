"""Objects whose attributes are evaluated on demand: resource instances, nested blocks,
module outputs and the ``var``/``local``/``module``/``data`` namespaces.

Evaluating an attribute only when something reads it keeps evaluation fast and avoids
false cycles: ``aws_vpc.main.id`` never evaluates the VPC's own arguments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from analyzer.terraform.sets import TfSet
from analyzer.values import EachOf, Ref, TypedArn, Unknown


class LazyObject:
    """An object value whose attributes are computed when read."""

    def get_attr(self, name: str) -> Any:
        raise NotImplementedError

    def get_index(self, key: Any) -> Any:
        return self.get_attr(str(key))

    def keys(self) -> list[str]:
        """The attribute names known without evaluating anything."""
        return []

    def items(self) -> Iterator[tuple[str, Any]]:
        for key in self.keys():
            yield key, self.get_attr(key)

    def describe(self) -> str:
        return type(self).__name__


class UnknownInstances(Unknown):
    """A resource or module whose count/for_each is unknown: one stand-in instance.

    Indexing it (``aws_x.y[0]``) gives that stand-in, so attribute references still
    point at the one block the loader produced; anything else sees an Unknown.
    """

    def __init__(self, reason: str, origin, instance: Any) -> None:
        super().__init__(reason, origin)
        object.__setattr__(self, "instance", instance)


def extend_ref(ref: Ref, key: Any) -> Ref:
    """``Ref(x, "vpc_config")`` indexed by 0 then ``.id`` -> ``Ref(x, "vpc_config.0.id")``."""
    attribute = f"{ref.attribute}.{key}" if ref.attribute else str(key)
    return Ref(
        reason=f"{ref.target}.{attribute} is known only after apply",
        origin=ref.origin,
        target=ref.target,
        attribute=attribute,
    )


def make_ref(target: str, attribute: str, origin=None, *, data_source: bool = False) -> Ref:
    when = "known only after the data source is read" if data_source else "known only after apply"
    reason = f"{target}.{attribute} is {when}"
    if data_source and (attribute, _data_type(target)) in _TYPED_ARNS:
        types = _TYPED_ARNS[attribute, _data_type(target)]
        return TypedArn(reason, origin, target=target, attribute=attribute, resource_types=types)
    return Ref(reason=reason, origin=origin, target=target, attribute=attribute)


# Data source attributes known to be ARNs of some IAM resource types. issuer_arn is the role
# of an assumed-role session, else the caller's own ARN (a user, the account root or a
# federated user): never an instance profile, which no caller authenticates as.
_TYPED_ARNS = {("issuer_arn", "aws_iam_session_context"): ("role", "user", "root", "federated-user")}


def _data_type(target: str) -> str:
    """``module.eks.data.aws_iam_session_context.current[0]`` -> ``aws_iam_session_context``."""
    found = _DATA_TYPE.findall(target)
    return found[-1] if found else ""


_DATA_TYPE = re.compile(r"(?:^|[.#])data\.([A-Za-z0-9_-]+)\.")


def materialize(value: Any, depth: int = 0) -> Any:
    """Replace every LazyObject inside ``value`` by a plain dict (deep)."""
    if depth > 64:
        return Unknown("value nested too deeply")
    if isinstance(value, LazyObject):
        return {key: materialize(item, depth + 1) for key, item in value.items()}
    if isinstance(value, dict):
        return {key: materialize(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        items = [materialize(item, depth + 1) for item in value]
        if isinstance(value, EachOf):
            return value.like(items)
        return TfSet(items) if isinstance(value, TfSet) else items
    return value


def shallow_dict(value: Any) -> Any:
    """One level of a LazyObject as a dict (its attribute values stay as they are)."""
    if isinstance(value, LazyObject):
        return dict(value.items())
    return value
