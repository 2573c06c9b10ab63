"""What eksjoin knows about AWS, EKS and the tools: registered facts and predicates."""

from analyzer.knowledge import (  # noqa: F401  (registration)  # noqa: F401  (registration)  # noqa: F401  (registration)  # noqa: F401
    addressing,
    ami,
    auth,
    cluster,
    cni_identity,
    compute,
    dhcp,
    egress,
    endpoints,
    iam,
    labels,
    nacl,
    network,
    nodes,
    routing,
    security_groups,
    sg_requirements,
    tags,
    userdata,
    versions,
)
