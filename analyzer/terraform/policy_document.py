"""``data "aws_iam_policy_document"``: the one data source evaluated into its result.

Its ``json`` attribute is the IAM policy built from the statement blocks (jsonencode
semantics; a PartialStr when parts are unknown), so roles and policies that use it can be
checked like those written inline.
"""

from __future__ import annotations

from typing import Any

from analyzer.terraform.functions.encoding import jsondecode, jsonencode
from analyzer.terraform.lazy import materialize
from analyzer.terraform.operations import derived_unknown
from analyzer.terraform.views import BodyView, ResourceView
from analyzer.values import Unknown, is_unknown

POLICY_DOCUMENT_TYPE = "aws_iam_policy_document"
COMPUTED_ATTRIBUTES = ("json", "minified_json")

_LIST_FIELDS = (
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


class PolicyDocumentView(ResourceView):
    def keys(self) -> list[str]:
        return super().keys() + [name for name in COMPUTED_ATTRIBUTES if name not in self.body.attributes]

    def get_attr(self, name: str) -> Any:
        if name in COMPUTED_ATTRIBUTES:
            return self.instance.root.once(
                ("policy", self.target), f"{self.target}.json", self.location, lambda: jsonencode(self.document())
            )
        return super().get_attr(name)

    def document(self) -> dict[str, Any]:
        statements = self._inherited_statements("source_policy_documents")
        own = self.nested("statement")
        if isinstance(own, Unknown):
            return {"Version": self._version(), "Statement": own}
        for block in own:
            _merge_statement(statements, _statement(block))
        for override in self._inherited_statements("override_policy_documents"):
            _merge_statement(statements, override, replace=True)
        document: dict[str, Any] = {"Version": self._version()}
        policy_id = self._optional("policy_id")
        if policy_id is not None:
            document["Id"] = policy_id
        document["Statement"] = statements
        return document

    def _version(self) -> Any:
        version = self._optional("version")
        return "2012-10-17" if version is None else version

    def _optional(self, name: str) -> Any:
        return materialize(self.attribute(name)) if name in self.body.attributes else None

    def _inherited_statements(self, name: str) -> list[Any]:
        documents = self._optional(name)
        if not isinstance(documents, list):
            return [] if documents is None else [derived_unknown(documents)]
        statements: list[Any] = []
        for text in documents:
            decoded = jsondecode(text) if isinstance(text, str) or is_unknown(text) else None
            if isinstance(decoded, dict) and isinstance(decoded.get("Statement"), list):
                statements.extend(decoded["Statement"])
            elif isinstance(decoded, dict) and isinstance(decoded.get("Statement"), dict):
                statements.append(decoded["Statement"])
            elif is_unknown(decoded):
                statements.append(derived_unknown(decoded))
        return statements


def _merge_statement(statements: list[Any], statement: Any, replace: bool = False) -> None:
    sid = statement.get("Sid") if isinstance(statement, dict) else None
    if isinstance(sid, str) and sid:
        for position, existing in enumerate(statements):
            if isinstance(existing, dict) and existing.get("Sid") == sid:
                statements[position] = statement
                return
    statements.append(statement)


def _value(block: BodyView, name: str) -> Any:
    return materialize(block.attribute(name)) if name in block.body.attributes else None


def _simplify(values: Any) -> Any:
    """The provider writes a single-element list as a plain string."""
    if isinstance(values, list) and len(values) == 1:
        return values[0]
    return values


def _statement(block: BodyView) -> dict[str, Any]:
    statement: dict[str, Any] = {}
    sid = _value(block, "sid")
    if sid is not None and not (isinstance(sid, str) and sid == ""):
        statement["Sid"] = sid
    effect = _value(block, "effect")
    statement["Effect"] = "Allow" if effect is None else effect
    for field, key in _LIST_FIELDS:
        values = _value(block, field)
        if values is not None and values != []:
            statement[key] = _simplify(values)
    for field, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(block, field)
        if principals is not None:
            statement[key] = principals
    conditions = _conditions(block)
    if conditions is not None:
        statement["Condition"] = conditions
    return statement


def _principals(block: BodyView, field: str) -> Any:
    if field not in block.block_types():
        return None
    blocks = block.nested(field)
    if isinstance(blocks, Unknown):
        return blocks
    merged: dict[str, Any] = {}
    for principal in blocks:
        kind = _value(principal, "type")
        identifiers = _value(principal, "identifiers")
        if is_unknown(kind):
            return derived_unknown(kind)
        if kind == "*":
            return "*"
        current = merged.setdefault(str(kind), [])
        if isinstance(identifiers, list):
            current.extend(identifiers)
        elif identifiers is not None:
            merged[str(kind)] = identifiers
    return {kind: _simplify(ids) if isinstance(ids, list) else ids for kind, ids in merged.items()}


def _conditions(block: BodyView) -> Any:
    if "condition" not in block.block_types():
        return None
    blocks = block.nested("condition")
    if isinstance(blocks, Unknown):
        return blocks
    conditions: dict[str, Any] = {}
    for condition in blocks:
        test, variable = _value(condition, "test"), _value(condition, "variable")
        values = _simplify(_value(condition, "values"))
        if is_unknown(test) or is_unknown(variable):
            return derived_unknown(test, variable)
        conditions.setdefault(str(test), {})[str(variable)] = values
    return conditions
