"""action.yml's shell steps run with bash in a fake GitHub Actions environment on examples/.

The `uses:` steps (setup-python, upload-sarif) belong to GitHub; the install step is not run
because the eksjoin under test is already installed beside this interpreter (and it needs PyPI).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def expand(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def value(match: re.Match) -> str:
        expression = match.group(1).strip()
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        step, name = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression).groups()
        return outputs.get(step, {}).get(name, "")

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def run_action(
    tmp_path: Path, bin_dirs: tuple[str, ...] = (), **given: str
) -> tuple[list[tuple[str, int, str]], dict[str, dict[str, str]]]:
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | given
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = {
        **os.environ,
        "PATH": os.pathsep.join([*bin_dirs, str(Path(sys.executable).parent), os.environ["PATH"]]),
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(ROOT),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RUNNER_TEMP": str(temp),
        "NO_COLOR": "1",
    }
    ran, outputs = [], {}
    for step in STEPS:
        if "uses" in step or step.get("id") == "install":
            continue
        output_file = tmp_path / f"output-{step['id']}"
        output_file.touch()
        step_env = {**env, "GITHUB_OUTPUT": str(output_file)}
        step_env |= {k: expand(str(v), inputs, outputs) for k, v in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "-e", "-c", expand(step["run"], inputs, outputs)],
            cwd=ROOT,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        ran.append((step["id"], done.returncode, done.stdout + done.stderr))
        outputs[step["id"]] = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
        if done.returncode:
            break
    return ran, outputs


def test_action_annotates_summarises_writes_sarif_and_fails_last(tmp_path):
    ran, outputs = run_action(tmp_path, paths="examples", sarif="true")
    assert [step for step, _, _ in ran] == ["lint", "result"]
    (_, lint_code, annotations), (_, result_code, _) = ran
    assert lint_code == 0 and outputs["lint"]["exit-code"] == "1" and result_code == 1  # fails in the last step

    errors = [line for line in annotations.splitlines() if line.startswith("::error ")]
    warnings = [line for line in annotations.splitlines() if line.startswith("::warning ")]
    assert 1 <= len(errors) <= 10 and len(warnings) <= 10
    assert any("file=examples/terraform/main.tf" in line and "EKS-DNS-002" in line for line in errors)
    written = (tmp_path / "runner-temp" / "eksjoin" / "annotations.txt").read_text().splitlines()
    for kind, shown in (("error", errors), ("warning", warnings)):
        every = [line for line in written if line.startswith(f"::{kind} ")]
        assert shown == every[:10]
        left_out = re.search(rf"eksjoin: (\d+) {kind} annotation\(s\) left out", annotations)
        assert (int(left_out.group(1)) if left_out else 0) == max(0, len(every) - 10)
    assert "::notice title=eksjoin::eksjoin: " in annotations  # what was scanned, always

    summary = (tmp_path / "summary.md").read_text()
    assert "EKS-DNS-002" in summary and "|" in summary

    sarif = json.loads(Path(outputs["lint"]["sarif-file"]).read_text())
    results = sarif["runs"][0]["results"]
    assert any(r["ruleId"] == "EKS-DNS-002" for r in results)

    uses = [i for i, step in enumerate(STEPS) if "upload-sarif" in step.get("uses", "")]
    assert uses and STEPS[uses[0]]["if"] == "inputs.sarif == 'true'" and uses[0] < len(STEPS) - 1
    assert STEPS[-1]["id"] == "result"


def test_action_passes_when_nothing_reaches_fail_on(tmp_path):
    ran, outputs = run_action(tmp_path, paths="examples", **{"fail-on": "never"})
    assert [(step, code) for step, code, _ in ran] == [("lint", 0), ("result", 0)]
    assert outputs["lint"]["exit-code"] == "0" and "sarif-file" not in outputs["lint"]


def test_setup_python_is_pinned():
    setup = next(step for step in STEPS if step.get("uses", "").startswith("actions/setup-python@"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", setup["with"]["python-version"])


def test_annotations_beyond_githubs_cap_are_counted_most_severe_first(tmp_path):
    # An eksjoin stand-in that writes 15 errors, 12 warnings and the summary notice wherever --output says.
    fake = tmp_path / "bin" / "eksjoin"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/bash\n"
        'while [ $# -gt 0 ]; do [ "$1" = --output ] && out=$2; shift; done\n'
        '[ -n "$out" ] || exit 0\n'
        'for i in $(seq 12); do echo "::warning file=w.tf,line=$i::w$i"; done > "$out"\n'
        'for i in $(seq 15); do echo "::error file=e.tf,line=$i::e$i"; done >> "$out"\n'
        'echo "::notice title=eksjoin::eksjoin: 15 error(s)" >> "$out"\n'
        "exit 1\n"
    )
    fake.chmod(0o755)
    ran, _ = run_action(tmp_path, (str(fake.parent),), paths="examples", sarif="false")
    annotations = ran[0][2].splitlines()
    assert [line.split("::")[2] for line in annotations if line.startswith("::error ")] == [
        f"e{i}" for i in range(1, 11)
    ]
    assert len([line for line in annotations if line.startswith("::warning ")]) == 10
    assert "eksjoin: 5 error annotation(s) left out (GitHub shows 10 per step); see the job summary" in annotations
    assert "eksjoin: 2 warning annotation(s) left out (GitHub shows 10 per step); see the job summary" in annotations
    assert annotations.index(next(a for a in annotations if a.startswith("::error "))) < annotations.index(
        next(a for a in annotations if a.startswith("::warning "))
    )
    assert ran[-1][:2] == ("result", 1)


def test_readme_snippet_uses_only_inputs_the_action_has():
    readme = (ROOT / "README.md").read_text()
    snippet = readme.split("### GitHub Actions", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    given = yaml.safe_load(snippet)["steps"][1]["with"]
    assert given and set(given) <= set(ACTION["inputs"])


def test_readme_gitlab_snippet_writes_a_code_quality_report(tmp_path):
    readme = (ROOT / "README.md").read_text()
    job = yaml.safe_load(readme.split("### GitLab CI", 1)[1].split("```yaml", 1)[1].split("```", 1)[0])["eksjoin"]
    report = job["artifacts"]["reports"]["codequality"]
    lint = next(line for line in job["script"] if "--format gitlab" in line).split()
    assert lint[lint.index("--output") + 1] == report
    lint[lint.index("infra/")] = str(ROOT / "examples")
    lint[lint.index("--output") + 1] = str(tmp_path / report)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "eksjoin"), *lint[1:]], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    issues = json.loads((tmp_path / report).read_text())
    assert any("EKS-DNS-002" in json.dumps(issue) for issue in issues)
