"""`make lint` keeps files and functions small enough to read: a product file (extract/,
dashboard/, tools/) of at most MAX_FILE_LINES lines, a function of at most MAX_FUNCTION_LINES.

Usage: python -m tools.check_size [folder ...]; exits 1 and names each offender.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
FOLDERS = ("extract", "dashboard", "tools")


def offenders(path: Path) -> list[str]:
    """One line per rule the file breaks: its length, then each function that is too long."""
    text = path.read_text(encoding="utf-8")
    found = []
    lines = text.count("\n") + 1
    if lines > MAX_FILE_LINES:
        found.append(f"{path}: {lines} lines (at most {MAX_FILE_LINES}): split it by concept")
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - start + 1
            if length > MAX_FUNCTION_LINES:
                found.append(
                    f"{path}:{start}: {node.name}() is {length} lines "
                    f"(at most {MAX_FUNCTION_LINES}): split it into steps"
                )
    return found


def main(folders: list[str]) -> int:
    found = [
        line
        for folder in folders or FOLDERS
        for path in sorted(Path(folder).rglob("*.py"))
        for line in offenders(path)
    ]
    print("\n".join(found) or "check_size: every file and function is within its limit")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
