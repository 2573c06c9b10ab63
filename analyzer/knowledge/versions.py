"""Kubernetes version support on EKS (standard, extended, ended) and the version EKS picks by default.

The dates live in ``eks_versions.json`` (one file, refreshed from the EKS release calendar).
A minor version has 14 months of standard support, then 12 of extended support; after that
EKS no longer creates clusters or node groups of it and upgrades existing clusters itself.
A version older than the oldest listed ended extended support before the table's dates; a
version newer than the newest listed is taken to be in standard support.
"""

from __future__ import annotations

import datetime
from typing import Any

from analyzer.engine.predicates import predicate
from analyzer.knowledge.ami import k8s_version_text
from analyzer.knowledge.eks_calendar import default_version_floor, support_table
from analyzer.model import kinds
from analyzer.model.graph import Model
from analyzer.model.resource import Resource
from analyzer.userdata import ami
from analyzer.values import Unknown

STANDARD, EXTENDED, ENDED = "standard support", "extended support", "end of support"


__all__ = ["default_version_floor", "support_status", "support_table", "version_support"]


def today() -> datetime.date:
    return datetime.date.today()


def support_status(version: tuple[int, int], on: datetime.date) -> dict[str, Any]:
    """{status, until} of ``version`` on date ``on``."""
    table = {ami.parse_k8s_version(k): v for k, v in support_table()["versions"].items()}
    if version in table:
        dates = {k: datetime.date.fromisoformat(v) for k, v in table[version].items()}
        if on <= dates["end_of_standard_support"]:
            return {"status": STANDARD, "until": dates["end_of_standard_support"].isoformat()}
        if on <= dates["end_of_extended_support"]:
            return {"status": EXTENDED, "until": dates["end_of_extended_support"].isoformat()}
        return {"status": ENDED, "until": dates["end_of_extended_support"].isoformat()}
    if version > max(table):
        return {"status": STANDARD, "until": None}
    oldest = min(table)
    ended = table[oldest]["end_of_extended_support"]
    return {"status": ENDED, "until": f"before {ended}"}


def _written_version(model: Model, subject: Resource) -> Any:
    """The version the subject asks for: a cluster's ``version``; a node group's ``version``
    or ``release_version`` (a node group without either follows its cluster, checked there)."""
    if subject.kind == kinds.CLUSTER:
        return subject.get("version")
    own = subject.get("version")
    if own is not None:
        return own
    release = subject.get("release_version")
    if isinstance(release, str) and ami.parse_k8s_version(release):
        major, minor = ami.parse_k8s_version(release)
        return f"{major}.{minor}"
    return release


@predicate("versions.support")
def version_support(model: Model, subject: Any) -> Any:
    """{version, status, until} for the subject's Kubernetes version, None when it sets none
    (EKS then picks its current default, which is supported), Unknown when unresolved."""
    if not isinstance(subject, Resource):
        return None
    written = _written_version(model, subject)
    if written is None:
        return None
    text = k8s_version_text(written)
    parsed = ami.parse_k8s_version(text) if isinstance(text, str) else None
    if parsed is None:
        reason = getattr(written, "reason", None) or f"{written!r} is not a Kubernetes version"
        return Unknown(f"the Kubernetes version of {subject.address} is not known ({reason})")
    return {"version": text, **support_status(parsed, today())}
