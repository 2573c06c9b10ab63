"""Parse trees are kept out of garbage collections during an analysis, and handed back after."""

from __future__ import annotations

import gc

from conftest import REPO

from analyzer import gcpause
from analyzer.contentcache import Bounded
from analyzer.pipeline import analyze
from analyzer.terraform import module, parsing


def test_trees_are_frozen_during_analysis_and_released_after(catalogue, monkeypatch):
    counts = []
    real_after_parse = gcpause.after_parse

    def recording_after_parse():
        real_after_parse()
        counts.append(gc.get_freeze_count())

    monkeypatch.setattr(gcpause, "after_parse", recording_after_parse)
    # an earlier test of this process may have parsed the same files: parse them again here
    monkeypatch.setattr(parsing, "_PARSE_CACHE", Bounded(limit=2048))
    monkeypatch.setattr(module, "_DEFINITIONS", Bounded(limit=1024))
    analysis = analyze([REPO / "examples" / "terraform"], catalogue)
    assert analysis.model.resources
    assert counts and all(count > 0 for count in counts)
    assert gc.get_freeze_count() == 0


def test_objects_frozen_by_the_caller_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gcpause.trees_frozen():
            gcpause.after_parse()
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()
