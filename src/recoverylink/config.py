"""Settings: packaged defaults, overridden by TOML files and the environment.

Layers, each overriding the one before, setting by setting:

1. ``default_config.toml`` shipped in the package (every setting, documented);
2. ``recoverylink.toml`` in the current folder, if there is one;
3. the file passed as ``path`` (the CLI's ``--config``) or, failing that, the
   file named by ``RECOVERYLINK_CONFIG``;
4. environment variables for the settings that have one (``_SETTINGS``).

Secrets never come from these files: :func:`pseudonym_key` reads the
environment or a git-ignored ``secrets.toml``.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from recoverylink.errors import ConfigError

CONFIG_ENV = "RECOVERYLINK_CONFIG"
PSEUDONYM_KEY_ENV = "RECOVERYLINK_PSEUDONYM_KEY"
LOCAL_CONFIG_NAME = "recoverylink.toml"
SECRETS_FILE_NAME = "secrets.toml"
MIN_KEY_BYTES = 32
PACKAGED_DEFAULTS = "packaged defaults"


@dataclass(frozen=True)
class PathsConfig:
    data_dir: Path


@dataclass(frozen=True)
class DuckDBConfig:
    memory_limit: str
    threads: int


@dataclass(frozen=True)
class SynthConfig:
    default_seed: int
    default_scale: float


@dataclass(frozen=True)
class LinkageConfig:
    match_threshold: float


@dataclass(frozen=True)
class IngestConfig:
    """Limits on submitted files (see ``recoverylink.spec.limits.ReadLimits``)."""

    max_zip_bytes: int
    max_csv_bytes: int
    max_unzipped_bytes: int
    max_compression_ratio: float
    max_field_bytes: int


@dataclass(frozen=True)
class Config:
    paths: PathsConfig
    duckdb: DuckDBConfig
    synth: SynthConfig
    linkage: LinkageConfig
    ingest: IngestConfig
    sources: tuple[str, ...]
    """Where the settings came from, lowest layer first."""
    secrets_file: Path
    """The ``secrets.toml`` that :func:`pseudonym_key` reads if the environment has no key."""


_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)$", re.IGNORECASE)


def _non_empty(value: Any) -> str | None:
    return None if value.strip() else "must not be empty"


def _memory_limit(value: Any) -> str | None:
    return None if _MEMORY.match(value.strip()) else 'must be a size such as "512MB" or "4GB"'


def _at_least_one(value: Any) -> str | None:
    return None if value >= 1 else "must be 1 or more"


def _not_negative(value: Any) -> str | None:
    return None if value >= 0 else "must be 0 or more"


def _positive(value: Any) -> str | None:
    return None if value > 0 else "must be more than 0"


def _ratio(value: Any) -> str | None:
    return None if value >= 1 else "must be 1 or more"


def _between_0_and_1(value: Any) -> str | None:
    return None if 0 < value < 1 else "must be more than 0 and less than 1"


class _Setting(NamedTuple):
    kind: type
    """The TOML type a file must give: ``str``, ``int`` or ``float`` (ints accepted)."""
    check: Callable[[Any], str | None]
    """Returns what is wrong with a value of the right type, or None."""
    env: str | None = None


_SETTINGS: dict[str, dict[str, _Setting]] = {
    "paths": {"data_dir": _Setting(str, _non_empty, "RECOVERYLINK_DATA_DIR")},
    "duckdb": {
        "memory_limit": _Setting(str, _memory_limit, "RECOVERYLINK_DUCKDB_MEMORY_LIMIT"),
        "threads": _Setting(int, _at_least_one, "RECOVERYLINK_DUCKDB_THREADS"),
    },
    "synth": {
        "default_seed": _Setting(int, _not_negative),
        "default_scale": _Setting(float, _positive),
    },
    "linkage": {"match_threshold": _Setting(float, _between_0_and_1)},
    "ingest": {
        "max_zip_bytes": _Setting(int, _at_least_one),
        "max_csv_bytes": _Setting(int, _at_least_one),
        "max_unzipped_bytes": _Setting(int, _at_least_one),
        "max_compression_ratio": _Setting(float, _ratio),
        "max_field_bytes": _Setting(int, _at_least_one),
    },
}

SETTING_ENV_VARS: dict[str, str] = {
    setting.env: f"{section}.{key}"
    for section, settings in _SETTINGS.items()
    for key, setting in settings.items()
    if setting.env
}
"""Environment variable -> the setting it overrides, as ``section.key``."""

_Values = dict[tuple[str, str], Any]


def load_config(path: Path | None = None) -> Config:
    """Read the settings, each layer overriding the one before (see the module docstring)."""
    text = resources.files("recoverylink").joinpath("default_config.toml").read_text("utf-8")
    values = _file_values(tomllib.loads(text), PACKAGED_DEFAULTS, base=None)
    sources = [PACKAGED_DEFAULTS]
    missing = [f"{s}.{k}" for s in _SETTINGS for k in _SETTINGS[s] if (s, k) not in values]
    if missing:
        raise ConfigError(f"packaged defaults lack {', '.join(missing)}; reinstall RecoveryLink")

    local = Path.cwd() / LOCAL_CONFIG_NAME
    chosen, named_by = path, "--config"
    if chosen is None and os.environ.get(CONFIG_ENV):
        chosen, named_by = Path(os.environ[CONFIG_ENV]), CONFIG_ENV
    for file, origin in ((local if local.is_file() else None, ""), (chosen, named_by)):
        if file is not None:
            where = str(file)
            values.update(_file_values(_read_toml(file, origin), where, base=file.parent))
            sources.append(where)

    env_values = _env_values()
    if env_values:
        values.update(env_values)
        sources.append("environment")
    return _build(values, tuple(sources))


def _read_toml(path: Path, named_by: str, what: str = "config file") -> dict[str, Any]:
    named = f" (named by {named_by})" if named_by else ""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{what} {path}{named} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}{named}: {exc.strerror}") from None


def _refuse_secrets(data: dict[str, Any], where: str) -> None:
    """Stop a secret from being read out of (and so encouraged into) a config file."""
    found = "[secrets]" if "secrets" in data else None
    if found is None and _holds_key(data, "pseudonym_key"):
        found = "pseudonym_key"
    if found:
        raise ConfigError(
            f"{where} holds {found}, but secrets never go in a config file: set the "
            f"environment variable {PSEUDONYM_KEY_ENV} or put it in {SECRETS_FILE_NAME}"
        )


def _holds_key(data: dict[str, Any], name: str) -> bool:
    return any(
        key == name or (isinstance(value, dict) and _holds_key(value, name))
        for key, value in data.items()
    )


def _file_values(data: dict[str, Any], where: str, base: Path | None) -> _Values:
    _refuse_secrets(data, where)
    values: _Values = {}
    for section, table in data.items():
        known = _SETTINGS.get(section)
        if known is None:
            kind = "section" if isinstance(table, dict) else "setting"
            raise ConfigError(
                f"unknown {kind} {section!r} in {where}; known sections: {', '.join(_SETTINGS)}"
            )
        if not isinstance(table, dict):
            raise ConfigError(f"{section!r} in {where} must be a table ([{section}])")
        for key, raw in table.items():
            setting = known.get(key)
            if setting is None:
                raise ConfigError(
                    f"unknown setting '{section}.{key}' in {where}; "
                    f"[{section}] has {', '.join(known)}"
                )
            name = f"'{section}.{key}' in {where}"
            value = _checked(_from_toml(raw, setting.kind, name), setting, name)
            if (section, key) == ("paths", "data_dir") and base is not None:
                value = str(base / Path(value).expanduser())
            values[section, key] = value
    return values


def _env_values() -> _Values:
    values: _Values = {}
    for env, dotted in SETTING_ENV_VARS.items():
        text = os.environ.get(env, "")
        if text:
            section, key = dotted.split(".")
            setting = _SETTINGS[section][key]
            name = f"environment variable {env}"
            values[section, key] = _checked(_from_text(text, setting.kind, name), setting, name)
    return values


def _from_toml(raw: Any, kind: type, name: str) -> Any:
    if not _has_type(raw, kind):
        expected = {str: "a string", int: "a whole number", float: "a number"}[kind]
        raise ConfigError(f"{name} must be {expected}, not {raw!r}")
    return float(raw) if kind is float else raw


def _has_type(raw: Any, kind: type) -> bool:
    accepted = (int, float) if kind is float else (kind,)
    return isinstance(raw, accepted) and not isinstance(raw, bool)


def _from_text(text: str, kind: type, name: str) -> Any:
    try:
        return kind(text.strip()) if kind is not str else text
    except ValueError:
        expected = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name} must be {expected}, not {text!r}") from None


def _checked(value: Any, setting: _Setting, name: str) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, not {value!r}")
    problem = setting.check(value)
    if problem:
        raise ConfigError(f"{name} {problem}, not {value!r}")
    return value


def _build(values: _Values, sources: tuple[str, ...]) -> Config:
    return Config(
        paths=PathsConfig(data_dir=Path(values["paths", "data_dir"]).expanduser()),
        duckdb=DuckDBConfig(
            memory_limit=values["duckdb", "memory_limit"].strip(),
            threads=values["duckdb", "threads"],
        ),
        synth=SynthConfig(
            default_seed=values["synth", "default_seed"],
            default_scale=values["synth", "default_scale"],
        ),
        linkage=LinkageConfig(match_threshold=values["linkage", "match_threshold"]),
        ingest=IngestConfig(**{key: values["ingest", key] for key in _SETTINGS["ingest"]}),
        sources=sources,
        secrets_file=Path.cwd() / SECRETS_FILE_NAME,
    )


def pseudonym_key(config: Config) -> bytes:
    """The pseudonymisation key: ``RECOVERYLINK_PSEUDONYM_KEY``, else ``secrets.toml``.

    Surrounding whitespace is ignored; the key must be at least 32 bytes (UTF-8).
    """
    text = os.environ.get(PSEUDONYM_KEY_ENV, "").strip()
    source = f"environment variable {PSEUDONYM_KEY_ENV}"
    if not text:
        text = _key_from_secrets_file(config.secrets_file)
        source = str(config.secrets_file)
    if not text:
        raise ConfigError(
            f"no pseudonymisation key: set the environment variable {PSEUDONYM_KEY_ENV} or "
            f"put pseudonym_key in {config.secrets_file} (at least {MIN_KEY_BYTES} bytes)"
        )
    key = text.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"the pseudonymisation key from {source} is {len(key)} bytes; "
            f"it must be at least {MIN_KEY_BYTES} bytes"
        )
    return key


def _key_from_secrets_file(path: Path) -> str:
    if not path.is_file():
        return ""
    data = _read_toml(path, "", what="secrets file")
    unknown = [key for key in data if key != "pseudonym_key"]
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r} in {path}; it may hold pseudonym_key")
    value = data.get("pseudonym_key", "")
    if not isinstance(value, str):
        raise ConfigError(f"pseudonym_key in {path} must be a string")
    return value.strip()
