"""The configuration, checked before anything is fetched, landed or loaded.

dlt reads each source's settings (the parameters of `<name>_source`) from `SOURCES__*`
variables, `.dlt/secrets.toml` and `.dlt/config.toml`. Left alone, a TOML syntax error, a value
of the wrong type or a bad date ends in a traceback, and a misspelt key is ignored. This module
checks them all first, with dlt's own providers and coercion, and raises `ConfigError`: one line
naming the key (or the file), the bad value and the fix; `python -m extract` exits with code 2.
"""

from __future__ import annotations

import datetime as dt
import difflib
import inspect
import os
import tomllib
import typing
from pathlib import Path

import dlt
from dlt.common.configuration.exceptions import ConfigValueCannotBeCoercedException
from dlt.common.configuration.providers.toml import TomlProviderReadException
from dlt.common.configuration.utils import deserialize_value

from extract import lock

TYPE_NAMES = {str: "text", int: "whole number", float: "number", list: "list", bool: "boolean"}
# annotations as written (the sources use `from __future__ import annotations`: text)
ANNOTATIONS = {"str": str, "int": int, "float": float, "bool": bool, "list[str]": list}


class ConfigError(ValueError):
    """A bad setting; the message is one line naming the key, the value and the fix."""


def source_settings(source) -> dict[str, inspect.Parameter]:
    """The settings of a dlt source: its parameters."""
    return dict(inspect.signature(source).parameters)


def check(sources: dict, names: list[str]) -> None:
    """Raise ConfigError for the first bad setting of `names` (sources: name -> dlt source)."""
    providers = config_providers()
    settings = {name: source_settings(source) for name, source in sources.items()}
    check_known_keys(providers, settings)
    for name in names:
        values = {}
        for setting, parameter in settings[name].items():
            found = lookup(providers, name, setting)
            if found is None:
                if parameter.default is dlt.config.value:
                    raise ConfigError(
                        f"[sources.{name}] {setting} is not set: add it to .dlt/config.toml "
                        f"or set {env_name(name, setting)}."
                    )
                continue
            value, where = found
            values[setting] = (coerce(value, parameter.annotation, where), where)
        check_dates(values)
    check_wait_seconds()


def config_providers() -> list:
    """dlt's providers (environment, secrets.toml, config.toml); a TOML syntax error becomes
    one line naming the file, the line and the column."""
    try:
        return list(dlt.config.config_providers)
    except TomlProviderReadException as error:
        for path in error.full_paths:
            if os.path.isfile(path):
                try:
                    tomllib.loads(Path(path).read_text(encoding="utf-8"))
                except tomllib.TOMLDecodeError as syntax:
                    raise ConfigError(
                        f"{Path(path).resolve()} is not valid TOML ({syntax}): fix that line "
                        f"(strings in double quotes, lists in [ ], https://toml.io)."
                    ) from None
        raise ConfigError(
            f"cannot read {', '.join(error.full_paths)} ({str(error).splitlines()[-1]})."
        ) from None


def lookup(providers: list, name: str, setting: str) -> tuple[object, str] | None:
    """The value dlt would give `setting` of source `name`, and where it comes from."""
    for provider in providers:
        for sections in (("sources", name, name), ("sources", name), ("sources",)):
            value, key = provider.get_value(setting, typing.Any, None, *sections)
            if value is not None:
                if provider.name == "Environment Variables":
                    return value, key
                return value, toml_name(provider, setting, sections)
    return None


def toml_name(provider, key: str, sections: tuple[str, ...] | list[str]) -> str:
    """`.dlt/config.toml [sources.eco2mix] datasets`: a key, and the file it was read from."""
    return f"{toml_file(provider, key, sections)} [{'.'.join(sections)}] {key}"


def toml_file(provider, key: str, sections: tuple[str, ...] | list[str]) -> str:
    """The file a TOML provider read a key from (dlt's origin says `config.toml`, or
    `global:config.toml` for the global folder's)."""
    origin = provider.get_value_location(key, None, *sections)
    paths = provider.present_locations or [provider.name]
    return str(os.path.normpath(paths[-1] if origin.startswith("global:") else paths[0]))


def env_name(*parts: str) -> str:
    return "__".join(("SOURCES", *parts)).upper()


def coerce(value: object, annotation: object, where: str) -> object:
    """The value as the parameter's type, as dlt would coerce it, or ConfigError."""
    hint = type_of(annotation)
    if hint is None:
        return value
    coerced: typing.Any
    try:
        coerced = deserialize_value(where, value, hint)
    except ConfigValueCannotBeCoercedException:
        coerced = None
    if coerced is None or (hint is list and not all(isinstance(item, str) for item in coerced)):
        example = (
            '["a", "b"] (in an environment variable too: \'["a", "b"]\')'
            if hint is list
            else {"int": "45", "float": "2.5", "bool": "true"}.get(hint.__name__, '"text"')
        )
        raise ConfigError(
            f"{where} is {value!r}, not a {TYPE_NAMES[hint]}"
            f"{' of texts' if hint is list else ''}: write it like {example}."
        )
    return coerced


def type_of(annotation: object) -> type | None:
    text = annotation if isinstance(annotation, str) else str(annotation)
    known = isinstance(annotation, type) and annotation in TYPE_NAMES
    return ANNOTATIONS.get(text, annotation if known and isinstance(annotation, type) else None)


def check_known_keys(providers: list, settings: dict[str, dict]) -> None:
    """Every `SOURCES__*` variable and every key under `[sources]` must be a setting."""
    shared = set().union(*(set(names) for names in settings.values()))
    for variable in sorted(os.environ):
        parts = variable.lower().split("__")
        if parts[0] != "sources" or len(parts) < 2:
            continue
        *sections, key = parts[1:]
        check_key(variable, sections, key, settings, shared, env=True)
    for provider in providers:
        if provider.name in ("config.toml", "secrets.toml"):
            walk_toml(
                provider, [], tomllib.loads(provider.to_toml()).get("sources", {}), settings, shared
            )


def walk_toml(provider, sections: list[str], table: dict, settings, shared) -> None:
    for key, value in table.items():
        if isinstance(value, dict):
            location = toml_file(provider, key, ["sources", *sections])
            check_section(location, [*sections, key], settings)
            walk_toml(provider, [*sections, key], value, settings, shared)
        else:
            where = toml_name(provider, key, ["sources", *sections])
            check_key(where, sections, key, settings, shared, env=False)


def check_section(location: str, sections: list[str], settings: dict) -> None:
    name = sections[0]
    if name not in settings or len(sections) > 2 or sections[1:] not in ([], [name]):
        close = difflib.get_close_matches(name, settings, n=1)
        hint = f"did you mean [sources.{close[0]}]? " if close else ""
        raise ConfigError(
            f"{location} has a table [sources.{'.'.join(sections)}], which is no source: "
            f"{hint}the sources are {', '.join(settings)}."
        )


def check_key(where: str, sections, key: str, settings, shared, env: bool) -> None:
    if not sections:
        known = shared
    elif sections[0] in settings and sections[1:] in ([], [sections[0]]):
        known = set(settings[sections[0]])
    else:
        close = difflib.get_close_matches(sections[0], settings, n=1)
        fix = f"did you mean {env_name(close[0], key)}? " if close else ""
        raise ConfigError(f"{where} names no source: {fix}the sources are {', '.join(settings)}.")
    if key in known:
        return
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        fix = env_name(*sections, close[0]) if env else close[0]
        suggestion = f"did you mean {fix}? "
    else:
        suggestion = ""
    owner = f"of [sources.{sections[0]}]" if sections else "under [sources]"
    raise ConfigError(
        f"{where} is not a setting {owner}: {suggestion}"
        f"the settings are {', '.join(sorted(known))}."
    )


def check_dates(values: dict[str, tuple[object, str]]) -> None:
    """`start_date` and `end_date` (empty: up to today) are Paris days, start before end."""
    days: dict[str, dt.date] = {}
    for setting in ("start_date", "end_date"):
        if setting not in values or values[setting][0] in ("", None):
            continue
        text, where = values[setting]
        try:
            days[setting] = dt.date.fromisoformat(str(text))
        except ValueError:
            raise ConfigError(
                f"{where} is {text!r}, not a date: write it as YYYY-MM-DD, e.g. 2013-01-01."
            ) from None
    today = dt.date.today()
    start = days.get("start_date")
    if start and start > today:
        raise ConfigError(
            f"{values['start_date'][1]} is {start}, after today ({today}): nothing is "
            f"published yet; set a start_date in the past."
        )
    end = days.get("end_date")
    if start and end and end <= start:
        raise ConfigError(
            f"{values['end_date'][1]} is {end}, not after start_date {start} "
            f"({values['start_date'][1]}): the period would be empty; set end_date after "
            f"start_date (it is exclusive), or leave it empty for up to today."
        )


def check_wait_seconds() -> None:
    try:
        lock.wait_seconds()
    except ValueError as error:
        raise ConfigError(str(error)) from None
