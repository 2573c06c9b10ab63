"""Safe YAML loading: data, line marks, and refusal of hostile input."""

from __future__ import annotations

import itertools
import time

import pytest

from analyzer import yamlsafe
from analyzer.diagnostics import PARSE_ERROR, UNREADABLE
from analyzer.location import Location
from analyzer.yamlsafe import MAX_DEPTH, YamlDocument, dotted, load_yaml_documents

# Every behaviour holds whether libyaml or PyYAML's own parser reads the events.
LOADERS = [getattr(yamlsafe, name) for name in ("_PurePythonLoader", "_LibyamlLoader") if hasattr(yamlsafe, name)]


@pytest.fixture(autouse=True, params=LOADERS, ids=lambda loader: loader.__name__)
def event_source(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsafe, "_GuardedLoader", request.param)


CLUSTER = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: demo
  version: 1.30
managedNodeGroups:
  - name: ng-1
    iam:
      attachPolicyARNs:
        - arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy
        - arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly
  - name: ng-2
    labels: {role: web, tier: front}
"""


def load_one(text: str) -> YamlDocument:
    documents, diagnostics = load_yaml_documents(text, "f.yaml")
    assert diagnostics == []
    assert len(documents) == 1
    return documents[0]


@pytest.mark.parametrize(
    ("path", "line", "column"),
    [
        ("", 1, 1),
        ("kind", 2, 1),
        ("metadata.name", 4, 3),
        ("managedNodeGroups", 6, 1),
        ("managedNodeGroups.0", 7, 5),  # a sequence item: the item's own line
        ("managedNodeGroups.0.name", 7, 5),
        ("managedNodeGroups.0.iam.attachPolicyARNs", 9, 7),
        ("managedNodeGroups.0.iam.attachPolicyARNs.0", 10, 11),
        ("managedNodeGroups.0.iam.attachPolicyARNs.1", 11, 11),
        ("managedNodeGroups.1", 12, 5),
        ("managedNodeGroups.1.labels.tier", 13, 25),  # flow mapping key
    ],
)
def test_locations_of_nested_keys_and_items(path: str, line: int, column: int) -> None:
    document = load_one(CLUSTER)
    assert document.locations[path] == Location("f.yaml", line, column)


def test_data_is_plain_python() -> None:
    document = load_one(CLUSTER)
    assert document.data["managedNodeGroups"][1]["labels"] == {"role": "web", "tier": "front"}
    assert document.index == 0


def test_unquoted_numbers_keep_their_source_text() -> None:
    document = load_one(CLUSTER)
    assert document.data["metadata"]["version"] == 1.3
    assert document.scalar_text["metadata.version"] == "1.30"


def test_location_of_falls_back_to_the_nearest_written_ancestor() -> None:
    document = load_one(CLUSTER)
    assert document.location_of(["managedNodeGroups", 0, "iam", "missing"]).line == 8
    assert document.location_of(["nowhere"]) == document.locations[""]
    assert dotted(["managedNodeGroups", 0, "iam"]) == "managedNodeGroups.0.iam"


def test_multi_document_stream_keeps_indexes_and_lines() -> None:
    text = "a: 1\n---\n- x\n- y\n---\nplain text\n---\n"
    documents, diagnostics = load_yaml_documents(text, "multi.yaml")
    assert diagnostics == []
    assert [d.index for d in documents] == [0, 1, 2, 3]
    assert [d.data for d in documents] == [{"a": 1}, ["x", "y"], "plain text", None]
    assert documents[1].locations["1"].line == 4
    assert documents[2].locations[""].line == 6


def test_documents_before_a_broken_one_are_kept() -> None:
    documents, diagnostics = load_yaml_documents("a: 1\n---\nb: [1, 2\n", "f.yaml")
    assert [d.data for d in documents] == [{"a": 1}]
    assert [d.code for d in diagnostics] == [PARSE_ERROR]


def test_duplicate_keys_last_wins_with_its_location() -> None:
    document = load_one("a:\n  x: 1\na:\n  y: 2\n")
    assert document.data == {"a": {"y": 2}}
    assert document.locations["a"].line == 3
    assert "a.x" not in document.locations


def test_merge_keys_point_at_the_anchored_lines() -> None:
    document = load_one("base: &base\n  x: 1\nnode:\n  <<: *base\n  y: 2\n")
    assert document.data["node"] == {"x": 1, "y": 2}
    assert document.locations["node.x"].line == 2
    assert document.locations["node.y"].line == 5


def test_dates_and_binary_stay_text() -> None:
    document = load_one("Version: 2012-10-17\nblob: !!binary aGk=\n")
    assert document.data == {"Version": "2012-10-17", "blob": "aGk="}


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo unsafe']\n",
        "a: !!python/object:builtins.dict {x: 1}\n",
        "a: !!python/name:os.system\n",
        "a: !!python/module:os\n",
        "a: !Ref SomeParameter\n",
    ],
)
def test_unsafe_and_unknown_tags_are_refused(text: str) -> None:
    documents, diagnostics = load_yaml_documents(text, "u.yaml")
    assert documents == []
    assert [(d.code, d.location.line, d.location.column) for d in diagnostics] == [(PARSE_ERROR, 1, 4)]
    assert "not allowed" in diagnostics[0].message


def test_alias_bomb_is_refused_quickly() -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for previous, name in itertools.pairwise(names):
        levels.append(f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]")
    started = time.perf_counter()
    documents, diagnostics = load_yaml_documents("\n".join(levels) + "\n", "bomb.yaml")
    elapsed = time.perf_counter() - started
    assert documents == []
    assert [d.code for d in diagnostics] == [UNREADABLE]
    assert diagnostics[0].message.startswith("YAML alias expansion exceeds")
    assert elapsed < 0.5


def test_too_many_aliases_are_refused() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    documents, diagnostics = load_yaml_documents(text, "f.yaml", max_aliases=10)
    assert documents == []
    assert [d.code for d in diagnostics] == [UNREADABLE]
    assert "10 aliases" in diagnostics[0].message


def test_aliases_within_limits_are_expanded() -> None:
    document = load_one("a: &a [1, 2]\nb: *a\n")
    assert document.data == {"a": [1, 2], "b": [1, 2]}
    assert document.locations["b.1"] == document.locations["a.1"]


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {x: *a}\n", "&a [1, [2, *a]]\n"])
def test_recursive_alias_is_a_diagnostic(text: str) -> None:
    documents, diagnostics = load_yaml_documents(text, "r.yaml")
    assert documents == []
    assert [d.code for d in diagnostics] == [PARSE_ERROR]
    assert "recursive YAML alias" in diagnostics[0].message


def test_parse_error_points_at_the_problem_mark() -> None:
    documents, diagnostics = load_yaml_documents("metadata:\n  name: a\n   region: b\n", "p.yaml")
    assert documents == []
    (diagnostic,) = diagnostics
    assert diagnostic.code == PARSE_ERROR
    assert (diagnostic.location.line, diagnostic.location.column) == (3, 10)
    assert "mapping values are not allowed" in diagnostic.message


def test_undefined_alias_is_a_parse_error() -> None:
    _documents, diagnostics = load_yaml_documents("a: *nowhere\n", "p.yaml")
    assert [d.code for d in diagnostics] == [PARSE_ERROR]
    assert "undefined alias" in diagnostics[0].message


def test_deep_nesting_is_refused_without_a_traceback() -> None:
    depth = MAX_DEPTH * 5
    documents, diagnostics = load_yaml_documents("[" * depth + "]" * depth, "deep.yaml")
    assert documents == []
    assert [d.code for d in diagnostics] == [UNREADABLE]


def test_control_characters_are_unreadable() -> None:
    documents, diagnostics = load_yaml_documents("a: b\nc: \x00\n", "bin.yaml")
    assert documents == []
    assert [(d.code, d.location.line, d.location.column) for d in diagnostics] == [(UNREADABLE, 2, 4)]


def test_empty_text_has_no_documents() -> None:
    assert load_yaml_documents("", "empty.yaml") == ([], [])


def test_a_large_mapping_without_aliases_is_not_called_alias_expansion() -> None:
    text = "".join(f"k{i}: v\n" for i in range(200))
    documents, diagnostics = load_yaml_documents(text, "big.yaml", max_nodes=100)
    assert documents == []
    assert diagnostics[0].message.startswith("the YAML document has more than 100 nodes")
