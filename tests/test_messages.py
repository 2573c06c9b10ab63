"""Messages read as sentences: what a finding says about a value that is empty or unknown."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES

from analyzer.engine.catalogue import load_catalogue
from analyzer.knowledge.ami import image_source
from analyzer.model.graph import Model
from analyzer.pipeline import analyze


def test_an_empty_ami_id_is_called_so():
    assert image_source(Model(), "")["description"] == "an empty AMI ID"
    assert image_source(Model(), "ami-0abc")["description"] == "AMI ami-0abc"
    case = FIXTURES / "EKS-AMI-001" / "cloudformation" / "fail_empty_image_id"
    rules = [rule for rule in load_catalogue() if rule.id == "EKS-AMI-001"]
    [finding] = analyze([Path(case)], rules).findings
    assert finding.message.startswith("NodeGroup runs an empty AMI ID, which eksjoin cannot recognise")
