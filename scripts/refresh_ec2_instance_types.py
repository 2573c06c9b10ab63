"""Refresh analyzer/knowledge/ec2_instance_types.json from cfn-lint's EC2 data and, optionally,
from EC2's own description of each instance type.

cfn-lint ships the instance types offered in each Region, generated from the EC2 pricing data
(cfnlint/data/schemas/extensions/aws_ec2_instance/instancetype_enum.json): the type names
(EKS-AMI-007). The number of network cards of a type (what ``data.aws_ec2_instance_type``'s
``maximum_network_cards`` reads, and the EFA network interfaces of terraform-aws-modules/eks are
made from) comes from ``aws ec2 describe-instance-types --output json`` of one or more Regions:

    aws ec2 describe-instance-types --region us-east-1 --output json > us-east-1.json
    python scripts/refresh_ec2_instance_types.py --describe-instance-types us-east-1.json ...

Without ``--describe-instance-types`` the network cards already in the file are kept.
"""

from __future__ import annotations

import argparse
import datetime
import json
from importlib import metadata, resources
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "analyzer" / "knowledge" / "ec2_instance_types.json"
SOURCE = ("cfnlint.data.schemas.extensions.aws_ec2_instance", "instancetype_enum.json")


def instance_types() -> set[str]:
    by_region = json.loads(resources.files(SOURCE[0]).joinpath(SOURCE[1]).read_text())
    types: set[str] = set()
    for value in by_region.values():
        if isinstance(value, dict):
            types.update(value.get("enum", []))
    return types


def network_cards(descriptions: list[Path]) -> dict[str, int]:
    """Type -> NetworkInfo.MaximumNetworkCards from describe-instance-types outputs."""
    cards: dict[str, int] = {}
    for path in descriptions:
        for described in json.loads(path.read_text()).get("InstanceTypes", []):
            count = (described.get("NetworkInfo") or {}).get("MaximumNetworkCards")
            if isinstance(count, int) and count > 0:
                cards[described["InstanceType"]] = count
    return cards


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--describe-instance-types", type=Path, nargs="+", default=[], metavar="FILE")
    args = parser.parse_args()
    previous = json.loads(TARGET.read_text()) if TARGET.exists() else {}
    types = instance_types()
    data = {
        "_about": "EC2 instance types offered in any Region; regenerate with scripts/refresh_ec2_instance_types.py",
        "source": f"cfn-lint {metadata.version('cfn-lint')} instancetype_enum.json (from EC2 pricing data)",
        "as_of": datetime.date.today().isoformat(),
        "types": sorted(types),
    }
    if args.describe_instance_types:
        cards = network_cards(args.describe_instance_types)
        source = "EC2 DescribeInstanceTypes NetworkInfo.MaximumNetworkCards"
        source += f" ({', '.join(p.name for p in args.describe_instance_types)}, {data['as_of']})"
    else:
        cards, source = previous.get("network_cards", {}), previous.get("network_cards_source", "")
    if cards:
        data["network_cards_source"] = source
        data["network_cards"] = {name: cards[name] for name in sorted(cards)}
    TARGET.write_text(json.dumps(data, indent=0) + "\n")
    print(f"{len(types)} instance types, {len(cards)} with their network cards, written to {TARGET}")


if __name__ == "__main__":
    main()
