"""Reporters: findings -> text for humans, CI systems and code-scanning tools."""

from __future__ import annotations

from collections.abc import Callable

from analyzer.reporters import github, gitlab, json_report, junit, markdown, sarif, text

Reporter = Callable[..., str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "markdown": markdown.render,
    "gitlab": gitlab.render,
}
