"""The expression evaluator: literals, operators, templates, for expressions, splats."""

from __future__ import annotations

import pytest

from analyzer.diagnostics import EVALUATION
from analyzer.terraform.budgets import MAX_COLLECTION_VALUES, MAX_STRING_CHARS, MAX_YAML_NODES, OverBudget
from analyzer.terraform.errors import EvalError
from analyzer.terraform.expressions import Scope, evaluate_safely
from analyzer.terraform.parsing import parse_expression
from analyzer.values import PartialStr, Ref, Unknown, first_unknown

HOLE = Unknown("var.x has no value")
SUBNET_A = Ref(reason="", target="aws_subnet.a", attribute="id")

CASES = [
    # literals and arithmetic with Terraform's number semantics
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 / 4", 2.5),
    ("10 / 5", 2),
    ("7 % 3", 1),
    ("-3 + 1", -2),
    ('"5" + 1', 6),
    ("1.5e3", 1500),
    ("2 > 1 && 1 >= 1 && 1 < 2 && 2 <= 2", True),
    ("!true || false", False),
    ('1 == 1.0 && "a" != "b"', True),
    ('1 == "1"', False),
    ("[1, [2]] == [1, [2]]", True),
    ("{a = 1} == {a = 1, b = 2}", False),
    ("null == null", True),
    ('true ? "yes" : "no"', "yes"),
    ('"false" ? 1 : 2', 2),
    # collections, indexing, attributes
    ('{a = 1, "b-c" = 2, (k) = 3}', {"a": 1, "b-c": 2, "key": 3}),
    ("{for = 1, in = 2}", {"for": 1, "in": 2}),
    ("[1, 2, 3][1]", 2),
    ("{a = {b = [10, 20]}}.a.b[1]", 20),
    ("l.0", "first"),
    ('m["x y"]', 1),
    # strings and templates
    ('"a\\tb\\n\\"q\\" \\u00e9"', 'a\tb\n"q" é'),
    ('"${k}-${1 + 1}-${true}"', "key-2-true"),
    ('"$${not} %%{literal}"', "${not} %{literal}"),
    ('"%{ if k == "key" }yes%{ else }no%{ endif }"', "yes"),
    ('"%{ for i, v in l }${i}=${v};%{ endfor }"', "0=first;1=second;"),
    ('"${l}"', ["first", "second"]),
    ('"a %{~ if true ~} b %{~ endif ~} c"', "abc"),
    # for expressions
    ("[for v in l : upper(v)]", ["FIRST", "SECOND"]),
    ('[for i, v in l : i if v != "first"]', [1]),
    ("{for k, v in m : v => k}", {"1": "x y"}),
    ('{for s in ["a", "bb", "cc"] : length(s) => s...}', {"1": ["a"], "2": ["bb", "cc"]}),
    ("[for k, v in {b = 2, a = 1} : k]", ["a", "b"]),
    ('[for x in toset(["b", "a"]) : x]', ["a", "b"]),
    # splats
    ("objs[*].id", ["i-1", "i-2"]),
    ("objs.*.id", ["i-1", "i-2"]),
    ("objs.*.id[1]", "i-2"),
    ("objs[*].tags.Name", ["one", "two"]),
    ("single[*].id", ["i-9"]),
    ("nothing[*].id", []),
]

BINDINGS = {
    "k": "key",
    "l": ["first", "second"],
    "m": {"x y": 1},
    "objs": [{"id": "i-1", "tags": {"Name": "one"}}, {"id": "i-2", "tags": {"Name": "two"}}],
    "single": {"id": "i-9"},
    "nothing": None,
}


@pytest.mark.parametrize("expression, expected", CASES, ids=[c[0] for c in CASES])
def test_expressions_evaluate_like_terraform(ev, expression, expected):
    assert ev(expression, BINDINGS) == expected


def test_heredocs_keep_text_and_interpolate(ev):
    text = "x = <<EOT\n  hello ${k}\n  $${kept}\nEOT\n"
    assert ev(text.split("= ", 1)[1], BINDINGS) == "  hello key\n  ${kept}\n"


def test_flush_heredoc_removes_common_indentation(ev):
    expression = "<<-EOT\n    apiVersion: v1\n      nested: ${k}\n\n    end\n    EOT\n"
    assert ev(expression, BINDINGS) == "apiVersion: v1\n  nested: key\n\nend\n"


def test_heredoc_directives_with_strip_markers_trim_only_the_adjacent_line(ev):
    expression = "<<EOT\n%{ for v in l ~}\n- ${v}\n%{ endfor ~}\n\ndone\nEOT\n"
    assert ev(expression, BINDINGS) == "- first\n- second\n\ndone\n"


def test_template_lexer_tracks_nested_braces_and_quoted_strings(ev):
    expression = '<<EOT\n${jsonencode({a = "}"})} ${ {b = "x"}["b"] } ${"${k}}"}\nEOT\n'
    assert ev(expression, BINDINGS) == '{"a":"}"} x key}\n'


INVALID = [
    "1 + true",
    '"a" < 1',
    "[1][5]",
    "{a = 1}.b",
    "null.x",
    "{a = 1}[0]",
    "nothing[0]",
    "[for k, v in {a = 1, b = 1} : v => k]",
]


@pytest.mark.parametrize("expression", INVALID)
def test_terraform_errors_raise_evaluation_errors(ev, expression):
    with pytest.raises(EvalError):
        ev(expression, BINDINGS)


def test_an_error_becomes_an_unknown_located_at_the_expression_boundary():
    from analyzer.terraform.expressions import IsolatedContext

    tree = parse_expression("1 + {}.missing", "main.tf", 12, 3)
    value = evaluate_safely(tree, Scope(IsolatedContext(), {}, "main.tf"))
    assert isinstance(value, Unknown)
    assert 'no attribute "missing"' in value.reason
    assert (value.origin.path, value.origin.line) == ("main.tf", 12)


# --- unknowns ---------------------------------------------------------------------------

UNKNOWN_CASES = [
    ("x + 1", Unknown),
    ("x == 1", Unknown),
    ("!x", Unknown),
    ("-x", Unknown),
    ("x.attribute", Unknown),
    ("x[0]", Unknown),
    ("[for v in x : v]", Unknown),
    ("x[*].id", Unknown),
    ('x ? "a" : "b"', Unknown),
    ("false && x", False),
    ("true || x", True),
    ("x == null ? 1 : 1", 1),
    ("[x, 1] == [2, 2]", False),
    ("{a = x} != null", True),
]


@pytest.mark.parametrize("expression, expected", UNKNOWN_CASES, ids=[c[0] for c in UNKNOWN_CASES])
def test_unknown_propagates_through_every_operation(ev, expression, expected):
    value = ev(expression, {"x": HOLE})
    if expected is Unknown:
        assert isinstance(value, Unknown)
        assert "var.x has no value" in value.reason
    else:
        assert value == expected


def test_interpolating_an_unknown_keeps_the_literal_text(ev):
    value = ev('"arn:aws:iam::${x}:role/${k}"', {"x": HOLE, "k": "node"})
    assert value == PartialStr(("arn:aws:iam::", HOLE, ":role/node"))
    assert value.text("?") == "arn:aws:iam::?:role/node"


def test_template_directive_on_an_unknown_condition_is_a_hole(ev):
    value = ev('"a%{ if x }b%{ endif }c"', {"x": HOLE})
    assert isinstance(value, PartialStr) and value.parts[0] == "a" and value.parts[-1] == "c"


def test_references_into_a_ref_extend_its_attribute_path(ev):
    cluster = Ref(reason="", target="aws_eks_cluster.x", attribute="vpc_config")
    value = ev("c[0].cluster_security_group_id", {"c": cluster})
    assert isinstance(value, Ref)
    assert (value.target, value.attribute) == ("aws_eks_cluster.x", "vpc_config.0.cluster_security_group_id")


def test_list_of_refs_keeps_each_ref(ev):
    assert ev("[for s in subnets : s]", {"subnets": [SUBNET_A]}) == [SUBNET_A]
    assert ev("length(subnets) > 0", {"subnets": [SUBNET_A]}) is True


def test_deeply_nested_expressions_do_not_crash():
    from analyzer.terraform.expressions import IsolatedContext

    text = "[" * 300 + "1" + "]" * 300
    tree = parse_expression(text, "deep.tf")
    value = evaluate_safely(tree, Scope(IsolatedContext(), {}, "deep.tf"))
    assert value is not None


# --- size budgets -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'format("%02000000d", 1)',
        'format("%.2000000f", 1)',
        'indent(2000000, "a\\nb")',
        'indent(600000, "a\\nb\\nc")',  # each line padded: over the limit only when put together
    ],
)
def test_a_string_over_the_size_limit_is_refused_before_it_is_built(ev, text):
    with pytest.raises(OverBudget, match=f"over the limit of {MAX_STRING_CHARS:,} characters"):
        ev(text)


def test_a_collection_over_the_size_limit_is_refused(ev):
    assert len(ev("[for i in range(1000) : [for j in range(40) : j]]")) == 1000  # 41,000 values
    with pytest.raises(OverBudget, match=f"more than {MAX_COLLECTION_VALUES:,} values"):
        ev("[for i in range(1000) : [for j in range(200) : j]]")


def test_try_and_can_do_not_hide_a_value_over_budget(ev):
    with pytest.raises(OverBudget):
        ev('try(format("%02000000d", 1), "fallback")')
    with pytest.raises(OverBudget):
        ev('can(indent(2000000, "a\\nb"))')


def test_doubling_a_string_stops_at_the_limit_with_one_finding(write_config, load):
    lines = ['  s0 = "xxxxxxxxxxxxxxxx"'] + [f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"' for i in range(1, 40)]
    root = write_config(
        {"main.tf": "locals {\n" + "\n".join(lines) + '\n}\nresource "terraform_data" "x" {\n  input = local.s39\n}\n'}
    )
    configuration = load(root)
    (finding,) = [d for d in configuration.diagnostics if d.code == EVALUATION]
    assert f"over the limit of {MAX_STRING_CHARS:,} characters" in finding.message
    assert finding.location.line == 19  # s17 is the first over 1 Mi characters: 16 * 2**17
    value = configuration.blocks[0].attributes["input"]
    assert "over the limit" in first_unknown(value).reason


def test_yamldecode_refuses_an_alias_bomb_naming_the_aliases(ev):
    levels = ["a: &a [x,x,x,x,x,x,x,x,x,x]"] + [
        f"{name}: &{name} [{','.join([f'*{previous}'] * 10)}]" for previous, name in zip("abcde", "bcdef")
    ]
    with pytest.raises(OverBudget, match=r"YAML aliases expand .* written values to more than 100,000"):
        ev("yamldecode(text)", {"text": "\n".join(levels) + "\n"})
    assert len(ev("yamldecode(text)", {"text": "\n".join(levels[:4]) + "\n"})["d"]) == 10  # 10,000 values: decoded


def test_yamldecode_refuses_a_large_document_without_calling_it_aliases(ev):
    text = "[" + ",".join(["1"] * (MAX_YAML_NODES + 1)) + "]"
    with pytest.raises(OverBudget, match="the YAML document holds more than 100,000 values"):
        ev("yamldecode(text)", {"text": text})


def test_a_recursive_yaml_alias_is_an_error(ev):
    with pytest.raises(EvalError, match="refers to a node that contains it"):
        ev("yamldecode(text)", {"text": "a: &a [*a]\n"})


def test_decoded_lone_surrogates_become_the_replacement_character(ev):
    assert ev('jsondecode("\\"\\\\ud800x\\"")') == "\ufffdx"
    assert ev('urlencode(jsondecode("\\"\\\\udfff\\""))') == "%EF%BF%BD"
    assert ev('md5(jsondecode("\\"\\\\ud800\\""))') == ev('md5("\\ufffd")')


def test_a_partial_string_that_is_not_valid_json_or_yaml_stays_unknown(ev):
    hole = Unknown("var.x has no value")
    for function in ("jsondecode", "yamldecode"):
        value = ev(f'{function}("{{\\"a\\": ${{x}}")', {"x": hole})
        assert isinstance(value, Unknown)


# --- keys with holes --------------------------------------------------------------------

PARTITION = Ref(reason="known only after the data source is read", target="data.aws_partition.current", attribute="id")
ACCOUNT = Ref(
    reason="known only after the data source is read", target="data.aws_caller_identity.current", attribute="a"
)


def _arn(*parts):
    return PartialStr.join(parts)


@pytest.mark.parametrize(
    "a, b, distinct",
    [
        # same holes at the same places, one literal piece differs
        (_arn("arn:", PARTITION, ":iam::aws:policy/A"), _arn("arn:", PARTITION, ":iam::aws:policy/B"), True),
        # literal ends disagree, whatever the holes
        (_arn("arn:", PARTITION, ":iam::aws:policy/A"), _arn("arn:", PARTITION, ":iam::", ACCOUNT, ":policy/B"), True),
        (_arn("arn:", PARTITION, ":x"), "other", True),
        (_arn("a", PARTITION, "a"), "a", True),  # at least "aa"
        # a hole may be any text: these can be equal
        (_arn("arn:", PARTITION, ":iam::aws:policy/A"), "arn:aws:iam::aws:policy/A", False),
        (_arn("a", PARTITION, "bc", ACCOUNT), _arn("a", PARTITION, "b", ACCOUNT, "c"), False),
        (_arn("x", PARTITION), _arn("x", ACCOUNT), False),
        (_arn("arn:", HOLE, ":a"), _arn("arn:", HOLE, ":b"), True),  # ends disagree, even for any hole
        (_arn("a", HOLE, "b", HOLE, "c"), _arn("a", HOLE, "d", HOLE, "c"), False),  # two different unknowns
        ("a", "a", False),
        ("a", "b", True),
    ],
)
def test_strings_with_holes_are_distinct_only_when_provably(a, b, distinct):
    from analyzer.values import provably_distinct

    assert provably_distinct(a, b) is distinct
    assert provably_distinct(b, a) is distinct


def test_for_expression_keys_with_holes_are_known_when_provably_distinct(ev):
    prefix = _arn("arn:", PARTITION, ":iam::aws:policy")
    expression = '{for k, v in toset(compact(["${p}/A", "${p}/B", ""])) : k => v}'
    result = ev(expression, {"p": prefix})
    assert [str(key) for key in result] == [
        "arn:${data.aws_partition.current.id}:iam::aws:policy/A",
        "arn:${data.aws_partition.current.id}:iam::aws:policy/B",
    ]
    assert list(result.values()) == [_arn(prefix, "/A"), _arn(prefix, "/B")]
    # the key is the string itself when used as a value
    assert ev("[for k, v in m : k]", {"m": result}) == [_arn(prefix, "/A"), _arn(prefix, "/B")]
    assert ev("keys(m)", {"m": result}) == [_arn(prefix, "/A"), _arn(prefix, "/B")]
    encoded = ev("jsonencode(m)", {"m": {k: 1 for k in result}})
    assert (
        isinstance(encoded, PartialStr)
        and encoded.text() == '{"arn:${?}:iam::aws:policy/A":1,"arn:${?}:iam::aws:policy/B":1}'
    )


def test_for_expression_keys_that_may_be_equal_are_unknown(ev):
    prefix = _arn("arn:", PARTITION, ":iam::aws:policy")
    expression = '{for k in ["${p}/A", "arn:aws:iam::aws:policy/A"] : k => k}'
    result = ev(expression, {"p": prefix})
    assert isinstance(result, Unknown)
    assert "may be the same" in result.reason and "data.aws_partition.current" in result.reason


def test_for_expression_keys_with_an_unknown_hole_stay_unknown(ev):
    result = ev('{for k in ["${x}/A"] : k => k}', {"x": HOLE})
    assert isinstance(result, Unknown) and "var.x has no value" in result.reason


def test_for_expression_keys_that_are_provably_the_same_group(ev):
    prefix = _arn("arn:", PARTITION, ":iam::aws:policy")
    result = ev('{for k in ["${p}/A", "${p}/A"] : k => 1...}', {"p": prefix})
    assert list(result.values()) == [[1, 1]]
