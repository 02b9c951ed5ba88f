"""The CI examples: valid YAML, the expected jobs and steps, and edusite commands that parse."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from edusite.cli import main

REPO = Path(__file__).resolve().parent.parent
GITHUB = REPO / ".github/workflows/publish.yml"
GITLAB = REPO / ".gitlab-ci.yml"
#: Sample values for CI expressions, so the command lines can be parsed.
EXPRESSIONS = {
    r"\$\{\{\s*matrix\.shard\s*\}\}": "2",
    r"\$\{\{\s*strategy\.job-total\s*\}\}": "3",
    r"\$CI_NODE_INDEX": "2",
    r"\$CI_NODE_TOTAL": "3",
    r"\$\{\{\s*needs\.plan\.outputs\.count\s*\}\}": "3",
    r"\$EDUSITE_SHARDS": "3",
    r"\$EDUSITE_JOBS": "4",
    r"\$EDUSITE_PUBLISH_REMOTE": "https://example.invalid/site.git",
}


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def edusite_commands(lines: list[str]) -> list[list[str]]:
    """The ``edusite …`` invocations in shell lines, CI expressions replaced by samples."""
    out = []
    for text in lines:
        for line in text.splitlines():
            for pattern, value in EXPRESSIONS.items():
                line = re.sub(pattern, value, line)
            line = line.split("||")[0].split(" >")[0].strip()  # no fallback, no redirection
            if line.startswith("edusite "):
                out.append(shlex.split(line)[1:])
    return out


def parses(args: list[str]) -> None:
    """Parse ``args`` with the real click command (unknown options fail), without running it."""
    command = main.get_command(click.Context(main), args[0])
    assert isinstance(command, click.Command), args[0]
    if isinstance(command, click.Group):  # `edusite shard plan …`: parse the sub-command
        sub = command.get_command(click.Context(command), args[1])
        assert isinstance(sub, click.Command), args[:2]
        sub.make_context(args[1], list(args[2:]))
        return
    command.make_context(args[0], list(args[1:]))


@pytest.fixture(autouse=True)
def in_ci_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files the commands expect to exist in CI (``--merge shards``, ``--plan``)."""
    (tmp_path / "shards").mkdir()
    (tmp_path / "shard-plan.json").write_text("{}", encoding="utf-8")  # the plan job's artifact
    monkeypatch.chdir(tmp_path)


def test_github_workflow() -> None:
    data = load(GITHUB)
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    assert data["permissions"] == {"contents": "write"}
    plan = data["jobs"]["plan"]
    build, final = data["jobs"]["build"], data["jobs"]["final"]
    # the matrix is generated: N from the network's size, balanced by measured cost
    assert build["needs"] == "plan"
    assert build["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert plan["outputs"]["count"] == "${{ steps.plan.outputs.count }}"
    plan_runs = edusite_commands([s["run"] for s in plan["steps"] if "run" in s])
    assert [c[:3] for c in plan_runs] == [["shard", "plan", "--format"]]
    assert plan_runs[0][3] == "github" and "-o" in plan_runs[0]
    parses(plan_runs[0])
    restore = next(s for s in plan["steps"] if "cache/restore" in s.get("uses", ""))
    save = next(s for s in final["steps"] if "cache/save" in s.get("uses", ""))
    assert restore["with"]["path"] == save["with"]["path"] == ".cache/shards"
    assert final["needs"] == "build"
    uses = [s.get("uses", "") for s in build["steps"]]
    assert [u.split("@")[0] for u in uses if u] == [
        "actions/checkout",
        "actions/setup-python",
        "actions/cache",
        "actions/download-artifact",
        "actions/upload-artifact",
    ]
    cache = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/cache"))
    assert ".cache" in cache["with"]["path"].split()
    upload = next(s for s in build["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["include-hidden-files"] is True  # the build report is a dotfolder
    runs = [s["run"] for job in (build, final) for s in job["steps"] if "run" in s]
    commands = edusite_commands(runs)
    assert [c[0] for c in commands] == ["build", "build", "check", "publish"]
    assert commands[0][1:5] == ["--shard", "2/3", "--plan", "shard-plan.json"]
    assert commands[1] == ["build", "--shard", "final", "--merge", "shards"]
    assert commands[3] == ["publish", "--no-history"]
    for args in commands:
        parses(args)
    steps = {s.get("name", ""): s for s in final["steps"]}
    publish = next(s for n, s in steps.items() if "edusite publish" in n)
    assert "push" in publish["if"] and "refs/heads/main" in publish["if"]
    assert "!cancelled()" in publish["if"]  # the Sở's failed build does not stop the others
    problems = next(s for s in final["steps"] if s.get("with", {}).get("name") == "problems")
    assert "!cancelled()" in problems["if"] and problems["with"]["include-hidden-files"] is True
    assert problems["with"]["path"] == "public/.edusite/problems.*"
    review = next(s for s in final["steps"] if "upload-artifact" in s.get("uses", ""))
    assert "pull_request" in review["if"] and "public/" in review["with"]["path"]
    download = next(s for s in final["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"] == {"pattern": "shard-*", "path": "shards"}
    # `edusite check` runs there: the retention rule needs the whole history (not a shallow clone)
    checkout = next(s for s in final["steps"] if "actions/checkout" in s.get("uses", ""))
    assert checkout["with"]["fetch-depth"] == 0


def test_gitlab_pipeline() -> None:
    data = load(GITLAB)
    assert data["stages"] == ["build", "final", "publish", "report"]
    # parallel: is the upper bound; the plan job chooses N ≤ 8 (a dotenv variable)
    assert data["build"]["parallel"] == 8 and data["build"]["needs"] == ["plan"]
    assert data["plan"]["stage"] == ".pre"
    assert data["plan"]["artifacts"]["reports"]["dotenv"] == "shards.env"
    assert data["final"]["needs"] == ["build", "plan"]
    assert data["final"]["variables"]["GIT_DEPTH"] == "0"  # edusite check: retention from history
    assert {"key": "edusite-shards", "paths": [".cache/shards/"], "when": "always"} in data[
        "final"
    ]["cache"]
    assert ".cache/" in data["build"]["cache"]["paths"]
    assert {"pages", "publish-branch"} <= set(data)
    scripts = [
        line for job in data.values() if isinstance(job, dict) for line in job.get("script", [])
    ]
    # (The "guard" job's `edusite guard` and `edusite cms`: tests/test_cms.py.)
    commands = [c for c in edusite_commands(scripts) if c[0] not in ("guard", "cms")]
    assert [c[0] for c in commands] == ["shard", "build", "build", "check", "publish", "publish"]
    assert commands[0][:4] == ["shard", "plan", "--format", "gitlab"]
    assert commands[0][commands[0].index("--max-shards") + 1] == "8"  # = parallel:
    assert commands[1][1:7] == ["--shard", "2/3", "--plan", "shard-plan.json", "--out", "shards/2"]
    assert commands[2] == ["build", "--shard", "final", "--merge", "shards"]
    assert commands[4] == ["publish", "--export", "pages-site"]
    for args in commands:
        parses(args)
    # Problems are a code quality report; pages deploys when a unit was held back (exit 1),
    # keeps the previous deployment for units with no good output, and publish-status is red.
    assert data["final"]["artifacts"]["reports"]["codequality"] == "public/.edusite/problems.json"
    pages = data["pages"]
    assert pages["artifacts"]["reports"]["codequality"] == "reports/problems.json"
    assert "pages-site/" in pages["cache"]["paths"]
    assert pages["rules"][0]["when"] == "always"
    assert any("-le 1" in line for line in pages["script"])
    assert data["publish-status"]["needs"] == ["pages"]
    assert "exit 1" in data["publish-status"]["script"][0]


@pytest.mark.parametrize("bad", [["build", "--shards", "1/2"], ["publish", "--no-histroy"]])
def test_the_parser_check_catches_typos(bad: list[str]) -> None:
    with pytest.raises(click.UsageError):
        parses(bad)
