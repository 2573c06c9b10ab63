"""Errors raised while evaluating one expression."""

from __future__ import annotations


class EvalError(Exception):
    """An expression Terraform itself would reject (missing key, wrong type, ...).

    ``try()`` and ``can()`` catch it, as Terraform does; anywhere else it stops at the
    expression boundary and the value becomes an Unknown that carries the message.
    """
