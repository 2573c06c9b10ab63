"""Facts about VPC networking used by the DNS and NET rules."""

from __future__ import annotations

from typing import Any

from analyzer.model import kinds
from analyzer.model.graph import Model, fact
from analyzer.model.resource import Resource
from analyzer.values import Unknown, is_unknown


@fact(kinds.VPC, "private_dns_endpoints")
def private_dns_endpoints(model: Model, vpc: Resource) -> list[Resource]:
    """Interface endpoints in this VPC that rely on private DNS."""
    found = []
    for endpoint in model.of_kind(kinds.VPC_ENDPOINT):
        if model.attr(endpoint, "vpc") is not vpc:
            continue
        if endpoint.get("endpoint_type") == "Interface" and endpoint.get("private_dns_enabled") is True:
            found.append(endpoint)
    return found


@fact(kinds.VPC, "private_endpoint_clusters")
def private_endpoint_clusters(model: Model, vpc: Resource) -> Any:
    """Clusters in this VPC whose API server is reached through the private endpoint."""
    clusters = []
    for cluster in model.attr(vpc, "clusters"):
        private = cluster.get("endpoint_private_access")
        if is_unknown(private):
            return Unknown(f"endpoint_private_access of {cluster.address} is unknown")
        if private is True:
            clusters.append(cluster)
    return clusters
