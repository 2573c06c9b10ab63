"""Real templates from the shared corpus (skipped when the corpus is absent)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from analyzer.cloudformation import SsmParameter, load_template, sniff_template
from analyzer.cloudformation.decode import decode_template_file
from analyzer.cloudformation.equality import same_value
from analyzer.diagnostics import PARSE_ERROR
from analyzer.values import Encoded, PartialStr

SUFFIXES = (".yaml", ".yml", ".json", ".template")


def candidate_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))


def test_every_corpus_template_loads(corpus: Path) -> None:
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    elapsed = 0.0
    for path in candidate_files(corpus):
        display = str(path.relative_to(corpus))
        decoded = decode_template_file(path, display)
        if decoded.document is not None and not sniff_template(decoded.document):
            continue  # eksctl, Kubernetes or nodeadm YAML: not CloudFormation
        started = time.perf_counter()
        template = load_template(path, display=display, key=display)
        elapsed += time.perf_counter() - started
        counts["decoded" if decoded.document is not None else "not decoded"] += 1
        counts["resources"] += len(template.resources)
        for problem in template.diagnostics:
            assert problem.location.path == display and problem.location.line >= 1
            reasons[f"{problem.code} {problem.severity}"] += 1
        if decoded.document is not None:
            # what decodes evaluates cleanly: only repeated-key warnings and macro notes
            assert all(d.severity in ("warning", "info") for d in template.diagnostics), template.diagnostics
            assert not any("not supported" in d.message or "neither" in d.message for d in template.diagnostics), (
                template.diagnostics
            )
    print(f"\ncorpus CloudFormation sweep: {dict(counts)}, diagnostics {dict(reasons)}, load time {elapsed:.3f}s")
    assert counts["decoded"] >= 60 and counts["resources"] >= 500
    assert elapsed < 10


def test_eks_sample_yaml_and_json_agree(corpus: Path) -> None:
    folder = corpus / "aws-cloudformation__aws-cloudformation-templates" / "EKS"
    if not folder.is_dir():
        pytest.skip("the EKS sample is not in the corpus")
    from_yaml = load_template(folder / "template.yaml", display="template.yaml", key="eks")
    from_json = load_template(folder / "template.json", display="template.json", key="eks")
    assert from_yaml.diagnostics == [] and from_json.diagnostics == []
    assert len(from_yaml.resources) == len(from_json.resources) > 30
    for left, right in zip(from_yaml.resources, from_json.resources, strict=True):
        assert (left.logical_id, left.type, left.key) == (right.logical_id, right.type, right.key)
        assert same_value(left.properties, right.properties), left.logical_id
        assert set(left.locations) == set(right.locations), left.logical_id
    assert same_value(from_yaml.parameters, from_json.parameters)
    cluster = next(r for r in from_yaml.resources if r.type == "AWS::EKS::Cluster")
    assert cluster.locations["ResourcesVpcConfig.SubnetIds.0"].path == "template.yaml"


def test_eksctl_generated_templates_load(corpus: Path) -> None:
    files = sorted((corpus / "eksctl-io__eksctl" / "pkg").glob("**/testdata/**/*.json"))
    if not files:
        pytest.skip("the eksctl templates are not in the corpus")
    for path in files:
        template = load_template(path, display=path.name, key=path.stem)
        assert template.diagnostics == [], (path, template.diagnostics)
        assert template.resources, path
    assert len(files) >= 20


def test_go_templated_corpus_file_is_a_parse_error(corpus: Path) -> None:
    path = corpus / "aws__aws-k8s-tester/internal/deployers/eksapi/templates" / "unmanaged-nodegroup.yaml.template"
    if not path.is_file():
        pytest.skip("the templated node group is not in the corpus")
    template = load_template(path, display="unmanaged-nodegroup.yaml.template", key="ng")
    (problem,) = template.diagnostics
    assert problem.code == PARSE_ERROR and problem.location.line > 1
    assert "text-template directives" in problem.message


def test_self_managed_node_template_values(corpus: Path) -> None:
    path = corpus / "awslabs__amazon-eks-ami" / "amazon-eks-nodegroup.yaml"
    if not path.is_file():
        pytest.skip("the node group template is not in the corpus")
    template = load_template(path, display="amazon-eks-nodegroup.yaml", key="ng", parameters={"ClusterName": "demo"})
    launch_template = next(r for r in template.resources if r.type == "AWS::EC2::LaunchTemplate")
    data = launch_template.properties["LaunchTemplateData"]
    assert isinstance(data["ImageId"], SsmParameter)
    assert "/amazon-linux-2/" in data["ImageId"].path
    user_data = data["UserData"]
    assert isinstance(user_data, Encoded) and isinstance(user_data.inner, PartialStr)
    assert "/etc/eks/bootstrap.sh demo" in user_data.inner.text()
