"""eksctl ClusterConfig: schema validation, eksctl's defaults and what it refuses."""
