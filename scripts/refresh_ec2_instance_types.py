"""Refresh analyzer/knowledge/ec2_instance_types.json (EKS-AMI-007) from cfn-lint's EC2 data.

cfn-lint ships the instance types offered in each Region, generated from the EC2 pricing data
(cfnlint/data/schemas/extensions/aws_ec2_instance/instancetype_enum.json). Upgrade cfn-lint,
then run: python scripts/refresh_ec2_instance_types.py
"""

from __future__ import annotations

import datetime
import json
from importlib import metadata, resources
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "analyzer" / "knowledge" / "ec2_instance_types.json"
SOURCE = ("cfnlint.data.schemas.extensions.aws_ec2_instance", "instancetype_enum.json")


def main() -> None:
    by_region = json.loads(resources.files(SOURCE[0]).joinpath(SOURCE[1]).read_text())
    types: set[str] = set()
    for value in by_region.values():
        if isinstance(value, dict):
            types.update(value.get("enum", []))
    data = {
        "_about": "EC2 instance types offered in any Region; regenerate with scripts/refresh_ec2_instance_types.py",
        "source": f"cfn-lint {metadata.version('cfn-lint')} instancetype_enum.json (from EC2 pricing data)",
        "as_of": datetime.date.today().isoformat(),
        "types": sorted(types),
    }
    TARGET.write_text(json.dumps(data, indent=0) + "\n")
    print(f"{len(types)} instance types written to {TARGET}")


if __name__ == "__main__":
    main()
