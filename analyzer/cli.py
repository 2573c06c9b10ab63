"""The command line: `eksjoin lint`, `eksjoin rules`, `eksjoin explain`.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 a user mistake
(options, configuration, baseline, output path), with a one-line message; 3 internal error;
4 nothing was checked (no input found, or no check decided) and --fail-on is warning or lower.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path

import click

from analyzer import __version__, progress, suppress
from analyzer.config import FAIL_ON, Config, ConfigError, find_config, load_config
from analyzer.diagnostics import NO_INPUT, NOTHING_DECIDED
from analyzer.engine.catalogue import Rule, RuleError, load_catalogue
from analyzer.findings import SEVERITY_RANK, Finding
from analyzer.reporters import REPORTERS, markdown

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL, EXIT_NOTHING_CHECKED = 0, 1, 2, 3, 4


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint=option)
        pairs[name.strip()] = text
    return pairs


def _id_list(values: tuple[str, ...]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eksjoin")
def cli() -> None:
    """Find why EKS worker nodes will not join their cluster, before you deploy."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(REPORTERS)),
    help="Output format (default: text; github under GitHub Actions).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option(
    "--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that makes the exit code 1 (default: error)."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Configuration file (default: .eksjoin.yaml found upward from PATH).",
)
@click.option(
    "--var-file",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Terraform variable file (repeatable).",
)
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="Terraform variable (repeatable).")
@click.option("--cfn-param", multiple=True, metavar="NAME=VALUE", help="CloudFormation parameter (repeatable).")
@click.option(
    "--cfn-params",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CloudFormation parameter file (JSON/YAML list or mapping).",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report only findings that are not in this baseline.",
)
@click.option(
    "--create-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the current findings to FILE as the accepted baseline.",
)
@click.option(
    "--select", multiple=True, metavar="IDS", help="Only these rules (comma-separated IDs or prefixes such as EKS-IAM)."
)
@click.option("--ignore", multiple=True, metavar="IDS", help="Skip these rules.")
@click.option(
    "--strict-suppressions",
    is_flag=True,
    help="Report expired and unused ignores as warnings instead of info.",
)
@click.option(
    "--color/--no-color", default=None, help="Colour the text output (default: on a terminal, unless NO_COLOR is set)."
)
@click.option("--quiet", "-q", is_flag=True, help="Text output: print only the summary line; no progress line.")
@click.option(
    "--no-progress",
    "progress_wanted",
    is_flag=True,
    flag_value=False,
    default=True,
    help="No progress line on stderr (default: shown on a terminal, outside CI, when the run takes over a second).",
)
@click.option(
    "--compact", is_flag=True, help="Text output: one line per finding (file:line:col: severity RULE message)."
)
@click.option(
    "--min-severity",
    type=click.Choice(["error", "warning", "info"]),
    help="Text output: show only findings at or above this severity (the summary and exit code still count all).",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=2000),
    help=f"Markdown output: the size cap in characters (default {markdown.DEFAULT_MAX_CHARS:,}).",
)
@click.option(
    "--changed",
    is_flag=True,
    help="Lint the root modules of the files changed in git against --base (limited to PATHS when given).",
)
@click.option(
    "--base",
    metavar="REF",
    help="What --changed compares the working tree with (default: the merge base with the default branch).",
)
@click.option(
    "--offline",
    is_flag=True,
    default=None,
    help="Do not fetch registry, git or archive modules; use only .terraform/modules and the module cache.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    default=False,
    help="Neither read nor write the result cache (results of unchanged files kept in the user cache directory).",
)
@click.option(
    "--root",
    "boundary_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Widen the repository boundary to DIR: local module sources (../..) may point anywhere inside it.",
)
def lint(
    paths: tuple[Path, ...],
    output_format: str | None,
    output: Path | None,
    fail_on: str | None,
    config_path: Path | None,
    var_file: tuple[Path, ...],
    variables: tuple[str, ...],
    cfn_param: tuple[str, ...],
    cfn_params: Path | None,
    baseline: Path | None,
    create_baseline: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    strict_suppressions: bool,
    color: bool | None,
    quiet: bool,
    progress_wanted: bool,
    compact: bool,
    min_severity: str | None,
    max_chars: int | None,
    changed: bool,
    base: str | None,
    offline: bool | None,
    no_cache: bool,
    boundary_root: Path | None,
) -> None:
    """Lint Terraform, CloudFormation and eksctl files under PATHS (default: .)."""
    from analyzer.pipeline import Options, analyze, summarize

    targets = list(paths) or [Path(".")]
    for target in targets:
        if not target.exists():
            raise click.BadParameter(f"no such file or directory: {target}", param_hint="PATHS")
    if base and not changed:
        raise click.UsageError("--base only applies with --changed")
    if changed:
        targets = _changed_targets(targets, base)
    for written in (output, create_baseline):
        if written is not None and not written.parent.is_dir():
            raise click.UsageError(f"the folder {written.parent} for {written} does not exist")
    config = _load_config(config_path, targets, boundary_root)
    if not baseline and config.baseline is not None:
        _within_repository(config.baseline, "baseline", config, targets, boundary_root)
    options = Options(
        var_files=var_file,
        config_var_files=tuple(config.var_files),
        variables={**config.vars, **_pairs(variables, "--var")},
        cfn_parameters={**config.cfn_params, **_load_cfn_params(cfn_params), **_pairs(cfn_param, "--cfn-param")},
        excludes=tuple(config.exclude),
        offline=True if (offline or config.offline) else None,
        cache=config.cache and not no_cache,
        root=boundary_root,
        select=tuple(config.select + _id_list(select)),
        ignore=tuple(config.ignore + _id_list(ignore)),
        severity=config.severity,
        baseline=baseline or config.baseline,
        baseline_to_create=create_baseline,
        ignore_paths=tuple(config.ignore_paths),
        config_path=str(config.path or ""),
        strict_suppressions=strict_suppressions or config.strict_suppressions,
    )
    shown = (
        progress.Progress(sys.stderr) if progress_wanted and progress.wanted(sys.stderr, quiet) else progress.Silent()
    )
    try:
        with progress.shown(shown):  # erased before anything below writes
            analysis = analyze(targets, _catalogue(), options)
    except suppress.UserError as exc:
        raise click.UsageError(str(exc)) from exc
    for note in analysis.notes:
        click.echo(f"eksjoin: {note}", err=True)
    if create_baseline:
        _write(create_baseline, suppress.baseline_text(analysis.baselinable))
    output_format = output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    use_color = (
        color if color is not None else (output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    )
    fail_on = fail_on or config.fail_on or "error"
    report = REPORTERS[output_format](
        analysis.findings,
        summarize(analysis),
        analysis.rules,
        color=use_color and output_format == "text",
        suppressed=analysis.suppressed,
        results=analysis.results,
        fail_on=fail_on,
        quiet=quiet,
        compact=compact,
        min_severity=min_severity,
        max_chars=max_chars,
        model=analysis.model,
    )
    if output:
        _write(output, report)
    else:
        click.echo(report, nl=False, color=use_color)
    sys.exit(_exit_code(analysis.findings, fail_on))


def _within_repository(path: Path, setting: str, config: Config, targets: list[Path], widen: Path | None) -> None:
    """A file the configuration names must be inside the repository: a configuration file
    committed to a repository must not make eksjoin read the machine's files."""
    from analyzer.boundary import Boundary

    root = Boundary.for_paths(targets, widen=widen).root
    if not Boundary(root).root_contains(path):
        raise click.UsageError(
            f"{config.path}: {setting} {path} is outside the repository {root}; the configuration may only "
            f"name files inside it (pass --{setting} FILE on the command line to use a file elsewhere)"
        )


def _write(path: Path, text: str) -> None:
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise click.UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def write_atomically(path: Path, text: str) -> None:
    """A report or baseline is replaced whole or not at all: written beside its target and
    renamed over it, so a reader (or a killed run, or a full disk) never sees half a file.
    A target that exists and is not a regular file (``/dev/stdout``, a FIFO) is written to
    directly: renaming over it would replace the device."""
    path = path.resolve() if path.is_symlink() else path  # the link stays; its target is replaced
    if path.exists() and not path.is_file():
        path.write_text(text, encoding="utf-8")
        return
    descriptor, staging = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(staging, _mode_for(path))
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The target's own mode when it exists; otherwise what ``open()`` would give it."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _changed_targets(targets: list[Path], base: str | None) -> list[Path]:
    from analyzer.changes import GitError, changed_paths

    try:
        used, paths = changed_paths(targets[0].resolve(), base)
    except GitError as exc:
        raise click.UsageError(f"--changed: {exc}") from exc
    wanted = [t.resolve() for t in targets]
    paths = [p for p in paths if any(p == w or w in p.parents for w in wanted)]
    if not paths:
        click.echo(f"eksjoin: no Terraform, CloudFormation, eksctl or JSON file changed against {used}", err=True)
        sys.exit(EXIT_OK)
    return paths


def _load_config(config_path: Path | None, targets: list[Path], widen: Path | None) -> Config:
    """--config FILE, else the nearest .eksjoin.yaml inside the repository boundary of the
    linted paths (analyzer/boundary.py), the same boundary the run reads within."""
    from analyzer.boundary import Boundary

    repository = Boundary.for_paths(targets, widen=widen)
    path = config_path or find_config(targets[0], repository)
    if path is None:
        return Config()
    try:
        return load_config(path, None if config_path else repository)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def _load_cfn_params(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    from analyzer.cloudformation import load_parameter_file

    try:
        return load_parameter_file(path)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--cfn-params") from exc


def _catalogue() -> list[Rule]:
    try:
        return load_catalogue()
    except RuleError as exc:
        click.echo(f"eksjoin: invalid rule catalogue: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)


def _exit_code(findings: list[Finding], fail_on: str) -> int:
    """Findings at the threshold exit 1; a run that checked nothing has its own code, 4."""
    if fail_on == "never":
        return EXIT_OK
    at_threshold = [f for f in findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on]]
    if any(f.rule_id not in (NO_INPUT, NOTHING_DECIDED) for f in at_threshold):
        return EXIT_FINDINGS
    return EXIT_NOTHING_CHECKED if at_threshold else EXIT_OK


@cli.command("rules")
@click.argument("rule_id", required=False)
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", help="Output format."
)
def rules_command(rule_id: str | None, output_format: str) -> None:
    """List the rules, or show one rule in full."""
    from analyzer import ruledocs

    rules = _catalogue()
    if rule_id:
        matching = [r for r in rules if r.id == rule_id.upper()]
        if not matching:
            raise click.BadParameter(f"no rule {rule_id}; see `eksjoin rules`", param_hint="RULE_ID")
        rules = matching
    click.echo(ruledocs.render(rules, output_format, full=bool(rule_id)), nl=False)


@cli.command()
@click.argument("query")
def explain(query: str) -> None:
    """Show a rule's documentation, or the rules that explain a kubelet/bootstrap log line."""
    from analyzer import ruledocs

    rules = _catalogue()
    by_id = {r.id: r for r in rules}
    if query.upper() in by_id:
        click.echo(ruledocs.render([by_id[query.upper()]], "text", full=True), nl=False)
        return
    matches = ruledocs.explain(rules, query)
    for code, meaning in ruledocs.outside_the_files(query):
        click.echo(f"{code}: {meaning}; no configuration check can tell this before deployment.")
    if not matches:
        click.echo("No rule explains that message. `eksjoin rules` lists every check.")
        sys.exit(EXIT_FINDINGS)
    click.echo(f"{len(matches)} rule(s) explain this message, most likely first:\n")
    for rank, match in enumerate(matches, 1):
        rule = match.rule
        click.echo(f"{rank}. {rule.id} ({rule.severity}) {rule.title}")
        click.echo(f"   why: {match.reason}")
        click.echo(f"   fix: {rule.remediation_for('')}")
        click.echo(f"   more: eksjoin explain {rule.id}\n")


def as_sentence(message: str) -> str:
    """One line starting with a capital, unless it starts with a name that must stay as it
    is written (a file such as ``eksjoin.yaml``, an option, a rule ID)."""
    message = " ".join(message.split())
    first = message.split(" ", 1)[0].rstrip(":,;")
    return message[:1].upper() + message[1:] if first.isalpha() and first.islower() else message


def main() -> None:
    """Entry point: internal errors exit 3 with a short message instead of a traceback."""
    from analyzer import gcpause

    gcpause.keep_frozen()  # this process exits after its one report
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        # one line: what was wrong, as a sentence (the usage text is one -h away)
        click.echo(f"eksjoin: {as_sentence(exc.format_message())}", err=True)
        sys.exit(EXIT_USAGE)
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as exc:
        if os.environ.get("EKSJOIN_DEBUG"):
            traceback.print_exc()
        click.echo(
            f"eksjoin: internal error: {type(exc).__name__}: {exc}\n"
            "Please report it with the command you ran; set EKSJOIN_DEBUG=1 for the "
            "full traceback.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
