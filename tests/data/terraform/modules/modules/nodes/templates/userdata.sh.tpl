#!/bin/bash
set -o errexit
/etc/eks/bootstrap.sh ${cluster_name} \
  --kubelet-extra-args '--node-labels=%{ for k, v in labels ~}${k}=${v},%{ endfor ~}managed=terraform'
