"""Settings: layering, validation, and the rule that secrets never live in config files."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from recoverylink.config import Config, load_config, pseudonym_key
from recoverylink.errors import ConfigError, InputError

KEY = "k" * 40


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("RECOVERYLINK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_defaults() -> None:
    config = load_config()
    assert config.paths.data_dir == Path("recoverylink-data")
    assert (config.duckdb.memory_limit, config.duckdb.threads) == ("4GB", 2)
    assert (config.synth.default_seed, config.synth.default_scale) == (2006, 0.01)
    assert config.linkage.match_threshold == 0.8
    assert config.sources == ("packaged defaults",)


def test_config_is_frozen() -> None:
    config = load_config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.duckdb.threads = 8  # type: ignore[misc]


def test_local_file_overrides_only_what_it_sets(tmp_path: Path) -> None:
    write(tmp_path / "recoverylink.toml", '[duckdb]\nthreads = 8\n[paths]\ndata_dir = "store"\n')
    config = load_config()
    assert config.duckdb.threads == 8
    assert config.duckdb.memory_limit == "4GB"
    assert config.paths.data_dir == tmp_path / "store"
    assert config.sources == ("packaged defaults", str(tmp_path / "recoverylink.toml"))


def test_named_file_overrides_local_file_and_resolves_paths_beside_itself(tmp_path: Path) -> None:
    write(tmp_path / "recoverylink.toml", "[duckdb]\nthreads = 8\nmemory_limit = '1GB'\n")
    named = write(tmp_path / "etc" / "prod.toml", "[duckdb]\nthreads = 16\n"
                  "[paths]\ndata_dir = '../data'\n")
    config = load_config(named)
    assert config.duckdb.threads == 16
    assert config.duckdb.memory_limit == "1GB"
    assert config.paths.data_dir.resolve() == (tmp_path / "data").resolve()


def test_environment_names_the_file_when_no_path_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_env = write(tmp_path / "env.toml", "[linkage]\nmatch_threshold = 0.95\n")
    given = write(tmp_path / "given.toml", "[linkage]\nmatch_threshold = 0.8\n")
    monkeypatch.setenv("RECOVERYLINK_CONFIG", str(from_env))
    assert load_config().linkage.match_threshold == 0.95
    assert load_config(given).linkage.match_threshold == 0.8


def test_environment_variables_override_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = write(tmp_path / "c.toml", "[paths]\ndata_dir = '/elsewhere'\n[duckdb]\nthreads = 3\n")
    monkeypatch.setenv("RECOVERYLINK_DATA_DIR", "from-env")
    monkeypatch.setenv("RECOVERYLINK_DUCKDB_THREADS", "6")
    monkeypatch.setenv("RECOVERYLINK_DUCKDB_MEMORY_LIMIT", "512MB")
    config = load_config(named)
    assert config.paths.data_dir == Path("from-env")
    assert (config.duckdb.threads, config.duckdb.memory_limit) == (6, "512MB")
    assert config.sources[-1] == "environment"


def test_empty_environment_variable_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOVERYLINK_DATA_DIR", "")
    assert load_config().paths.data_dir == Path("recoverylink-data")


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("RECOVERYLINK_DUCKDB_THREADS", "two", "DUCKDB_THREADS must be a whole number"),
        ("RECOVERYLINK_DUCKDB_THREADS", "0", "RECOVERYLINK_DUCKDB_THREADS must be 1 or more"),
        ("RECOVERYLINK_DUCKDB_MEMORY_LIMIT", "lots", 'must be a size such as "512MB"'),
    ],
)
def test_bad_environment_values(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, message: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=message):
        load_config()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[duckdb]\nthreds = 4\n", r"unknown setting 'duckdb\.threds' in .*bad\.toml"),
        ("[warehouse]\nengine = 'duckdb'\n", r"unknown section 'warehouse' in .*bad\.toml"),
        ("threads = 4\n", r"unknown setting 'threads' in .*bad\.toml"),
        ("paths = 'x'\n", r"'paths' in .*bad\.toml must be a table"),
        ("[duckdb]\nthreads = '4'\n", r"'duckdb\.threads' in .*bad\.toml must be a whole number"),
        ("[duckdb]\nthreads = true\n", r"'duckdb\.threads' .* must be a whole number"),
        ("[duckdb]\nthreads = 0\n", r"'duckdb\.threads' .* must be 1 or more, not 0"),
        ("[duckdb]\nmemory_limit = '4 gallons'\n", r"'duckdb\.memory_limit' .* must be a size"),
        ("[synth]\ndefault_scale = 0\n", r"'synth\.default_scale' .* must be more than 0"),
        ("[synth]\ndefault_scale = nan\n", r"'synth\.default_scale' .* must be a finite number"),
        ("[synth]\ndefault_seed = 1.5\n", r"'synth\.default_seed' .* must be a whole number"),
        ("[linkage]\nmatch_threshold = 1\n", r"match_threshold' .* more than 0 and less than 1"),
        ("[paths]\ndata_dir = ' '\n", r"'paths\.data_dir' .* must not be empty"),
        ("[paths\n", r"config file .*bad\.toml is not valid TOML"),
    ],
)
def test_bad_files_name_the_setting_and_the_file(tmp_path: Path, text: str, message: str) -> None:
    bad = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError, match=message):
        load_config(bad)


def test_numbers_accept_integers_where_decimals_are_expected(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "c.toml", "[synth]\ndefault_scale = 1\n"))
    assert config.synth.default_scale == 1.0
    assert isinstance(config.synth.default_scale, float)


def test_missing_file_named_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOVERYLINK_CONFIG", "absent.toml")
    expected = r"absent\.toml \(named by RECOVERYLINK_CONFIG\) does not exist"
    with pytest.raises(ConfigError, match=expected):
        load_config()


@pytest.mark.parametrize(
    "text",
    [
        f"pseudonym_key = '{KEY}'\n",
        f"[linkage]\npseudonym_key = '{KEY}'\n",
        f"[secrets]\nkey = '{KEY}'\n",
    ],
)
def test_secrets_are_refused_in_config_files(tmp_path: Path, text: str) -> None:
    leaky = write(tmp_path / "recoverylink.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config()
    message = str(caught.value)
    assert str(leaky) in message
    assert "RECOVERYLINK_PSEUDONYM_KEY" in message and "secrets.toml" in message
    assert KEY not in message


def test_config_errors_are_bad_input() -> None:
    assert issubclass(ConfigError, InputError) and issubclass(ConfigError, ValueError)


def config() -> Config:
    return load_config()


def test_key_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write(tmp_path / "secrets.toml", f"pseudonym_key = '{'f' * 32}'\n")
    monkeypatch.setenv("RECOVERYLINK_PSEUDONYM_KEY", f"  {KEY}\n")
    assert pseudonym_key(config()) == KEY.encode()


def test_key_from_the_secrets_file(tmp_path: Path) -> None:
    write(tmp_path / "secrets.toml", f"pseudonym_key = '{KEY}'\n")
    assert pseudonym_key(config()) == KEY.encode()


def test_key_length_counts_bytes_not_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOVERYLINK_PSEUDONYM_KEY", "é" * 16)  # 16 characters, 32 bytes
    assert len(pseudonym_key(config())) == 32


def test_missing_key_names_the_variable_and_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        pseudonym_key(config())
    assert "RECOVERYLINK_PSEUDONYM_KEY" in str(caught.value)
    assert str(tmp_path / "secrets.toml") in str(caught.value)


def test_short_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOVERYLINK_PSEUDONYM_KEY", "x" * 31)
    with pytest.raises(ConfigError, match=r"RECOVERYLINK_PSEUDONYM_KEY is 31 bytes.*at least 32"):
        pseudonym_key(config())


def test_short_key_from_the_secrets_file(tmp_path: Path) -> None:
    write(tmp_path / "secrets.toml", "pseudonym_key = 'short'\n")
    with pytest.raises(ConfigError, match=r"secrets\.toml is 5 bytes"):
        pseudonym_key(config())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"pseudonym_key = '{KEY}'\napi_token = 'x'\n", "unknown setting 'api_token'"),
        ("pseudonym_key = 42\n", "pseudonym_key in .* must be a string"),
    ],
)
def test_bad_secrets_file(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "secrets.toml", text)
    with pytest.raises(ConfigError, match=message):
        pseudonym_key(config())
