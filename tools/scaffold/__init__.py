"""`make new-source NAME=... KIND=csv|api [SAMPLE=file] [KEY=col,...]`: a third source, scaffolded.

Writes, from the templates in tools/scaffold/templates/, a package `extract/sources/<name>/` of
the built-in sources' shape (the dlt source in `__init__.py`, then `fetch.py`, `parse.py`,
`load.py`), a `[sources.<name>]` section in `.dlt/config.toml`, the staging folder
`dbt_project/models/staging/<name>/` and, with a sample, `tests/data/<name>/` and
`tests/extract/test_source_<name>.py`. Nothing is overwritten: an existing name is refused.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template

from dlt.common.normalizers.naming.snake_case import NamingConvention

from tools.scaffold.sample import ScaffoldError, is_number, sample_columns

PROJECT_DIR = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "templates"
MODULES = ("__init__", "fetch", "parse", "load")  # the package, in step order
NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
RESERVED = {"eco2mix", "open_meteo", "dlt", "scaffold", "standin", "landing", "warehouse"}
to_column = NamingConvention().normalize_identifier  # what dlt names a column in raw

__all__ = ["ScaffoldError", "main", "scaffold"]


@dataclass
class Request:
    """What to scaffold, and where each of its files goes."""

    name: str
    kind: str
    project_dir: Path
    sample: Path | None
    key: list[str] | None
    delimiter: str
    records_path: str

    @property
    def package(self) -> Path:
        return self.project_dir / "extract" / "sources" / self.name

    @property
    def staging(self) -> Path:
        return self.project_dir / "dbt_project" / "models" / "staging" / self.name

    @property
    def config(self) -> Path:
        return self.project_dir / ".dlt" / "config.toml"

    @property
    def test(self) -> Path:
        return self.project_dir / "tests" / "extract" / f"test_source_{self.name}.py"

    @property
    def data(self) -> Path:
        return self.project_dir / "tests" / "data" / self.name


def scaffold(
    name: str,
    kind: str,
    project_dir: Path = PROJECT_DIR,
    sample: Path | None = None,
    key: list[str] | None = None,
    delimiter: str = ",",
    records_path: str = "",
) -> list[Path]:
    """Write the new source's files into project_dir; return their paths."""
    request = Request(name, kind, project_dir, sample, key, delimiter, records_path)
    check_request(request)
    columns = (
        sample_columns(sample, kind, delimiter, records_path)
        if sample
        else [{"name": column, "values": []} for column in (key or ["id"])]
    )
    raw_names = {column["name"]: to_column(column["name"]) for column in columns}
    key = key or [columns[0]["name"]]
    unknown = [column for column in key if column not in raw_names]
    if unknown:
        raise ScaffoldError(
            f"KEY column(s) {', '.join(unknown)} not in the sample's columns "
            f"{', '.join(raw_names)}: fix KEY."
        )
    values = template_values(request, columns, raw_names, key)
    written = write_package(request, values) + write_staging(request, values)
    written.append(append_config(request, key, [raw_names[column] for column in key]))
    if sample is not None:
        written += write_sample_test(request, sample, key, values["title"])
    return written


def check_request(request: Request) -> None:
    """Refuse a bad name or kind, a missing sample, and any name already taken."""
    name = request.name
    if not NAME.match(name) or name in RESERVED:
        raise ScaffoldError(
            f"NAME={name!r} is not usable: lower case letters, digits and _ (2 to 31 characters, "
            f"starting with a letter), and not one of {', '.join(sorted(RESERVED))}."
        )
    if request.kind not in ("csv", "api"):
        raise ScaffoldError(f"KIND={request.kind!r} is not csv or api.")
    paths = [request.package, request.package.with_suffix(".py"), request.staging]
    if request.sample is not None:
        paths += [request.test, request.data / request.sample.name]
    taken = [path for path in paths if path.exists()]
    config = request.config.read_text(encoding="utf-8") if request.config.is_file() else ""
    if re.search(rf"^\[sources\.{name}\]", config, re.MULTILINE):
        taken.append(request.config)
    if taken:
        where = taken[0].relative_to(request.project_dir)
        raise ScaffoldError(f"a source named {name} exists already ({where}): pick another NAME.")
    if request.sample is not None and not request.sample.is_file():
        raise ScaffoldError(f"SAMPLE={request.sample} is not a file.")


def select_line(column: str, values: list, kind: str) -> str:
    """One line of the staging SELECT: CSV text that is numeric in the sample is cast."""
    quoted = f'"{column}"' if keyword.iskeyword(column) or column in {"time", "date"} else column
    if kind == "csv" and is_number(values):
        return f"        cast(nullif({quoted}, '') as numeric) as {column},"
    return f"        {quoted} as {column}," if quoted != column else f"        {column},"


def template_values(
    request: Request, columns: list[dict], raw_names: dict[str, str], key: list[str]
) -> dict[str, str]:
    """What the templates' `$placeholders` stand for."""
    raw_key = ", ".join(raw_names[column] for column in key)
    return {
        "name": request.name,
        "upper": request.name.upper(),
        "title": request.name.replace("_", " ").capitalize(),
        "key_words": raw_key,
        "key_list": raw_key,
        "source_columns": "\n".join(
            f"          - name: {raw_names[c['name']]}\n"
            f"            description: '`{c['name']}` as published.'"
            + ("\n            data_tests:\n              - not_null" if c["name"] in key else "")
            for c in columns
        ),
        "model_columns": "\n".join(
            f"      - name: {raw_names[c['name']]}\n"
            f"        description: '`{c['name']}` as published (TODO: meaning and unit).'"
            for c in columns
        ),
        "select_columns": "\n".join(
            select_line(raw_names[c["name"]], c["values"], request.kind) for c in columns
        ),
    }


def render(template: str, **values: str) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)


def write(path: Path, template: str, values: dict[str, str]) -> Path:
    path.write_text(render(template, **values), encoding="utf-8")
    return path


def write_package(request: Request, values: dict[str, str]) -> list[Path]:
    """`extract/sources/<name>/`: the dlt source, then one module per step."""
    request.package.mkdir(parents=True)
    return [
        write(request.package / f"{module}.py", f"{request.kind}/{module}.py.tmpl", values)
        for module in MODULES
    ]


def write_staging(request: Request, values: dict[str, str]) -> list[Path]:
    """The raw table as a dbt source, its staging model, and their docs and tests."""
    staging, name = request.staging, request.name
    staging.mkdir(parents=True)
    return [
        write(staging / f"_{name}__sources.yml", "sources.yml.tmpl", values),
        write(staging / f"stg_{name}__{name}.yml", "models.yml.tmpl", values),
        write(staging / f"stg_{name}__{name}.sql", "staging.sql.tmpl", values),
    ]


def append_config(request: Request, key: list[str], raw_key: list[str]) -> Path:
    """A `[sources.<name>]` section at the end of `.dlt/config.toml`."""
    name, kind = request.name, request.kind
    settings = [
        f"\n[sources.{name}]  # scaffolded by make new-source (extract/sources/{name}/)",
        'url = ""         # TODO: where the data is published (or set local_path)',
        'local_path = ""  # a file you downloaded by hand (used instead of url when set)',
        f"primary_key = {json.dumps(raw_key if kind == 'api' else key)}",
    ]
    settings += [f'delimiter = "{request.delimiter}"'] if kind == "csv" else []
    settings += [f'records_path = "{request.records_path}"'] if kind == "api" else []
    with request.config.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(settings) + "\n")
    return request.config


def write_sample_test(request: Request, sample: Path, key: list[str], title: str) -> list[Path]:
    """The sample in `tests/data/<name>/`, and a test that it lands and parses into every row."""
    name, delimiter = request.name, request.delimiter
    request.data.mkdir(parents=True, exist_ok=True)
    copy = Path(shutil.copyfile(sample, request.data / sample.name))
    rows = len(sample_columns(sample, request.kind, delimiter, request.records_path)[0]["values"])
    if request.kind == "csv":
        parser = "read_batches"
        body = [
            f'    (landed,) = land("", str(SAMPLE), {json.dumps(delimiter)})',
            f"    batches = read_batches(landed, {json.dumps(delimiter)}, {json.dumps(key)})",
            f"    assert sum(batch.num_rows for batch in batches) == {rows}",
        ]
    else:
        parser = "find_records"
        body = [
            '    landed = land("", str(SAMPLE), {})',
            f"    assert len(find_records(landed, {json.dumps(request.records_path)})) == {rows}",
        ]
    imports = (
        f"from extract.sources.{name}.fetch import land\n"
        f"from extract.sources.{name}.parse import {parser}"
    )
    request.test.parent.mkdir(parents=True, exist_ok=True)
    values = {"name": name, "title": title, "imports": imports, "sample_name": sample.name}
    test = write(request.test, "test_source.py.tmpl", {**values, "body": "\n".join(body)})
    return [copy, test]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.scaffold", description=__doc__)
    parser.add_argument("name", help="the source's name: lower case, digits and _")
    parser.add_argument("--kind", choices=["csv", "api"], required=True)
    parser.add_argument("--sample", type=Path, help="a small sample file (CSV, or JSON for api)")
    parser.add_argument("--key", default="", help="primary key column(s), comma-separated")
    parser.add_argument("--delimiter", default=",", help="CSV delimiter (default ,)")
    parser.add_argument("--records-path", default="", help="api: dot-separated path to records")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        written = scaffold(
            args.name,
            args.kind,
            args.project_dir,
            args.sample,
            [column for column in args.key.split(",") if column] or None,
            args.delimiter,
            args.records_path,
        )
    except (ScaffoldError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Source {args.name} ({args.kind}) scaffolded:")
    for path in written:
        print(f"  {path.relative_to(args.project_dir)}")
    print(
        f"Next: fill in the TODOs (url or local_path in .dlt/config.toml), then\n"
        f"  make extract SOURCE={args.name}\n"
        f"  (cd dbt_project && ../.venv/bin/dbt build --select stg_{args.name}__{args.name})\n"
        f"See docs/add-a-source.md."
    )
    return 0
