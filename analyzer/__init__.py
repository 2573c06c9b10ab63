"""eksjoin: find why EKS worker nodes will not join, before deployment."""

__version__ = "0.1.0"
