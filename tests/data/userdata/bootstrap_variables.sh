#!/bin/bash
set -o xtrace
set -euo pipefail
# Join the cluster. (This comment mentions /etc/eks/bootstrap.sh but runs nothing.)
CLUSTER_NAME=prod-cluster
export API_ENDPOINT="https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com"
B64_CA='LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t'
EXTRA="--dns-cluster-ip 172.20.0.10 --use-max-pods false"
LABELS="node.kubernetes.io/role=worker,team=payments"

yum install -y amazon-ssm-agent && systemctl enable amazon-ssm-agent || true

if [ -x /etc/eks/bootstrap.sh ]; then
  exec /etc/eks/bootstrap.sh "${CLUSTER_NAME}" \
    --apiserver-endpoint $API_ENDPOINT \
    --b64-cluster-ca "$B64_CA" \
    $EXTRA \
    --kubelet-extra-args "--node-labels=${LABELS} --max-pods=58" \
    --container-runtime containerd   # containerd is the only runtime from 1.24
fi
