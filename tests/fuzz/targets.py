"""Fuzz targets: hypothesis strategies for each input eksjoin reads, and one runner.

Every target makes a file (eksctl, aws-auth, plan JSON, CloudFormation, Terraform, user
data inside Terraform, or a byte/token mutation of a seed from fixtures/) and analyses
it in-process the way ``eksjoin lint`` does, in strict mode, so that any defect raises.
An input that raises is an uncaught error; an input that takes over ``SLOW_S`` is slow.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
SLOW_S = 2.0

# --- seeds -------------------------------------------------------------------------


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


@cache
def seeds(kind: str) -> tuple[tuple[str, str], ...]:
    """(file name, text) of fixture files of one kind, in a fixed order."""
    found: list[tuple[str, str]] = []
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.name == "expected.yaml":
            continue
        text = _read(path)
        if (kind == "eksctl" and path.suffix == ".yaml" and "eksctl.io/" in text) or (
            kind == "aws_auth" and path.suffix == ".yaml" and "aws-auth" in text and "kind: ConfigMap" in text
        ):
            found.append((path.name, text))
        elif kind == "plan" and path.name.endswith(".json") and '"planned_values"' in text:
            found.append(("plan.json", text))
        elif kind == "cloudformation" and "/cloudformation/" in str(path) and path.suffix in (".yaml", ".json"):
            if "Resources" in text and "AWSTemplateFormatVersion" in text:
                found.append(("template.json", _template_as_json(text)))
        elif kind == "terraform" and path.suffix == ".tf":
            found.append(("main.tf", text))
    return tuple(found[:: max(1, len(found) // 60)])  # spread over the rules


def _template_as_json(text: str) -> str:
    """A template as JSON (short-form intrinsics such as !Ref become their long form)."""
    from analyzer.cloudformation.decode import decode_template_text

    document = decode_template_text(text, "template").document
    return json.dumps(document, default=str) if isinstance(document, dict) else "{}"


@cache
def _documents(kind: str) -> list[tuple[str, Any]]:
    """The seeds of ``kind`` parsed, once per run (each input copies before it changes one)."""
    loaded = []
    for name, text in seeds(kind):
        try:
            data = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError):
            continue
        if isinstance(data, dict):
            loaded.append((name, data))
    return loaded


# --- strategies --------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
    | st.sampled_from(["", "true", "1.30", "${X}", "<ami>", "0.0.0.0/0", "arn:aws:iam::1:role/r", "us-west-2"])
)
KEYS = st.text(st.characters(exclude_categories=("Cs",)), max_size=10) | st.sampled_from(
    ["name", "iam", "Key", "Value", "Ref", "id", "subnets", "Type"]
)
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3), max_leaves=8
)

INTRINSIC_NAMES = [
    "Ref",
    "Fn::Sub",
    "Fn::If",
    "Fn::Join",
    "Fn::Select",
    "Fn::GetAtt",
    "Fn::Base64",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::GetAZs",
    "Fn::ImportValue",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::Cidr",
    "Fn::Length",
    "Fn::ToJsonString",
    "Condition",
]
CFN_INTRINSICS = st.recursive(
    JSON_VALUES | st.sampled_from(["AWS::Region", "AWS::NoValue", "Vpc", "${AWS::StackName}-x", "${Missing}"]),
    lambda inner: st.builds(lambda name, arg: {name: arg}, st.sampled_from(INTRINSIC_NAMES), inner | st.lists(inner)),
    max_leaves=6,
)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path into ``data`` (mapping keys and list positions)."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _replace(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    copied = json.loads(json.dumps(data, default=str))
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return copied


@st.composite
def type_confused(draw: Any, kind: str, values: Any = JSON_VALUES) -> tuple[str, str]:
    """A seed document of ``kind`` with one to three values replaced by values of any type."""
    documents = _documents(kind)
    name, data = draw(st.sampled_from(documents))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)[1:] or [()]))
        data = _replace(data, path, draw(values))
    if name.endswith(".json"):
        return name, json.dumps(data, default=str)
    return name, yaml.safe_dump(data, sort_keys=False)


TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@st.composite
def mutated(draw: Any) -> tuple[str, bytes]:
    """A seed file of any kind with its bytes or tokens deleted, repeated, swapped or changed."""
    kind = draw(st.sampled_from(["eksctl", "aws_auth", "plan", "cloudformation", "terraform"]))
    name, text = draw(st.sampled_from(seeds(kind)))
    if draw(st.booleans()):
        data = bytearray(text.encode("utf-8", "surrogateescape"))
        for _ in range(draw(st.integers(1, 8))):
            if not data:
                break
            at = draw(st.integers(0, len(data) - 1))
            operation = draw(st.sampled_from(["flip", "delete", "insert", "repeat"]))
            if operation == "flip":
                data[at] = draw(st.integers(0, 255))
            elif operation == "delete":
                del data[at : at + draw(st.integers(1, 16))]
            elif operation == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=8))
            else:
                data[at:at] = data[at : at + draw(st.integers(1, 32))] * draw(st.integers(1, 4))
        return name, bytes(data)
    tokens = TOKENS.findall(text)
    for _ in range(draw(st.integers(1, 6))):
        if not tokens:
            break
        at = draw(st.integers(0, len(tokens) - 1))
        operation = draw(st.sampled_from(["delete", "repeat", "swap", "replace"]))
        if operation == "delete":
            del tokens[at]
        elif operation == "repeat":
            tokens[at:at] = [tokens[at]] * draw(st.integers(1, 3))
        elif operation == "swap":
            other = draw(st.integers(0, len(tokens) - 1))
            tokens[at], tokens[other] = tokens[other], tokens[at]
        else:
            tokens[at] = draw(st.sampled_from(["{", "}", "[", "]", '"', "${", "-", ":", "null", "0", "true", "!Ref"]))
    return name, "".join(tokens).encode("utf-8", "surrogateescape")


# Terraform expressions: literals, references, operators, calls of the function library,
# for expressions, conditionals, splats, indexes and templates.
FUNCTIONS = [
    "length",
    "lookup",
    "merge",
    "concat",
    "flatten",
    "join",
    "split",
    "replace",
    "format",
    "cidrsubnet",
    "cidrhost",
    "jsonencode",
    "jsondecode",
    "yamldecode",
    "base64encode",
    "base64decode",
    "tostring",
    "tonumber",
    "tolist",
    "toset",
    "tomap",
    "element",
    "coalesce",
    "try",
    "can",
    "keys",
    "values",
    "zipmap",
    "slice",
    "substr",
    "upper",
    "regex",
    "range",
    "templatefile",
    "file",
    "distinct",
    "contains",
    "one",
    "sum",
    "max",
    "urlencode",
    "trimspace",
    "indent",
]
HCL_ATOMS = st.sampled_from(
    [
        "1",
        "-1.5",
        "true",
        "null",
        '"a"',
        '"10.0.0.0/16"',
        '""',
        "var.x",
        "local.y",
        "aws_vpc.v.id",
        "aws_subnet.s[*].id",
        "data.aws_caller_identity.c.account_id",
        "count.index",
        "each.key",
        "path.module",
        "[]",
        "{}",
        '"${var.x}-b"',
        '"%{ for s in [1] }${s}%{ endfor }"',
        "module.m.out",
    ]
)


def _hcl_compound(inner: Any) -> Any:
    return st.one_of(
        st.builds(
            lambda a, op, b: f"({a} {op} {b})",
            inner,
            st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"]),
            inner,
        ),
        st.builds(lambda a: f"!{a}", inner),
        st.builds(lambda c, a, b: f"({c} ? {a} : {b})", inner, inner, inner),
        st.builds(lambda f, args: f"{f}({', '.join(args)})", st.sampled_from(FUNCTIONS), st.lists(inner, max_size=3)),
        st.builds(lambda items: f"[{', '.join(items)}]", st.lists(inner, max_size=3)),
        st.builds(
            lambda pairs: "{" + ", ".join(f"k{i} = {v}" for i, v in enumerate(pairs)) + "}", st.lists(inner, max_size=3)
        ),
        st.builds(lambda a, b: f"[for x in {a} : {b}]", inner, inner),
        st.builds(lambda a, b: f"{{for k, v in {a} : k => {b}}}", inner, inner),
        st.builds(lambda a, i: f"{a}[{i}]", inner, inner),
        st.builds(lambda a: f"{a}[*].id", inner),
    )


HCL_EXPRESSIONS = st.recursive(HCL_ATOMS, _hcl_compound, max_leaves=10)

TERRAFORM_TEMPLATE = """
variable "x" {{
  default = {variable}
}}
locals {{
  y = {local}
}}
resource "aws_vpc" "v" {{
  cidr_block           = {cidr}
  enable_dns_support   = {dns}
  enable_dns_hostnames = true
}}
resource "aws_subnet" "s" {{
  count      = 2
  vpc_id     = aws_vpc.v.id
  cidr_block = cidrsubnet(aws_vpc.v.cidr_block, 8, count.index)
  tags       = {tags}
}}
resource "aws_eks_cluster" "c" {{
  name     = "c"
  role_arn = "arn:aws:iam::1:role/c"
  vpc_config {{
    subnet_ids = aws_subnet.s[*].id
  }}
}}
"""


@st.composite
def terraform_expressions(draw: Any) -> tuple[str, str]:
    slots = {name: draw(HCL_EXPRESSIONS) for name in ("variable", "local", "cidr", "dns", "tags")}
    return "main.tf", TERRAFORM_TEMPLATE.format(**slots)


USER_DATA_PIECES = st.sampled_from(
    [
        "#!/bin/bash\n/etc/eks/bootstrap.sh c --kubelet-extra-args '--node-labels=a=b'\n",
        "#!/bin/bash\nset -e\nB64=x\n/etc/eks/bootstrap.sh ${CLUSTER} --b64-cluster-ca $B64 --apiserver-endpoint $E\n",
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/x-shellscript\n\necho\n--B--\n',
        "---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: c\n",
        '[settings.kubernetes]\ncluster-name = "c"\napi-server = "https://x"\n',
        "#cloud-config\nruncmd:\n  - [/etc/eks/bootstrap.sh, c]\n",
        "<powershell>\n& $EKSBootstrapScriptFile -EKSClusterName c\n</powershell>\n",
        "H4sIAAAAAAAA",
    ]
)
USER_DATA = st.lists(
    USER_DATA_PIECES | st.text(st.characters(exclude_categories=("Cs",)), max_size=40), min_size=1, max_size=4
).map("".join)

USER_DATA_TEMPLATE = """
resource "aws_launch_template" "lt" {{
  image_id  = "ami-1"
  user_data = {encode}({text})
}}
resource "aws_eks_node_group" "ng" {{
  cluster_name  = "c"
  node_role_arn = "arn:aws:iam::1:role/n"
  subnet_ids    = ["subnet-1"]
  launch_template {{
    id      = aws_launch_template.lt.id
    version = "$Latest"
  }}
  scaling_config {{
    desired_size = 1
    max_size     = 1
    min_size     = 1
  }}
}}
"""


def _hcl_string(text: str) -> str:
    """``text`` as an HCL quoted string with no interpolation."""
    return json.dumps(text).replace("${", "$${").replace("%{", "%%{")


@st.composite
def user_data(draw: Any) -> tuple[str, str]:
    encode = draw(st.sampled_from(["base64encode", "tostring"]))
    return "main.tf", USER_DATA_TEMPLATE.format(encode=encode, text=_hcl_string(draw(USER_DATA)))


# --- targets and the runner --------------------------------------------------------

TARGETS: dict[str, Callable[[], Any]] = {
    "eksctl": lambda: type_confused("eksctl"),
    "aws_auth": lambda: type_confused("aws_auth"),
    "plan": lambda: type_confused("plan"),
    "cloudformation": lambda: type_confused("cloudformation", JSON_VALUES | CFN_INTRINSICS),
    "terraform_expressions": terraform_expressions,
    "user_data": user_data,
    "mutation": mutated,
}


@dataclass
class Report:
    target: str
    inputs: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (traceback's last line, the input)
    slowest_s: float = 0.0
    slowest_input: str = ""
    slow: int = 0  # inputs over SLOW_S
    slow_inputs: list[tuple[float, str]] = field(default_factory=list)  # the first few, with their time

    def line(self) -> str:
        return (
            f"{self.target}: {self.inputs} inputs, {len(self.errors)} uncaught error(s), "
            f"slowest {self.slowest_s:.2f} s, {self.slow} over {SLOW_S:g} s"
        )


@lru_cache(maxsize=1)
def _rules() -> list:
    from analyzer.engine.catalogue import load_catalogue

    return load_catalogue()


def analyse_text(folder: Path, name: str, content: str | bytes) -> None:
    """Lint one file in ``folder`` (emptied first) as the command line would, in-process, without
    the result cache: every input is analysed afresh, and its time is its own (with the cache on,
    each run also wrote an entry and scanned the whole cache to bound it, which grew with the run)."""
    from analyzer.pipeline import Options, analyze

    for old in folder.iterdir():
        old.unlink()
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogateescape")
    analyze([folder], _rules(), Options(offline=True, cache=False))


class Recorder:
    """Receives each failing, slow and new slowest input the moment it is met, so that a run
    stopped early keeps what it found. The default keeps nothing beyond the report."""

    def start(self, name: str, content: str | bytes) -> None:
        """An input is about to run (a run stopped in it knows which input it was)."""

    def error(self, index: int, trace: str, name: str, content: str | bytes) -> None:
        """The ``index``-th uncaught error: its whole traceback and the input as written."""

    def slow(self, index: int, elapsed: float, content: str) -> None:
        """The ``index``-th input over ``SLOW_S``."""

    def slowest(self, elapsed: float, content: str) -> None:
        """A new slowest input."""


def run_target(
    target: str,
    count: int,
    *,
    derandomize: bool = False,
    seed: int | None = None,
    progress: Callable[[Report], None] | None = None,
    every: int = 500,
    recorder: Recorder | None = None,
) -> Report:
    """Run ``count`` inputs of ``target``; an error is recorded, not raised, so the run goes on.
    ``progress`` is called with the report so far after every ``every`` inputs; ``recorder``
    is told of each failing, slow and new slowest input as it happens."""
    recorder = recorder or Recorder()
    os.environ["EKSJOIN_STRICT"] = "1"
    os.environ.setdefault("EKSJOIN_OFFLINE", "1")
    report = Report(target)
    folder = Path(tempfile.mkdtemp(prefix=f"eksjoin-fuzz-{target}-"))
    (folder / ".git").mkdir()  # the folder is the repository boundary
    work = folder / "in"
    work.mkdir()
    for kind in ("eksctl", "cloudformation", "terraform"):  # imports and caches are not the inputs' time
        name, text = seeds(kind)[0]
        analyse_text(work, name, text)

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(TARGETS[target]())
    def one(example: tuple[str, Any]) -> None:
        name, content = example
        recorder.start(name, content)
        started = time.process_time()  # CPU time: the machine may be shared with other work
        try:
            analyse_text(work, name, content)
        except Exception:  # recorded: the report lists every uncaught error
            trace = traceback.format_exc().strip()
            recorder.error(len(report.errors), trace, name, content)
            report.errors.append((trace.splitlines()[-1], _shown(content)))
        elapsed = time.process_time() - started
        report.inputs += 1
        if elapsed > report.slowest_s:
            report.slowest_s, report.slowest_input = elapsed, _shown(content)
            recorder.slowest(elapsed, _shown(content))
        if elapsed > SLOW_S:
            report.slow += 1
            if len(report.slow_inputs) < 20:
                recorder.slow(len(report.slow_inputs), elapsed, _shown(content))
                report.slow_inputs.append((elapsed, _shown(content)))
        if progress is not None and report.inputs % every == 0:
            progress(report)

    if seed is not None:
        from hypothesis import seed as with_seed

        one = with_seed(seed)(one)
    one()
    return report


def _shown(content: str | bytes) -> str:
    return content if isinstance(content, str) else content.decode("utf-8", "backslashreplace")
