"""Problems met while loading input: they become findings, and the run goes on."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.location import Location

# Loader finding IDs live outside the EKS-* catalogue: they are about the input, not the cluster.
PARSE_ERROR = "LOAD-001"  # the file is not valid HCL / YAML / JSON
UNREADABLE = "LOAD-002"  # binary, too large, not UTF-8, unreadable, alias bomb
OUTSIDE_ROOT = "LOAD-003"  # a path (symlink, templatefile, file()) escapes the scanned root
INVALID_CONFIG = "LOAD-004"  # parses, but violates its schema (eksctl ClusterConfig, ...)
EVALUATION = "LOAD-005"  # evaluation problem: cycle, unsupported construct, bad module source
MODULE_NOT_LOADED = "LOAD-006"  # a registry, git or archive module whose code could not be fetched


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: Location
    severity: str = "warning"  # error | warning | info
    fix: str = ""


# Findings about the run itself: nothing was checked, so a green result would mean nothing.
NO_INPUT = "RUN-001"  # no Terraform, CloudFormation, eksctl, plan or aws-auth file under the paths
NOTHING_DECIDED = "RUN-002"  # files were read, but no check passed or failed on them

# Every finding ID that is not a catalogue rule, with its title: reporters describe these too.
TITLES = {
    PARSE_ERROR: "File could not be parsed",
    UNREADABLE: "File was not analyzed",
    OUTSIDE_ROOT: "Path outside the scanned root was not read",
    INVALID_CONFIG: "Configuration does not match its schema",
    EVALUATION: "Configuration could not be fully evaluated",
    "LOAD-006": "Module could not be loaded",
    NO_INPUT: "No infrastructure-as-code file was found",
    NOTHING_DECIDED: "No check could be decided",
    "SUP-001": "An ignore has expired",
    "SUP-002": "An ignore hides no finding",
    "SUP-003": "An ignore is malformed",
}

HELP = {
    PARSE_ERROR: "Fix the syntax error at the reported line; eksjoin checks nothing in a file it cannot parse.",
    UNREADABLE: "Make the file UTF-8 text under the size limit, or exclude it in .eksjoin.yaml.",
    OUTSIDE_ROOT: "Keep referenced files inside the repository, or widen the boundary with --root.",
    INVALID_CONFIG: "Correct the configuration so that it matches the tool's schema.",
    EVALUATION: "Give the missing values (--var, --var-file, --cfn-param) or lint plan JSON.",
    NO_INPUT: "Point eksjoin at the folder that holds the Terraform, CloudFormation or eksctl files.",
    NOTHING_DECIDED: "Lint the folders that declare the EKS cluster and its node groups, or give the values "
    "that leave the checks unknown.",
    "SUP-001": "Fix what the ignore hid, or renew the ignore with a later expiry and a reason.",
    "SUP-002": "Delete the ignore; the rule no longer reports anything there.",
    "SUP-003": "Write it as `eksjoin:ignore EKS-XXX-NNN[,EKS-YYY] [exp:YYYY-MM-DD] -- reason`.",
}
