"""What eksjoin knows about AWS, EKS and the tools: registered facts and predicates."""

from analyzer.knowledge import iam, network, nodes  # noqa: F401  (registration)
