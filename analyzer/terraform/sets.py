"""Terraform sets, kept apart from lists only where the difference shows.

A set behaves like a list everywhere in the value domain (it *is* a list), except when it is
iterated: ``for_each``, ``dynamic`` blocks and ``for`` expressions give a set element as
both key and value, where a list gives its index as the key.
"""

from __future__ import annotations


class TfSet(list):
    """A list that came from ``toset()`` or a ``set(...)`` type conversion."""
