"""The subset of ODSQL the extract uses in `where` and `refine`, parsed into bounds and regions.

Anything outside the subset is a 400, as a typo would be on the real service: comparisons on
`date_heure` (dates or datetimes, read in the request time zone when they have no offset) and
equality on `code_insee_region` / `libelle_region`, joined by `and`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from tools.standin import generator
from tools.standin.errors import RequestError, ods_error

_CLAUSE = re.compile(
    r"""^`?(?P<field>[a-z_][a-z0-9_]*)`?\s*(?P<op>>=|<=|!=|=|>|<)\s*
        (?:(?P<kind>date)\s*)?(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)"|(?P<bare>[0-9.]+))$""",
    re.IGNORECASE | re.VERBOSE,
)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_ISO_LITERAL = re.compile(
    r"\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?"
)
_REGION_FIELDS = ("code_insee_region", "libelle_region")


@dataclass
class ExportQuery:
    """What an export request asks for, after validation: bounds in epoch seconds."""

    lower: int | None = None  # inclusive
    upper: int | None = None  # exclusive
    region_codes: set[str] | None = None
    region_names: set[str] | None = None

    def keep_region(self, field: str, value: str) -> None:
        """Narrow to the regions whose `field` (code or name) is `value`."""
        target = "region_codes" if field == "code_insee_region" else "region_names"
        current = getattr(self, target)
        setattr(self, target, {value} if current is None else current & {value})

    def keep_instants(self, op: str, instant: int) -> None:
        """Narrow the [lower, upper) bounds by `date_heure <op> instant`."""
        lower = {">=": instant, ">": instant + 1, "=": instant}.get(op)
        upper = {"<": instant, "<=": instant + 1, "=": instant + 1}.get(op)
        if lower is not None:
            self.lower = lower if self.lower is None else max(self.lower, lower)
        if upper is not None:
            self.upper = upper if self.upper is None else min(self.upper, upper)


def _instant(text: str, tz: str) -> int:
    """An ODSQL date/datetime literal; without an offset it is read in the request time zone."""
    invalid = ods_error(f"ODSQL query is malformed: invalid date '{text}'")
    if not _ISO_LITERAL.fullmatch(text.strip()):
        raise invalid
    try:
        stamp = pd.Timestamp(text.strip())
    except (ValueError, TypeError) as error:
        raise invalid from error
    if pd.isna(stamp):
        raise invalid
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return int(stamp.timestamp())


def _strip_parentheses(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text


def _apply_clause(query: ExportQuery, clause: str, fields: set[str], tz: str) -> None:
    match = _CLAUSE.match(clause.strip())
    if not match:
        raise ods_error(f"ODSQL query is malformed: {clause.strip()}")
    field, op = match["field"].lower(), match["op"]
    value = next(v for v in (match["single"], match["double"], match["bare"]) if v is not None)
    if field not in fields:
        raise ods_error(f"ODSQL query is malformed: Unknown field: {field}")
    if field == "date_heure":
        if op == "!=":
            raise ods_error("ODSQL query is malformed: unsupported operator != on date_heure")
        query.keep_instants(op, _instant(value, tz))
    elif field in _REGION_FIELDS and op == "=":
        query.keep_region(field, value)
    else:
        raise ods_error(
            f"ODSQL query is malformed: the stand-in cannot filter on {field} {op} {value}"
        )


def parse_where(where: str, dataset: str, tz: str) -> ExportQuery:
    """Parse the subset of ODSQL the extract uses; anything else is a 400, as a typo would be."""
    query = ExportQuery()
    fields = {name for name, _ in generator.DATASETS[dataset].columns}
    where = _strip_parentheses(where)
    if not where:
        return query
    if re.search(r"\bor\b|\bnot\b|\(|\)", where, re.IGNORECASE):
        raise ods_error(
            "ODSQL query is malformed: the stand-in supports only comparisons joined by 'and'"
        )
    for clause in _AND.split(where):
        _apply_clause(query, clause, fields, tz)
    return query


def _refine_error(message: str) -> RequestError:
    return ods_error(message, code="InvalidRESTParameterError")


def apply_refines(query: ExportQuery, refines: list[str], dataset: str) -> None:
    """`refine=code_insee_region:"53"` / `refine=libelle_region:"Bretagne"` (exact facets)."""
    for refine in refines:
        field, colon, value = refine.partition(":")
        if field not in _REGION_FIELDS or not colon:
            raise _refine_error(f"Invalid refine: {refine}")
        if generator.DATASETS[dataset].scope != "regional":
            raise _refine_error(f"Unknown field: {field}")
        query.keep_region(field, value.strip().strip('"'))
