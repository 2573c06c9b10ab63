"""What eksjoin knows about AWS, EKS and the tools: registered facts and predicates."""

from analyzer.knowledge import ami, iam, network, nodes, userdata  # noqa: F401  (registration)
