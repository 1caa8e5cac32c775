"""The README checked against the code it describes: the files, classes, functions and methods of
"Where things live", the columns it lists for runs.csv, claims.csv and bench.csv, and every make
target, experiment script and `mlhistory` subcommand it shows."""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from mlhistory.__main__ import main
from mlhistory.judging.verdicts import CLAIMS_COLUMNS
from mlhistory.paths import PROJECT_ROOT
from mlhistory.results import integrity, schema

README = (PROJECT_ROOT / "README.md").read_text()
FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
# A code span may run over a line break; its text is read with the break as a space.
CODE_SPAN = re.compile(r"`([^`]+)`")
# The folders of the project's own code and data description; results/ holds outputs instead.
SOURCE_FOLDERS = ("mlhistory/", "experiments/", "tests/", "data/")
IDENTIFIER = re.compile(r"@?[A-Za-z_]\w*")
# One or more code spans followed by "method(s)": "its `run_labels` and `evaluate` methods".
METHODS = re.compile(r"((?:`\w+`(?:,| and| or)?\s+)+)methods?\b")


def section(heading: str) -> str:
    """The README's text under '## heading', up to the next heading of that level."""
    found = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", README, re.MULTILINE | re.DOTALL)
    assert found, f"the README has no section '{heading}'"
    return found.group(1)


def code_spans(text: str) -> list[str]:
    return [" ".join(span.split()) for span in CODE_SPAN.findall(FENCED.sub("", text))]


def commands() -> list[str]:
    """Every command the README shows: its code blocks' lines and its code spans."""
    lines = [line for block in FENCED.findall(README) for line in block.splitlines()]
    return lines + code_spans(README)


def python_files(relative: str) -> list[Path]:
    path = PROJECT_ROOT / relative
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


@cache
def top_level_names(path: Path) -> frozenset[str]:
    """What a module defines or imports at its top level."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return frozenset(names)


@cache
def class_members() -> dict[str, dict[str, set[str]]]:
    """For every class of the package, by name: its methods and its fields (or class attributes)."""
    members = {}
    for path in python_files("mlhistory"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                entry = members.setdefault(node.name, {"methods": set(), "fields": set()})
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        entry["methods"].add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        entry["fields"].add(item.target.id)
                    elif isinstance(item, ast.Assign):
                        entry["fields"] |= {target.id for target in item.targets
                                            if isinstance(target, ast.Name)}
    return members


def where_things_live() -> list[tuple[str, str, list[str]]]:
    """The rows of the table: (what to add, what to change, the paths it is in)."""
    rows = []
    for line in section("Where things live").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0] not in ("to add", "---"):
            rows.append((cells[0], cells[1], code_spans(cells[2])))
    assert len(rows) >= 6, "the table of 'Where things live' was not found"
    return rows


def is_path(span: str) -> bool:
    return "/" in span or bool(re.fullmatch(r"[\w.-]+\.(py|json|csv|md|toml)", span))


@pytest.mark.parametrize("row", where_things_live(), ids=lambda row: row[0])
def test_where_things_live_names_files_that_exist(row):
    _, change, paths = row
    folders = [PROJECT_ROOT / path if (PROJECT_ROOT / path).is_dir() else (PROJECT_ROOT / path).parent
               for path in paths]
    for path in paths:
        assert (PROJECT_ROOT / path).exists(), f"{path} does not exist"
    for span in filter(is_path, code_spans(change)):
        if "/" in span:
            assert (PROJECT_ROOT / span).exists(), f"{span} does not exist"
        else:  # a bare file name lives in one of the row's folders
            assert any((folder / span).exists() for folder in folders), \
                f"{span} is in none of {', '.join(paths)}"


@pytest.mark.parametrize("row", where_things_live(), ids=lambda row: row[0])
def test_where_things_live_names_classes_functions_and_methods_that_exist(row):
    _, change, paths = row
    defined = set().union(*(top_level_names(file) for path in paths for file in python_files(path)))
    names = [span.lstrip("@") for span in code_spans(change)
             if IDENTIFIER.fullmatch(span) and not is_path(span)]
    classes = [name for name in names if name in class_members()]
    methods = {method for group in METHODS.findall(change) for method in CODE_SPAN.findall(group)}
    for method in methods:
        assert any(method in class_members()[name]["methods"] for name in classes), \
            f"`{method}` is a method of none of {', '.join(classes)}"
    for name in set(names) - methods:
        fields = set().union(*(class_members()[owner]["fields"] for owner in classes))
        assert name in defined or name in fields, \
            f"`{name}` is defined in none of {', '.join(paths)}, nor a field of {', '.join(classes)}"


def test_where_things_live_names_files_and_packages_the_code_has():
    text = section("Where things live")
    table_end = text.index("\n\n", text.index("| to add |"))
    spans = code_spans(text[table_end:])
    # Files of the results, by the names the results schema gives them.
    result_files = {value for value in vars(schema).values()
                    if isinstance(value, str) and re.fullmatch(r"\w+\.(csv|json|npz)", value)}
    recorded_fields = {value for value in vars(integrity).values() if isinstance(value, str)}
    for span in spans:
        if "<" in span or ", " in span or span.startswith("."):
            continue  # a pattern, a column list (checked below), or a suffix
        if span.startswith(SOURCE_FOLDERS):
            assert (PROJECT_ROOT / span).exists(), f"{span} does not exist"
        elif re.fullmatch(r"\w+\.(csv|json|npz)", span):
            assert span in result_files, f"{span} is no file the results schema names"
        elif IDENTIFIER.fullmatch(span):
            # A layer of the package, or a field the results' files record (integrity.py names
            # them, e.g. the digests a metadata.json keeps).
            assert (PROJECT_ROOT / "mlhistory" / span / "__init__.py").exists() \
                or span in recorded_fields, f"`{span}` is no layer of the package nor a field " \
                                            "the results' files record"


@pytest.mark.parametrize("file_name, columns", [
    ("runs.csv", schema.COLUMNS),
    ("claims.csv", CLAIMS_COLUMNS),
    ("bench.csv", schema.BENCH_COLUMNS),
])
def test_the_column_lists_are_the_codes(file_name, columns):
    # "`runs.csv` (one row per run: `experiment, dataset, ...`)": the first code span after it.
    found = re.search(rf"`(?:[\w/]+/)?{re.escape(file_name)}` \([^`]*`([^`]+)`",
                      section("Where things live"))
    assert found, f"the README lists no columns for {file_name}"
    assert [column.strip() for column in found.group(1).split(",")] == list(columns)


def makefile_targets() -> set[str]:
    text = (PROJECT_ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", text, re.MULTILINE))


def test_every_make_command_is_a_target_of_the_makefile():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    shown = [match for command in commands()
             for match in re.findall(r"(?:^|[\s;&|(])make((?:\s+[^\s#;&|]+)+)", command)]
    assert len(shown) > 10, "the README's make commands were not found"
    for arguments in shown:
        words = arguments.split()
        targets = [word for word in words if not word.startswith("-") and "=" not in word]
        assert targets and targets[0] in makefile_targets(), f"make{arguments}: no such target"
        for variable, value in (word.split("=", 1) for word in words if "=" in word):
            assert f"$({variable})" in makefile or f"ifdef {variable}" in makefile, \
                f"make{arguments}: the Makefile reads no {variable}"
            if variable == "NAME":
                assert (PROJECT_ROOT / "experiments" / f"{value}.py").exists(), f"make{arguments}"


def test_every_experiment_script_shown_exists():
    scripts = {name for text in commands() for name in re.findall(r"\b(\d\d_\w+\.py)\b", text)}
    assert len(scripts) >= 12, "the README's experiment scripts were not found"
    for name in scripts:
        assert (PROJECT_ROOT / "experiments" / name).exists(), f"experiments/{name} does not exist"


def test_every_mlhistory_subcommand_shown_exists(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    choices = re.search(r"\{([\w,]+)\}", capsys.readouterr().out).group(1).split(",")
    shown = {match for command in commands()
             for match in re.findall(r"(?:^|[\s/])mlhistory ([a-z]\w*)", command)}
    # "Other tools, as `.venv/bin/mlhistory COMMAND` ...: `models` lists the registry, ...": each
    # code span after the colon starts with a subcommand.
    tools = next(paragraph for paragraph in README.split("\n\n") if "mlhistory COMMAND" in paragraph)
    shown |= {span.split()[0] for span in code_spans(tools.split(":", 1)[1])}
    assert len(shown) >= 5, "the README's mlhistory subcommands were not found"
    assert sorted(shown - set(choices)) == []
