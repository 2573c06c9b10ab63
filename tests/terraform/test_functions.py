"""Built-in functions: one table row per behaviour, known values first, then unknowns."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json

import pytest

from analyzer.terraform.errors import EvalError
from analyzer.terraform.functions import supported_functions
from analyzer.values import Encoded, PartialStr, Ref, Unknown

KNOWN_RESULTS = [
    # encoding
    ('base64encode("hello")', "aGVsbG8="),
    ('base64decode("aGVsbG8=")', "hello"),
    ('base64decode(base64encode("round trip"))', "round trip"),
    ('jsonencode({b = [1, true, null], a = "x<y"})', '{"a":"x\\u003cy","b":[1,true,null]}'),
    ('jsondecode("{\\"a\\": [1, 2.5, \\"x\\"]}")', {"a": [1, 2.5, "x"]}),
    ('yamlencode({a = 1, b = ["x"]})', "a: 1\nb:\n- x\n"),
    ('yamldecode("a: 1\\nb: [x, y]\\n")', {"a": 1, "b": ["x", "y"]}),
    ('csvdecode("a,b\\n1,2\\n")', [{"a": "1", "b": "2"}]),
    ('urlencode("a b&c")', "a%20b%26c"),
    ('md5("abc")', hashlib.md5(b"abc").hexdigest()),
    ('sha1("abc")', hashlib.sha1(b"abc").hexdigest()),
    ('sha256("abc")', hashlib.sha256(b"abc").hexdigest()),
    ('sha512("abc")', hashlib.sha512(b"abc").hexdigest()),
    ('base64sha256("abc")', base64.b64encode(hashlib.sha256(b"abc").digest()).decode()),
    # strings
    ('format("%s-%03d-%.2f-%t-%q-%v", "a", 7, 3.14159, true, "q", 5)', 'a-007-3.14-true-"q"-5'),
    ('format("%5s|%-5s|%%", "ab", "cd")', "   ab|cd   |%"),
    ('formatlist("%s=%s", ["a", "b"], "v")', ["a=v", "b=v"]),
    ('formatlist("%s-%s", ["a", "b"], ["1", "2"])', ["a-1", "b-2"]),
    ('join(", ", ["a", "b"], ["c"])', "a, b, c"),
    ('join("-", [])', ""),
    ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
    ('split(",", "")', [""]),
    ('replace("a-b-c", "-", "_")', "a_b_c"),
    ('replace("hello world", "/o(\\\\w)?/", "0$1")', "hell0 w0rld"),
    ('replace("abc", "/(?P<x>b)/", "[$${x}]")', "a[b]c"),
    ('lower("AbC")', "abc"),
    ('upper("AbC")', "ABC"),
    ('title("hello world-wide")', "Hello World-Wide"),
    ('chomp("line\\n\\n")', "line"),
    ('chomp("a\\r\\n")', "a"),
    ('trim("?!hello?!", "!?")', "hello"),
    ('trimspace("  \\n x y \\t")', "x y"),
    ('trimprefix("helloworld", "hello")', "world"),
    ('trimprefix("helloworld", "x")', "helloworld"),
    ('trimsuffix("helloworld", "world")', "hello"),
    ('substr("hello world", 1, 4)', "ello"),
    ('substr("hello", -3, -1)', "llo"),
    ('strrev("abc")', "cba"),
    ('indent(2, "a\\nb\\n")', "a\n  b\n  "),
    ('startswith("hello", "he")', True),
    ('endswith("hello", "he")', False),
    ('strcontains("hello", "ll")', True),
    ('regex("^(\\\\d+)-(\\\\w+)$", "12-ab")', ["12", "ab"]),
    ('regex("(?P<n>\\\\d+)", "ab12")', {"n": "12"}),
    ('regex("[a-z]+", "12abc3")', "abc"),
    ('regexall("\\\\d", "a1b2")', ["1", "2"]),
    ("tostring(12)", "12"),
    ("tostring(null)", None),
    ('tonumber("4.50")', 4.5),
    ('tonumber("3")', 3),
    ('tobool("true")', True),
    # collections
    ("concat([1], [2, 3], [])", [1, 2, 3]),
    ("merge({a = 1, b = 2}, null, {b = 3})", {"a": 1, "b": 3}),
    ('lookup({a = 1}, "a", 0)', 1),
    ('lookup({a = 1}, "b", 0)', 0),
    ('element(["a", "b", "c"], 4)', "b"),
    ("flatten([[1, [2]], 3, []])", [1, 2, 3]),
    ('distinct([1, 2, 1, "1"])', [1, 2, "1"]),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ('coalesce(null, "", "x", "y")', "x"),
    ('coalescelist([], ["a"], ["b"])', ["a"]),
    ('contains(["a", "b"], "b")', True),
    ('contains(["a"], "c")', False),
    ("keys({b = 1, a = 2})", ["a", "b"]),
    ("values({b = 1, a = 2})", [2, 1]),
    ("length([1, 2, 3])", 3),
    ("length({a = 1})", 1),
    ('length("héllo")', 5),
    ('tolist(["a"])', ["a"]),
    ('toset(["b", "a", "b"])', ["a", "b"]),
    ('tomap({a = "x"})', {"a": "x"}),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('slice(["a", "b", "c", "d"], 1, 3)', ["b", "c"]),
    ("range(3)", [0, 1, 2]),
    ("range(1, 7, 2)", [1, 3, 5]),
    ("range(3, 0)", [3, 2, 1]),
    ("one([])", None),
    ('one(["x"])', "x"),
    ('alltrue([true, "true"])', True),
    ("alltrue([])", True),
    ("anytrue([false, true])", True),
    ("anytrue([])", False),
    ('sort(["b", "a", "c"])', ["a", "b", "c"]),
    ("reverse([1, 2, 3])", [3, 2, 1]),
    ('setunion(["a", "b"], ["b", "c"])', ["a", "b", "c"]),
    ('setintersection(["a", "b"], ["b", "c"])', ["b"]),
    ('setsubtract(["a", "b", "c"], ["b"])', ["a", "c"]),
    ('setproduct(["a"], [1, 2])', [["a", 1], ["a", 2]]),
    ("sum([1, 2, 3.5])", 6.5),
    ('transpose({a = ["1", "2"], b = ["2"]})', {"1": ["a"], "2": ["a", "b"]}),
    ('index(["a", "b"], "b")', 1),
    ('chunklist(["a", "b", "c"], 2)', [["a", "b"], ["c"]]),
    ('matchkeys(["i-1", "i-2", "i-3"], ["a", "b", "a"], ["a"])', ["i-1", "i-3"]),
    ('nonsensitive("x")', "x"),
    ('sensitive("x")', "x"),
    # numbers
    ("min(3, 1, 2)", 1),
    ("max(3, 1, 2)", 3),
    ("abs(-2.5)", 2.5),
    ("ceil(1.2)", 2),
    ("floor(-1.2)", -2),
    ("pow(2, 10)", 1024),
    ("signum(-4)", -1),
    ('parseint("ff", 16)', 255),
    # network
    ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
    ('cidrsubnet("10.0.0.0/16", 4, 1)', "10.0.16.0/20"),
    ('cidrsubnet("fd00::/56", 8, 3)', "fd00:0:0:3::/64"),
    ('cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)', ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]),
    ('cidrhost("10.12.112.0/20", 16)', "10.12.112.16"),
    ('cidrhost("10.12.112.0/20", -2)', "10.12.127.254"),
    ('cidrhost("172.20.0.0/16", 10)', "172.20.0.10"),
    ('cidrnetmask("172.16.0.0/12")', "255.240.0.0"),
    # paths
    ('basename("a/b/c.txt")', "c.txt"),
    ('dirname("a/b/c.txt")', "a/b"),
    # try and can
    ('try(local_map.missing, "fallback")', "fallback"),
    ('try(local_map.present, "fallback")', 1),
    ("can(local_map.missing)", False),
    ('can(regex("^a", "abc"))', True),
]


@pytest.mark.parametrize("expression, expected", KNOWN_RESULTS, ids=[row[0][:40] for row in KNOWN_RESULTS])
def test_known_arguments_give_terraform_results(ev, expression, expected):
    assert ev(expression, {"local_map": {"present": 1}}) == expected


def test_base64gzip_is_gzip_of_the_text(ev):
    encoded = ev('base64gzip("compress me")')
    assert gzip.decompress(base64.b64decode(encoded)).decode() == "compress me"


def test_jsonencode_output_is_valid_json(ev):
    assert json.loads(ev('jsonencode({list = [1, 2], nested = {k = "v"}})')) == {"list": [1, 2], "nested": {"k": "v"}}


ERRORS = [
    'lookup({a = 1}, "b")',
    "element([], 0)",
    'one(["a", "b"])',
    'coalesce(null, "")',
    'regex("x", "abc")',
    'index(["a"], "z")',
    "slice([1, 2], 1, 5)",
    'jsondecode("{oops")',
    'base64decode("%%%")',
    'cidrsubnet("10.0.0.0/30", 4, 1)',
    'tonumber("abc")',
    'zipmap(["a"], [1, 2])',
]


@pytest.mark.parametrize("expression", ERRORS)
def test_invalid_arguments_raise_an_evaluation_error(ev, expression):
    with pytest.raises(EvalError):
        ev(expression)


def test_regular_expressions_match_in_linear_time(ev):
    # A backtracking engine takes seconds on this pattern (about x1.6 per character); RE2 does not.
    text = "a" * 5000 + "!"
    assert ev(f'replace("{text}", "/(a|aa)+$/", "")') == text
    assert ev(f'regexall("(a|aa)+$", "{text}")') == []


def test_backreferences_are_not_terraform_syntax(ev):
    with pytest.raises(EvalError, match="invalid regular expression"):
        ev('regex("(a)\\\\1", "aa")')


def test_an_unsupported_function_is_unknown_naming_it(ev):
    value = ev("frobnicate(1)")
    assert isinstance(value, Unknown)
    assert value.reason == "function frobnicate() is not supported"
    provider_function = ev('provider::aws::arn_parse("x")')
    assert provider_function.reason == "function provider::aws::arn_parse() is not supported"


def test_every_function_the_brief_names_is_registered():
    names = [
        "base64encode",
        "base64decode",
        "base64gzip",
        "templatefile",
        "file",
        "filebase64",
        "fileexists",
        "jsonencode",
        "jsondecode",
        "yamlencode",
        "yamldecode",
        "format",
        "formatlist",
        "join",
        "split",
        "replace",
        "lower",
        "upper",
        "title",
        "chomp",
        "trim",
        "trimspace",
        "trimprefix",
        "trimsuffix",
        "substr",
        "concat",
        "merge",
        "lookup",
        "element",
        "flatten",
        "distinct",
        "compact",
        "coalesce",
        "coalescelist",
        "contains",
        "keys",
        "values",
        "length",
        "tolist",
        "toset",
        "tomap",
        "tostring",
        "tonumber",
        "tobool",
        "zipmap",
        "slice",
        "range",
        "cidrsubnet",
        "cidrsubnets",
        "cidrhost",
        "one",
        "alltrue",
        "anytrue",
        "startswith",
        "endswith",
        "regex",
        "regexall",
        "sort",
        "min",
        "max",
        "abs",
        "ceil",
        "floor",
        "reverse",
        "setunion",
        "setintersection",
        "setsubtract",
        "sum",
        "transpose",
        "index",
        "strrev",
        "indent",
        "chunklist",
        "matchkeys",
        "nonsensitive",
        "sensitive",
        "md5",
        "sha256",
    ]
    missing = set(names) - set(supported_functions()) - {"try", "can"}
    assert not missing


# --- unknown arguments ------------------------------------------------------------------

HOLE = Unknown("var.x has no value")
ARN = Ref(reason="aws_iam_role.node.arn is known only after apply", target="aws_iam_role.node", attribute="arn")


def _reason(value):
    return value.reason if isinstance(value, (Unknown, PartialStr, Encoded)) else None


STRICT_UNKNOWN = [
    "lower(x)",
    "upper(x)",
    'split(",", x)',
    'replace(x, "a", "b")',
    "substr(x, 0, 1)",
    "concat(x, [1])",
    "keys(x)",
    "values(x)",
    "sort(x)",
    "cidrsubnet(x, 8, 1)",
    'cidrhost("10.0.0.0/16", x)',
    "min(1, x)",
    "tonumber(x)",
    'regex("a", x)',
    "distinct(x)",
    "flatten(x)",
    "slice(x, 0, 1)",
    "md5(x)",
    'startswith(x, "a")',
    "merge({a = 1}, x)",
    'lookup(x, "k", 1)',
    "element(x, 0)",
    'contains(x, "a")',
    "length(x)",
    "zipmap(x, [1])",
    "jsondecode(x)",
    "yamldecode(x)",
    "base64decode(x)",
    "format(x, 1)",
    'join(",", x)',
    "sum(x)",
]


@pytest.mark.parametrize("expression", STRICT_UNKNOWN)
def test_unknown_arguments_give_unknown_with_their_reason(ev, expression):
    value = ev(expression, {"x": HOLE})
    assert isinstance(value, Unknown)
    assert value.reason == "var.x has no value"


UNKNOWN_AWARE = [
    ('join(",", ["a", x])', PartialStr(("a,", HOLE))),
    ('format("arn:%s:iam", x)', PartialStr(("arn:", HOLE, ":iam"))),
    ('formatlist("%s!", ["a", x])', ["a!", PartialStr((HOLE, "!"))]),
    ('length(["a", x, arn])', 3),
    ("length({a = x})", 1),
    ("keys({b = x, a = 1})", ["a", "b"]),
    ('concat([x], ["b"])', [HOLE, "b"]),
    ('flatten([[arn], ["a"]])', [ARN, "a"]),
    ('coalesce(null, arn, "b")', ARN),
    ('coalesce("a", x)', "a"),
    ('lookup({k = arn}, "k")', ARN),
    ("element([arn], 0)", ARN),
    ("one([arn])", ARN),
    ("tostring(arn)", ARN),
    ('contains(["a", x], "a")', True),
    ("alltrue([false, x])", False),
    ("anytrue([true, x])", True),
    ('compact(["", arn])', [ARN]),
    ("merge({a = x}, {b = 1})", {"a": HOLE, "b": 1}),
    ("base64decode(base64encode(x))", HOLE),
    ('trimspace(join("", [" a", x, "b \\n"]))', PartialStr(("a", HOLE, "b"))),
    ('chomp(join("", [x, "\\n"]))', HOLE),
    ('try(arn, "fallback")', ARN),
    ("nonsensitive(arn)", ARN),
]


@pytest.mark.parametrize("expression, expected", UNKNOWN_AWARE, ids=[row[0] for row in UNKNOWN_AWARE])
def test_functions_keep_what_is_known_around_unknowns(ev, expression, expected):
    assert ev(expression, {"x": HOLE, "arn": ARN}) == expected


def test_base64encode_of_a_partial_string_is_encoded_not_lost(ev):
    value = ev('base64encode("#!/bin/bash\\n/etc/eks/bootstrap.sh ${x}")', {"x": HOLE})
    assert isinstance(value, Encoded) and value.encoding == "base64"
    assert value.inner == PartialStr(("#!/bin/bash\n/etc/eks/bootstrap.sh ", HOLE))
    gzipped = ev("base64gzip(x)", {"x": HOLE})
    assert gzipped == Encoded("base64gzip", HOLE)


def test_jsonencode_with_holes_is_a_partial_string_whose_holes_are_the_unknowns(ev):
    value = ev('jsonencode({Statement = [{Effect = "Allow", Resource = arn}]})', {"arn": ARN})
    assert isinstance(value, PartialStr)
    assert value.parts == ('{"Statement":[{"Effect":"Allow","Resource":"', ARN, '"}]}')


def test_yamlencode_with_holes_is_a_partial_string(ev):
    value = ev('yamlencode({rolearn = arn, groups = ["system:nodes"]})', {"arn": ARN})
    assert isinstance(value, PartialStr)
    assert value.holes == [ARN]
    assert value.text("X") == "groups:\n- system:nodes\nrolearn: X\n"


def test_decoders_keep_known_structure_of_partial_strings(ev):
    yaml_text = PartialStr(("mapRoles:\n  - rolearn: ", ARN, "\n    username: system:node\n"))
    assert ev("yamldecode(x)", {"x": yaml_text}) == {"mapRoles": [{"rolearn": ARN, "username": "system:node"}]}
    json_text = PartialStr(('{"cluster": {"name": "', HOLE, '-eks", "port": 443}}'))
    assert ev("jsondecode(x)", {"x": json_text}) == {"cluster": {"name": PartialStr((HOLE, "-eks")), "port": 443}}


def test_decoding_a_partial_string_that_is_not_parseable_is_unknown(ev):
    broken = PartialStr(('{"port": ', HOLE, "}"))
    assert isinstance(ev("jsondecode(x)", {"x": broken}), Unknown)


def test_not_static_functions_are_unknown(ev):
    assert ev("timestamp()").reason == "timestamp() is the time of apply"
    assert isinstance(ev("uuid()"), Unknown)


def test_try_returns_the_first_argument_without_error(ev):
    assert ev('try(m.a.b, m.c, "d")', {"m": {"c": "second"}}) == "second"
    assert ev("try(x, 1)", {"x": HOLE}) is HOLE
    with pytest.raises(EvalError):
        ev("try(m.a, m.b)", {"m": {}})


def test_can_of_an_unknown_value_is_unknown(ev):
    assert isinstance(ev("can(x)", {"x": HOLE}), Unknown)
    assert ev("can(arn)", {"arn": ARN}) is True


def test_lookup_in_an_empty_map_is_the_default_whatever_the_key(ev):
    # the vpc module's lookup(var.private_subnet_tags_per_az, element(var.azs, i), {})
    assert ev('lookup({}, x, {a = "1"})', {"x": HOLE}) == {"a": "1"}
    still = ev("lookup({k = 1}, x, 0)", {"x": HOLE})
    assert isinstance(still, Unknown) and still.reason == "var.x has no value"


ZONES = Ref(
    reason="data.aws_availability_zones.available.names is known only after the data source is read",
    target="data.aws_availability_zones.available",
    attribute="names",
)


def test_zones_of_a_slice_say_they_are_read_at_plan_time(ev):
    first, second = ev("slice(zones, 0, 2)", {"zones": ZONES})
    assert (first.target, first.attribute, second.attribute) == (
        "data.aws_availability_zones.available",
        "names.0",
        "names.1",
    )
    assert first.reason == (
        "data.aws_availability_zones.available.names.0 is the zone name at index 0 of the region, which AWS returns "
        "when Terraform reads the data source at plan time; the files do not say which zone it is"
    )
    assert "after apply" not in second.reason
