"""In-process caches follow file contents: an edit that keeps size and mtime is seen."""

from __future__ import annotations

import os

from analyzer.contentcache import Bounded
from analyzer.terraform.module import load_module_definition
from analyzer.terraform.parsing import parse_hcl_file


def _rewrite_keeping_size_and_mtime(path, text):
    stat = path.stat()
    assert len(text.encode()) == stat.st_size
    path.write_text(text)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


def test_an_edit_that_keeps_size_and_mtime_invalidates_exactly_its_entry(tmp_path):
    edited, untouched = tmp_path / "a.tf", tmp_path / "b.tf"
    edited.write_text('resource "aws_vpc" "one" {}\n')
    untouched.write_text('resource "aws_vpc" "two" {}\n')
    first_edited, _ = parse_hcl_file(edited, "a.tf")
    first_untouched, _ = parse_hcl_file(untouched, "b.tf")

    _rewrite_keeping_size_and_mtime(edited, 'resource "aws_vpc" "uno" {}\n')

    second_edited, _ = parse_hcl_file(edited, "a.tf")
    second_untouched, _ = parse_hcl_file(untouched, "b.tf")
    assert second_edited is not first_edited
    assert "uno" in str(second_edited) and "one" not in str(second_edited)
    assert second_untouched is first_untouched


def test_module_definition_follows_contents_not_mtime(tmp_path):
    main = tmp_path / "main.tf"
    main.write_text('resource "aws_vpc" "one" {}\n')
    assert list(load_module_definition(tmp_path, tmp_path).resources) == ["aws_vpc.one"]
    _rewrite_keeping_size_and_mtime(main, 'resource "aws_vpc" "uno" {}\n')
    assert list(load_module_definition(tmp_path, tmp_path).resources) == ["aws_vpc.uno"]


def test_bounded_cache_evicts_the_least_recently_used():
    cache: Bounded[int] = Bounded(limit=2)
    cache.get_or_make("a", lambda: 1)
    cache.get_or_make("b", lambda: 2)
    cache.get_or_make("a", lambda: 0)  # used again: "b" is now the oldest
    cache.get_or_make("c", lambda: 3)
    assert len(cache) == 2
    assert cache.get_or_make("a", lambda: -1) == 1
    assert cache.get_or_make("b", lambda: -2) == -2
