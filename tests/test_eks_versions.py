"""The EKS version support table (EKS-CLUSTER-008) and the default version floor."""

from __future__ import annotations

import datetime

from analyzer.knowledge import versions


def _newest_release() -> datetime.date:
    table = versions.support_table()["versions"]
    return max(datetime.date.fromisoformat(v["released"]) for v in table.values())


def test_table_is_refreshed_within_a_year_of_its_newest_release():
    # EKS releases a minor version about every four months: a table whose newest version is
    # more than a year old is missing versions and dates, so refresh eks_versions.json
    deadline = _newest_release() + datetime.timedelta(days=365)
    assert datetime.date.today() <= deadline, f"analyzer/knowledge/eks_versions.json is stale (refresh by {deadline})"


def test_every_version_has_fourteen_months_standard_then_twelve_extended():
    for name, dates in versions.support_table()["versions"].items():
        released, standard, extended = (
            datetime.date.fromisoformat(dates[k])
            for k in ("released", "end_of_standard_support", "end_of_extended_support")
        )
        assert 13 * 30 < (standard - released).days < 15 * 31, name
        assert 360 <= (extended - standard).days <= 370, name


def test_support_status_by_date():
    on = datetime.date(2026, 12, 7)
    assert versions.support_status((1, 35), on)["status"] == versions.STANDARD
    assert versions.support_status((1, 34), on) == {"status": versions.EXTENDED, "until": "2027-12-02"}
    assert versions.support_status((1, 31), on)["status"] == versions.ENDED
    assert versions.support_status((1, 23), on)["status"] == versions.ENDED  # older than the table
    assert versions.support_status((1, 40), on)["status"] == versions.STANDARD  # newer than the table
    assert versions.support_status((1, 31), datetime.date(2026, 11, 26))["status"] == versions.EXTENDED


def test_default_version_floor_is_in_the_table_or_newer():
    floor = versions.default_version_floor()
    assert floor >= (1, 33)
