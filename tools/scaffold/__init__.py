"""`make new-source NAME=... KIND=csv|api [SAMPLE=file] [KEY=col,...]`: a third source, scaffolded.

Writes, from the templates in tools/scaffold/templates/:

- `extract/sources/<name>.py`: a working dlt source (land every file, load it as-is into
  `raw.<name>`, merged on the key); `python -m extract <name>` finds it by its name;
- `[sources.<name>]` in `.dlt/config.toml`: url, local_path, primary key;
- `dbt_project/models/staging/<name>/`: the raw source, a staging model with one line per column,
  its docs and key tests;
- with a sample file: a copy in `tests/data/<name>/` and `tests/test_source_<name>.py`.

With a sample (a CSV file, or a JSON response with `--records-path`), the columns and the key come
from it: the staging model builds as soon as the sample is loaded. Without one, fill in the
columns where the files say TODO. Nothing is overwritten: an existing source name is refused.
"""

from __future__ import annotations

import argparse
import csv
import json
import keyword
import re
import shutil
import sys
from pathlib import Path
from string import Template

from dlt.common.normalizers.naming.snake_case import NamingConvention

PROJECT_DIR = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parent / "templates"
NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
RESERVED = {"eco2mix", "open_meteo", "dlt", "scaffold", "standin", "landing", "warehouse"}
to_column = NamingConvention().normalize_identifier  # what dlt names a column in raw


class ScaffoldError(ValueError):
    """A bad name, kind or sample; the message says how to fix it."""


def sample_columns(sample: Path, kind: str, delimiter: str, records_path: str) -> list[dict]:
    """[{name, values}] from a sample: the CSV header and its values, or the records' keys."""
    if kind == "csv":
        with sample.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=delimiter))
        if len(rows) < 2 or len(rows[0]) < 2:
            raise ScaffoldError(
                f"{sample} has no header and rows delimited by {delimiter!r}: "
                f"pass the right DELIMITER or a bigger sample."
            )
        header, body = rows[0], rows[1:]
        return [
            {"name": name, "values": [row[i] for row in body if i < len(row)]}
            for i, name in enumerate(header)
        ]
    found = json.loads(sample.read_text(encoding="utf-8"))
    for key in filter(None, records_path.split(".")):
        found = found.get(key) if isinstance(found, dict) else None
    if not isinstance(found, list) or not found or not isinstance(found[0], dict):
        raise ScaffoldError(
            f"{sample}: no list of records at `{records_path or '(the body)'}`: "
            f"pass RECORDS_PATH (dot-separated keys)."
        )
    names = list(dict.fromkeys(key for record in found for key in record))
    scalar = [n for n in names if not isinstance(found[0].get(n), dict | list)]
    return [{"name": n, "values": [r.get(n) for r in found]} for n in scalar]


def sample_rows(sample: Path, kind: str, delimiter: str, records_path: str) -> int:
    return len(sample_columns(sample, kind, delimiter, records_path)[0]["values"])


def is_number(values: list) -> bool:
    present = [str(v) for v in values if v not in (None, "")]
    return bool(present) and all(re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", v) for v in present)


def select_line(column: str, values: list, kind: str) -> str:
    """One line of the staging SELECT: CSV text that is numeric in the sample is cast."""
    quoted = f'"{column}"' if keyword.iskeyword(column) or column in {"time", "date"} else column
    if kind == "csv" and is_number(values):
        return f"        cast(nullif({quoted}, '') as numeric) as {column},"
    return f"        {quoted} as {column}," if quoted != column else f"        {column},"


def render(template: str, **values: str) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)


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
    if not NAME.match(name) or name in RESERVED:
        raise ScaffoldError(
            f"NAME={name!r} is not usable: lower case letters, digits and _ (2 to 31 characters, "
            f"starting with a letter), and not one of {', '.join(sorted(RESERVED))}."
        )
    if kind not in ("csv", "api"):
        raise ScaffoldError(f"KIND={kind!r} is not csv or api.")
    module = project_dir / "extract" / "sources" / f"{name}.py"
    staging = project_dir / "dbt_project" / "models" / "staging" / name
    if module.exists() or staging.exists():
        raise ScaffoldError(f"a source named {name} exists already ({module}): pick another NAME.")
    if sample is not None and not sample.is_file():
        raise ScaffoldError(f"SAMPLE={sample} is not a file.")

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
    raw_key = [raw_names[column] for column in key]
    title = name.replace("_", " ").capitalize()
    values = {
        "name": name,
        "upper": name.upper(),
        "title": title,
        "key_words": ", ".join(raw_key),
        "key_list": ", ".join(raw_key),
        "source_columns": "\n".join(
            f"          - name: {raw_names[c['name']]}\n"
            f"            description: '`{c['name']}` as published.'"
            + ("\n            data_tests:\n              - not_null" if c["name"] in key else "")
            for c in columns
        ),
        "model_columns": "\n".join(
            f"      - name: {raw_names[c['name']]}\n"
            f"        description: '`{c['name']}` as published (TODO: meaning and unit).'"
            + ("\n        data_tests:\n          - not_null" if c["name"] in key else "")
            for c in columns
        ),
        "select_columns": "\n".join(
            select_line(raw_names[c["name"]], c["values"], kind) for c in columns
        ),
    }
    written = [module, staging / f"_{name}__sources.yml", staging / f"_{name}__models.yml"]
    staging.mkdir(parents=True)
    module.write_text(render(f"{kind}_source.py.tmpl", **values), encoding="utf-8")
    written[1].write_text(render("sources.yml.tmpl", **values), encoding="utf-8")
    written[2].write_text(render("models.yml.tmpl", **values), encoding="utf-8")
    model = staging / f"stg_{name}__{name}.sql"
    model.write_text(render("staging.sql.tmpl", **values), encoding="utf-8")
    written.append(model)

    config = project_dir / ".dlt" / "config.toml"
    settings = [
        f"\n[sources.{name}]  # scaffolded by make new-source (extract/sources/{name}.py)",
        'url = ""         # TODO: where the data is published (or set local_path)',
        'local_path = ""  # a file you downloaded by hand (used instead of url when set)',
        f"primary_key = {json.dumps(raw_key if kind == 'api' else key)}",
    ]
    settings += [f'delimiter = "{delimiter}"'] if kind == "csv" else []
    settings += [f'records_path = "{records_path}"'] if kind == "api" else []
    with config.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(settings) + "\n")
    written.append(config)

    if sample is not None:
        data = project_dir / "tests" / "data" / name
        data.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sample, data / sample.name)
        rows = sample_rows(sample, kind, delimiter, records_path)
        if kind == "csv":
            imports = "land, read_batches"
            body = [
                f'    (landed,) = land("", str(SAMPLE), {json.dumps(delimiter)})',
                f"    batches = read_batches(landed, {json.dumps(delimiter)}, {json.dumps(key)})",
                f"    assert sum(batch.num_rows for batch in batches) == {rows}",
            ]
        else:
            imports = "find_records, land"
            body = [
                '    landed = land("", str(SAMPLE), {})',
                f"    assert len(find_records(landed, {json.dumps(records_path)})) == {rows}",
            ]
        test = project_dir / "tests" / f"test_source_{name}.py"
        test.write_text(
            render(
                "test_source.py.tmpl",
                name=name,
                title=title,
                imports=imports,
                sample_name=sample.name,
                body="\n".join(body),
            ),
            encoding="utf-8",
        )
        written += [data / sample.name, test]
    return written


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
