"""What eksjoin knows about AWS, EKS and the tools: registered facts and predicates."""

from analyzer.knowledge import ami, iam, network, nodes, userdata  # noqa: F401  (registration)
from analyzer.knowledge import security_groups, sg_requirements  # noqa: F401  (registration)
from analyzer.knowledge import auth, cluster, tags  # noqa: F401  (registration)
from analyzer.knowledge import addressing, dhcp, egress, endpoints, nacl, routing  # noqa: F401
