"""The docs are complete: every setting and every command-line option is documented."""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from typer.main import get_command

from recoverylink.cli.main import app
from recoverylink.config import CONFIG_ENV, PSEUDONYM_KEY_ENV, SETTING_ENV_VARS

REPO = Path(__file__).resolve().parents[2]


def doc(name: str) -> str:
    return (REPO / name).read_text(encoding="utf-8")


def packaged_settings() -> list[tuple[str, object]]:
    text = resources.files("recoverylink").joinpath("default_config.toml").read_text("utf-8")
    return [
        (f"{section}.{key}", value)
        for section, table in tomllib.loads(text).items()
        for key, value in table.items()
    ]


def command_options() -> list[tuple[str, str]]:
    """(command, option) for the root command and every subcommand."""
    root = get_command(app)
    commands = {"recoverylink": root, **getattr(root, "commands", {})}
    return [
        (name, option)
        for name, command in commands.items()
        for param in command.params
        for option in param.opts
        if option.startswith("--")
    ]


@pytest.mark.parametrize(("setting", "default"), packaged_settings())
def test_every_setting_is_documented_with_its_default(setting: str, default: object) -> None:
    shown = f'"{default}"' if isinstance(default, str) else str(default)
    rows = [
        line
        for line in doc("docs/configuration.md").splitlines()
        if line.startswith(f"| `{setting}` |")
    ]
    assert rows, f"{setting} has no row in docs/configuration.md"
    assert f"`{shown}`" in rows[0]


@pytest.mark.parametrize(
    "variable", [*SETTING_ENV_VARS, CONFIG_ENV, PSEUDONYM_KEY_ENV, "RECOVERYLINK_DEBUG"]
)
def test_every_environment_variable_is_documented(variable: str) -> None:
    assert f"`{variable}`" in doc("docs/configuration.md")


def test_setting_rows_name_their_environment_variables() -> None:
    text = doc("docs/configuration.md")
    for variable, setting in SETTING_ENV_VARS.items():
        assert f"| `{setting}` |" in text
        (row,) = [line for line in text.splitlines() if line.startswith(f"| `{setting}` |")]
        assert f"`{variable}`" in row


def test_there_are_options_to_check() -> None:
    options = command_options()
    assert ("synth", "--tolerance-profile") in options
    assert ("recoverylink", "--config") in options


@pytest.mark.parametrize(("command", "option"), command_options())
def test_every_option_is_documented(command: str, option: str) -> None:
    text = doc("docs/cli.md")
    if command != "recoverylink":
        assert f"## `recoverylink {command}`" in text
        text = text.split(f"## `recoverylink {command}`", 1)[1].split("\n## ", 1)[0]
    assert re.search(rf"`{re.escape(option)}[` ]", text), f"{option} of {command}"


def test_readme_quick_start() -> None:
    readme = doc("README.md")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^make \w+$", quick_start, flags=re.MULTILINE) == ["make demo", "make test"]
    for name in ("docs/cli.md", "docs/configuration.md"):
        assert f"({name})" in readme
