"""The ``Conditions`` section, decided with three-valued logic.

A condition is True, False, or an Unknown when it depends on something not known before
deployment (a pseudo parameter, a parameter without default, ...). ``Fn::And`` is False as
soon as one operand is False, ``Fn::Or`` True as soon as one is True; otherwise an unknown
operand makes the result unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from analyzer.cloudformation.equality import comparable, same_value
from analyzer.values import Unknown, describe

if TYPE_CHECKING:
    from analyzer.cloudformation.evaluator import Evaluator

Decision = Any  # True | False | Unknown


class ConditionTable:
    """Decides named conditions once each, in any order they are asked for."""

    def __init__(self, section: Any, evaluator: Evaluator) -> None:
        # Keys go through str(): YAML reads a condition named Yes or On as a boolean, and
        # references to it read the same way, so both sides agree.
        self._section = {str(k): v for k, v in section.items()} if isinstance(section, dict) else {}
        self._evaluator = evaluator
        self._decided: dict[str, Decision] = {}
        self._deciding: set[str] = set()
        self._operators: dict[str, Callable[[Any, Any], Decision]] = {
            "Fn::Equals": self._equals,
            "Fn::And": self._and,
            "Fn::Or": self._or,
            "Fn::Not": self._not,
            "Condition": self._named,
        }

    def decide_all(self) -> dict[str, Decision]:
        return {name: self.decide(name, self._section) for name in self._section}

    def decide(self, name: Any, used_at: Any) -> Decision:
        """The decision for condition ``name``; ``used_at`` is the node naming it."""
        if isinstance(name, (bool, int, float)):
            name = str(name)
        if not isinstance(name, str):
            return self._evaluator.fail(used_at, "a condition name must be a string")
        if name in self._decided:
            return self._decided[name]
        if name not in self._section:
            return self._evaluator.fail(used_at, f"condition {name} is not defined in Conditions")
        if name in self._deciding:
            return self._evaluator.fail(used_at, f"condition {name} depends on itself")
        self._deciding.add(name)
        decision = self.expression(self._section[name])
        self._deciding.discard(name)
        if isinstance(decision, Unknown):
            decision = Unknown(f"condition {name} cannot be decided: {decision.reason}", decision.origin)
        self._decided[name] = decision
        return decision

    def expression(self, node: Any) -> Decision:
        if isinstance(node, bool):
            return node
        if isinstance(node, dict) and len(node) == 1:
            operator, operand = next(iter(node.items()))
            handler = self._operators.get(operator)
            if handler is not None:
                return handler(operand, node)
        return self._evaluator.fail(node, "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")

    def _equals(self, operand: Any, node: Any) -> Decision:
        if not isinstance(operand, list) or len(operand) != 2:
            return self._evaluator.fail(node, "Fn::Equals takes a list of two values")
        left, right = (self._evaluator.value(item) for item in operand)
        left_text, right_text = comparable(left), comparable(right)
        if left_text is not None and right_text is not None:
            return left_text == right_text
        if same_value(left, right):
            return True
        return Unknown(f"it compares {_operand(left)} with {_operand(right)}", self._evaluator.location(node))

    def _and(self, operand: Any, node: Any) -> Decision:
        decisions = self._operands(operand, node, "Fn::And")
        if any(decision is False for decision in decisions):
            return False
        return _first_unknown_or(decisions, True)

    def _or(self, operand: Any, node: Any) -> Decision:
        decisions = self._operands(operand, node, "Fn::Or")
        if any(decision is True for decision in decisions):
            return True
        return _first_unknown_or(decisions, False)

    def _not(self, operand: Any, node: Any) -> Decision:
        if isinstance(operand, list) and len(operand) == 1:
            operand = operand[0]
        decision = self.expression(operand)
        return (not decision) if isinstance(decision, bool) else decision

    def _named(self, operand: Any, node: Any) -> Decision:
        return self.decide(operand, node)

    def _operands(self, operand: Any, node: Any, operator: str) -> list[Decision]:
        if not isinstance(operand, list) or not operand:
            return [self._evaluator.fail(node, f"{operator} takes a list of conditions")]
        return [self.expression(item) for item in operand]


def _first_unknown_or(decisions: list[Decision], otherwise: bool) -> Decision:
    for decision in decisions:
        if not isinstance(decision, bool):
            return decision
    return otherwise


def _operand(value: Any) -> str:
    """An operand of a comparison as a message says it: an unknown one by its reason."""
    if isinstance(value, Unknown):
        return f"a value that is not known ({value.reason})"
    return describe(value)
