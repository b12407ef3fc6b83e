"""The ``segindex`` command.

``segindex demo``
    The whole analysis on the synthetic example town, written as an HTML report.
``segindex indices``
    The tidy table of indices for a CSV or boundary file (or the example town).
``segindex report``
    The HTML report for real data: boundaries, a census table and the DfE school census
    (prepared by :func:`segindex.prepare.prepare_area`).

Exit codes: 0 success, 1 a data error (a file that cannot be read, a missing
column, a group that is not in the data, an output that would overwrite a
file), 2 a usage error (bad options), 130 interrupted (Ctrl-C). Errors are one
plain line on standard error, ``segindex: error: <message>``, never a
traceback (``--debug`` shows it); progress lines go to standard error too,
results to standard output.

Outputs never clobber: ``--out FILE`` refuses an existing file unless
``--overwrite`` is given, and always refuses a path that is one of the
command's inputs. Every CSV written gets a provenance sidecar
``<name>.provenance.json`` (see :mod:`segindex._provenance`).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from .errors import SegindexError, SegindexValueError, first_few

__all__ = ["main", "build_parser"]

PROG = "segindex"

_VECTOR_SUFFIXES = {".gpkg", ".shp", ".geojson", ".json", ".fgb", ".gml", ".kml", ".zip"}

CI_NOTE = (
    "ci_low-ci_high is the bootstrap interval centred on bias_corrected (2 x value - bootstrap mean), not on "
    "value: small units bias the measured index upward, so value may lie outside its interval."
)


def _say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
    print(f"{PROG}: warning: {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------
# reading the table of `segindex indices`: only the needed columns, typed


def _open_text(path: Path):
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    return opener(path, "rt", encoding="utf-8-sig", newline="")


def _csv_header(path: Path, what: str):
    """Delimiter and column names of a delimited text file, refusing repeated names."""
    import csv

    with _open_text(path) as fh:
        head = fh.readline()
    if not head.strip():
        raise SegindexValueError(f"cannot read {what} file {str(path)!r}: it is empty.")
    try:
        sep = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","
    names = next(csv.reader([head], delimiter=sep))
    names = [n.strip() for n in names]
    seen, repeated = set(), []
    for n in names:
        if n in seen and n not in repeated:
            repeated.append(n)
        seen.add(n)
    if repeated:
        raise SegindexValueError(
            f"the header of {what} file {str(path)!r} names the column {first_few(repeated)} more than once; "
            "rename the copies so that each column has one name."
        )
    return sep, names


def _missing_column(column, role: str, columns, source: str) -> SegindexValueError:
    import difflib

    near = difflib.get_close_matches(str(column), [str(c) for c in columns], n=3)
    hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
    shown = ", ".join(repr(str(c)) for c in list(columns)[:20]) + (", ..." if len(columns) > 20 else "")
    return SegindexValueError(f"the {role} {column!r} is not a column of {source}.{hint} Its columns are: {shown}.")


def _not_a_number(raw, column, role, source, thousands):
    """The error for a count column that does not parse as numbers: the first offending value and its line."""
    import pandas as pd

    text = raw.astype("string").str.strip()
    numbers = pd.to_numeric(text.str.replace(thousands, "", regex=False) if thousands else text, errors="coerce")
    bad = numbers.isna() & text.notna() & (text != "")
    first = int(bad.to_numpy().argmax()) if bad.any() else 0
    value = text.iloc[first]
    hint = ""
    if isinstance(value, str) and "," in value and thousands is None:
        hint = " If ',' separates thousands, add --thousands ','."
    return SegindexValueError(
        f"the {role} column {column!r} must hold numbers, but line {first + 2} of {source} has {value!r}.{hint}"
    )


def _read_csv_columns(path: Path, needed, counts, keys, thousands, what: str):
    import pandas as pd

    sep, names = _csv_header(path, what)
    source = repr(str(path))
    for column, role in needed.items():
        if column not in names:
            raise _missing_column(column, role, names, source)
    dtype = {c: "float64" for c in counts}
    dtype.update({c: "category" for c in keys})
    options = dict(sep=sep, encoding="utf-8-sig", usecols=list(needed), thousands=thousands)
    try:
        return pd.read_csv(path, dtype=dtype, **options)
    except ValueError as exc:
        if isinstance(exc, UnicodeDecodeError):
            raise
        failure = exc
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, **{**options, "usecols": list(counts)})
    for column in counts:
        try:
            pd.to_numeric(raw[column].str.replace(thousands, "", regex=False) if thousands else raw[column])
        except (ValueError, TypeError):
            raise _not_a_number(raw[column], column, needed[column], source, thousands) from None
    raise failure


def _read_vector_columns(path: Path, needed, counts, keys, layer, what: str):
    import pandas as pd
    import pyogrio

    source = repr(str(path))
    try:
        layers = pyogrio.list_layers(path)
        if layer is None and len(layers) > 1:
            raise SegindexValueError(
                f"{what} file {source} holds {len(layers)} layers ({first_few([str(x) for x in layers[:, 0]])}); "
                "choose one with --layer."
            )
        fields = list(pyogrio.read_info(path, layer=layer)["fields"])
        for column, role in needed.items():
            if column not in fields:
                raise _missing_column(column, role, fields, source)
        frame = pyogrio.read_dataframe(path, layer=layer, columns=list(needed), read_geometry=False)
    except SegindexValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyogrio raises its own error types
        raise SegindexValueError(f"cannot read {what} file {source} as a vector file: {exc}") from None
    frame = pd.DataFrame(frame)[list(needed)]
    for column in counts:
        try:
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        except (ValueError, TypeError):
            raise _not_a_number(frame[column], column, needed[column], source, None) from None
    for column in keys:
        frame[column] = frame[column].astype("category")
    return frame


def _read_table(path: str, needed: dict, counts, keys, *, thousands=None, layer=None, what: str = "--input"):
    """The columns ``needed`` (name -> role) of a CSV (any common delimiter, gzipped or not) or a vector file.

    Counts are read as float64 and area keys as categories; no other column is
    kept, so a table of millions of rows fits in memory.
    """
    import zlib

    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise SegindexValueError(f"cannot read {what} file {str(p)!r}: no such file.")
    if p.is_dir() and p.suffix.lower() != ".gdb":
        raise SegindexValueError(f"cannot read {what} file {str(p)!r}: it is a folder, not a file.")
    suffix = p.suffix.lower()
    if suffix in _VECTOR_SUFFIXES or suffix == ".gdb":
        return _read_vector_columns(p, needed, counts, keys, layer, what)
    if suffix in (".xlsx", ".xls", ".ods"):
        raise SegindexValueError(
            f"cannot read {what} file {str(p)!r}: it is a spreadsheet; save it as CSV (UTF-8) and give that file."
        )
    try:
        return _read_csv_columns(p, needed, counts, keys, thousands, what)
    except UnicodeDecodeError:
        raise SegindexValueError(
            f"cannot read {what} file {str(p)!r}: it is not UTF-8 text (a spreadsheet, or a CSV saved as "
            "Latin-1/Windows-1252?); save it as CSV (UTF-8)."
        ) from None
    except (EOFError, zlib.error) as exc:
        raise SegindexValueError(
            f"cannot read {what} file {str(p)!r}: the compressed file is truncated or corrupt ({exc}); "
            "download it again."
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        raise SegindexValueError(f"cannot read {what} file {str(p)!r} as a table: {exc}") from None


def _check_whole(data, counts: dict, source: str) -> None:
    """Refuse count columns holding values that are not whole numbers (a '.' thousands separator, typically)."""
    import numpy as np

    for column, role in counts.items():
        values = data[column].to_numpy(dtype="float64")
        bad = np.isfinite(values) & (values != np.floor(values))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise SegindexValueError(
                f"the {role} column {column!r} holds {float(values[row])!r} (data row {row + 1} of {source}), "
                "not a whole number of people. If '.' separates thousands (1.647 for 1647), add --thousands . ; "
                "if the counts are estimates, add --fractional to accept fractional counts."
            )


# ----------------------------------------------------------------------------
# commands


def _report_kwargs(args, inputs):
    """Options every report call passes: the random state, progress lines, the inputs and the command line."""
    from ._provenance import command_line

    return {
        "random_state": args.random_state,
        "progress": _say,
        "inputs": list(inputs),
        "command": command_line(args.argv),
    }


def _parameters(args) -> dict:
    skip = {"func", "argv", "command", "debug", "out", "overwrite", "progress", "random_state", "scheduler"}
    return {k: v for k, v in vars(args).items() if k not in skip and not k.startswith("_")}


def _town(random_state, **options):
    """The example town for ``random_state``."""
    from .datasets import example_town

    return example_town(random_state=random_state, **options)


def _cmd_demo(args) -> int:
    from ._outputs import check_output_folder
    from .plot._base import SYNTHETIC_NOTE
    from .report import write_report

    check_output_folder(args.out)
    _say(f"making the synthetic example town (random state {args.random_state}, choice {args.choice:g})")
    town = _town(args.random_state, choice=args.choice)
    page = write_report(
        args.out,
        units=town.units,
        schools=town.schools,
        groups=list(town.groups),
        total=town.total,
        school_total="roll",
        other=town.groups[0],
        area_name="the example town (synthetic)",
        description=town.description,
        sources=[SYNTHETIC_NOTE],
        caveats=[
            "These data are synthetic: a fictional town generated by segindex.datasets.example_town. They "
            "illustrate the methods and the report; they describe no real place.",
            f"School choice was simulated with strength {args.choice:g}: that share of each group's pupils "
            "chose, among the 8 schools nearest their home, the one with most of their own group "
            "(with a negative value, a lottery among them); the rest attend their nearest school.",
            "Residents are counted at all ages; pupils are the school-age residents. Groups with younger "
            "age structures make up a larger share of pupils than of residents.",
        ],
        synthetic=True,
        n_draws=args.draws,
        **_report_kwargs(args, []),
    )
    print(Path(page).resolve())
    return 0


def _indices_data(args):
    """The data, groups, total, source name and input files of ``segindex indices``."""
    if args.input is None:
        _say(f"no --input: computing on the synthetic example town (random state {args.random_state})")
        town = _town(args.random_state)
        data, source = town.units, "the example town"
        groups, total = args.groups or list(town.groups), args.total or town.total
        columns = dict.fromkeys([*groups, total, *([args.other] if args.other else []), *(args.by or [])])
        for column in columns:
            if column not in data.columns:
                raise _missing_column(column, "column", data.columns, source)
        return data, groups, total, source, []
    if not args.groups:
        raise _Usage("--groups is required with --input (the count columns, e.g. --groups Pakistani Indian).")
    counts = {g: "group" for g in args.groups}
    for role, column in (("--total column", args.total), ("--other column", args.other)):
        if column is not None:
            counts.setdefault(column, role)
    keys = {c: "--by column" for c in (args.by or []) if c not in counts}
    _say(f"reading {args.input}")
    data = _read_table(
        args.input, {**counts, **keys}, list(counts), list(keys), thousands=args.thousands, layer=args.layer
    )
    source = repr(args.input)
    if not args.fractional:
        _check_whole(data, counts, source)
    return data, list(args.groups), args.total, source, [args.input]


def _count_columns(table, data, groups, total, by, min_count):
    """Add ``count`` and ``small_group`` when the table does not carry them yet (see the shared contract).

    Sums per area by integer codes (``numpy.bincount``), never by a copy of the table.
    """
    import numpy as np
    import pandas as pd

    if "count" not in table.columns:
        if by:
            keys = data[by[0]] if len(by) == 1 else pd.MultiIndex.from_arrays([data[c] for c in by])
            codes, uniques = pd.factorize(keys)
            position = {key: k for k, key in enumerate(uniques)}
            n = len(uniques)
        else:
            codes, position, n = np.zeros(len(data), dtype=np.intp), {"all": 0}, 1
        sums = {g: np.bincount(codes, weights=data[g].to_numpy(dtype="float64"), minlength=n) for g in groups}
        everyone = (
            np.bincount(codes, weights=data[total].to_numpy(dtype="float64"), minlength=n)
            if total is not None
            else sum(sums.values())
        )
        rows = [position[a] for a in table["area"]]
        table = table.copy()
        table["count"] = [sums[g][k] if g in sums else everyone[k] for g, k in zip(table["group"], rows)]
    if "small_group" not in table.columns:
        table["small_group"] = table["count"].to_numpy() < min_count
    return table


def _conform(table, data, args, groups, total):
    """The contract's CSV conventions: ``area`` once, counts and the small-group flag."""
    by = list(args.by or [])
    if len(by) == 1 and by[0] in table.columns and by[0] != "area":
        table = table.drop(columns=by[0])
    return _count_columns(table, data, groups, total, by, args.min_count)


def _shown(table):
    """The table as printed: rounded, ``bias_corrected`` immediately before ``ci_low``/``ci_high``."""
    columns = list(table.columns)
    if "bias_corrected" in columns and "ci_low" in columns:
        columns.remove("bias_corrected")
        columns.insert(columns.index("ci_low"), "bias_corrected")
    shown = table[columns].copy()
    for column in shown.columns:
        if shown[column].dtype.kind == "f" and column != "count":
            shown[column] = shown[column].round(4)
    if "count" in shown.columns:
        shown["count"] = shown["count"].round().astype("Int64")
    return shown


def _scheduler_client(address):
    """A Dask client of the scheduler at ``address`` (for --scheduler), or a one-line error."""
    from ._engine import require_dask

    dd = require_dask("--scheduler")
    _say(f"connecting to the Dask scheduler at {address}")
    try:
        return dd.Client(address, timeout="30s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise SegindexValueError(
            f"--scheduler: could not connect to a Dask scheduler at {address!r} ({exc}). Start one "
            "(dask scheduler, or a dask-jobqueue cluster) and pass its address, e.g. tcp://host:8786."
        ) from None


def _cmd_indices(args) -> int:
    from ._outputs import check_output_file, write_csv
    from ._provenance import command_line, provenance, sidecar_path, write_provenance
    from .indices.table import segregation_table

    if args.groups and len(args.groups) != len(set(args.groups)):
        raise _Usage("--groups lists a group twice.")
    inputs = [args.input] if args.input else []
    out = None
    if args.out:  # checked before any work, so a refused --out costs nothing
        out = check_output_file(args.out, inputs=inputs, overwrite=args.overwrite)
        check_output_file(sidecar_path(out), inputs=inputs, overwrite=args.overwrite, what="the provenance file")
    data, groups, total, source, inputs = _indices_data(args)
    if data.shape[0] == 0:
        raise SegindexValueError(f"{source} has no rows.")
    if not total and args.input is not None:
        _say("no --total: the listed groups are taken to be the whole population")
    draws = f", with {args.draws} bootstrap and randomisation draws each" if args.draws else ""
    _say(f"computing indices for {len(groups)} groups over {len(data):,} units{draws}")
    by = args.by or None
    client = _scheduler_client(args.scheduler) if getattr(args, "scheduler", None) else None
    try:
        table = segregation_table(
            data,
            groups,
            other=args.other,
            total=total,
            by=(by[0] if by and len(by) == 1 else by),
            n_draws=args.draws or None,
            random_state=args.random_state,
            min_count=args.min_count,
            progress=args.progress,
            client=client,
        )
    finally:
        if client is not None:
            client.close()
    table = _conform(table, data, args, groups, total)
    if out is None:
        import pandas as pd

        with pd.option_context("display.max_rows", 500, "display.width", 200, "display.max_columns", 30):
            print(_shown(table).to_string(index=False))
        if args.draws:
            print(f"note: {CI_NOTE}")
        return 0
    write_csv(table, out, inputs=inputs, overwrite=args.overwrite)
    record = provenance(
        inputs=inputs,
        command=command_line(args.argv),
        parameters=_parameters(args),
        random_state=args.random_state,
        vintages={"data": "synthetic example town"} if args.input is None else {},
    )
    write_provenance(out, record, inputs=inputs, overwrite=args.overwrite)
    _say(f"wrote {len(table)} rows to {out} (and its provenance, {sidecar_path(out).name})")
    print(out.resolve())
    return 0


def _cmd_report(args) -> int:
    from ._outputs import check_output_folder
    from .prepare import prepare_area
    from .report import REAL_DATA_CAVEATS, write_report

    _check_ward_options(args)
    inputs = [args.units, args.census, args.schools, *(args.postcodes or [])]
    inputs += [p for p in (args.wards, args.lookup) if p is not None]
    check_output_folder(args.out, inputs=inputs)
    phase = None if args.phase == ["all"] else args.phase
    wards = {}
    if args.wards is not None:
        wards = dict(
            wards=args.wards,
            wards_id=args.wards_id,
            wards_layer=args.wards_layer,
            lookup=args.lookup,
            lookup_from=args.lookup_from,
            lookup_to=args.lookup_to,
            ward_method=args.ward_method,
        )
    area = prepare_area(
        args.units,
        args.census,
        args.schools,
        postcodes=args.postcodes,
        units_id=args.units_id,
        census_id=args.census_id,
        layer=args.layer,
        la=args.la,
        phase=phase,
        level=args.level,
        groups=args.groups,
        other=args.other,
        min_share=args.min_share,
        log=_say,
        **wards,
    )
    caveats = [
        *REAL_DATA_CAVEATS,
        *area.notes,
        "Each group is compared with the rest of the population or with a comparison group, as labelled; "
        "the two comparisons give different numbers.",
    ]
    draws = args.draws
    if draws and not area.whole_counts:  # draws need whole counts: say so instead of failing
        draws = 0
        caveats.append("No intervals: some counts are not whole numbers, and bootstrap draws need whole counts.")
        _say(caveats[-1])
    names = dict(
        census_name=Path(args.census).name,
        units_name=Path(args.units).name,
        schools_name=Path(args.schools).name,
        phase=phase,
    )
    if args.wards is not None:
        names["wards_name"] = Path(args.wards).name
    description = area.description(**names)
    page = write_report(
        args.out,
        units=area.units,
        schools=area.schools,
        groups=list(area.groups),
        total=area.total,
        school_total=area.school_total,
        other=area.other,
        area_name=args.area,
        description=description,
        sources=area.sources,
        caveats=caveats,
        synthetic=False,
        map_groups=None if args.map_all else _largest(area.units, area.groups, area.other, 6),
        n_draws=draws,
        year=area.census_year,
        vintages=[f"{what}: {when}" for what, when in area.vintages.items()],
        **_report_kwargs(args, inputs),
    )
    print(Path(page).resolve())
    return 0


def _check_ward_options(args):
    """Usage errors of the ward options of ``segindex report``: options that need another one."""
    if args.wards is None:
        given = [
            option
            for option, value in (
                ("--wards-id", args.wards_id),
                ("--wards-layer", args.wards_layer),
                ("--lookup", args.lookup),
                ("--lookup-from", args.lookup_from),
                ("--lookup-to", args.lookup_to),
            )
            if value is not None
        ]
        if args.ward_method != "best-fit":
            given.append("--ward-method")
        if given:
            raise _Usage(f"{', '.join(given)} need{'s' if len(given) == 1 else ''} --wards FILE (the ward boundaries).")
    if args.lookup is None and (args.lookup_from is not None or args.lookup_to is not None):
        raise _Usage("--lookup-from and --lookup-to name the columns of --lookup FILE, which is missing.")
    if args.lookup is not None and args.ward_method != "best-fit":
        raise _Usage(
            f"--lookup and --ward-method {args.ward_method} do not go together: the lookup says which "
            "ward each census unit belongs to."
        )


def _largest(units, groups, other, n):
    """The ``n`` largest groups besides the comparison group, in their table order."""
    others = [g for g in groups if g != other] or list(groups)
    keep = set(units[others].sum().sort_values(ascending=False, kind="stable").index[:n])
    return [g for g in others if g in keep]


# ----------------------------------------------------------------------------
# the parser


class _Usage(Exception):
    """A usage error found after parsing (exit code 2)."""


class _Renamed(argparse.Action):
    """An option renamed by the 0.2 conventions: using it is a usage error naming the new option."""

    def __init__(self, option_strings, dest, new=None, **kwargs):
        kwargs.update(nargs="*", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)
        self.new = new

    def __call__(self, parser, namespace, values, option_string=None):
        parser.error(f"{option_string} is now called {self.new} (see CHANGELOG.md)")


def _renamed(parser, **renames):
    for old, new in renames.items():
        parser.add_argument(f"--{old}", action=_Renamed, new=new, dest=f"_old_{old}")


def _choice(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number between -1 and 1, got {text!r}") from None
    if not -1.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must lie between -1 and 1, got {text!r}")
    return value


def _whole_number(minimum: int, what: str):
    """An argparse type: a whole number of at least ``minimum`` (``what`` describes it in the message)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
        return value

    return parse


_seed = _whole_number(0, "a whole number >= 0")
_report_draws = _whole_number(0, "a whole number of draws >= 0 (0: no intervals)")
_draws = _whole_number(1, "a whole number of draws >= 1 (e.g. 999)")
_min_count = _whole_number(0, "a whole number of people >= 0")


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1, got {text!r}")
    return value


def _separator(text: str) -> str:
    if len(text) != 1 or text.isalnum():
        raise argparse.ArgumentTypeError(f"must be one character such as ',' or '.', got {text!r}")
    return text


_DRAWS_HELP = (
    "bootstrap draws for the intervals of the school and neighbourhood indices and their gap (default: "
    "%(default)s; 0 for none). Each interval is centred on the bias-corrected estimate, not on the measured value, "
    "which may lie outside it: small units bias the measured index upward."
)


def _common(with_random_state_help: str) -> argparse.ArgumentParser:
    """Options every subcommand takes."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the Python traceback of an error (for a bug report)",
    )
    common.add_argument("--random-state", type=_seed, default=0, metavar="N", help=with_random_state_help)
    return common


def _add_demo(sub):
    demo = sub.add_parser(
        "demo",
        parents=[_common("seed of the example town and of the draws (default: %(default)s)")],
        help="the whole analysis on the synthetic example town, as an HTML report",
        description="Run the whole analysis on the synthetic example town (no data needed) and write an HTML "
        "report with maps, charts and CSV tables into a folder. Prints the path of its index.html.",
    )
    demo.add_argument(
        "--out", default="segindex-report", metavar="DIR", help="folder to write the report into (default: %(default)s)"
    )
    demo.add_argument("--draws", type=_report_draws, default=199, metavar="N", help=_DRAWS_HELP)
    demo.add_argument(
        "--choice",
        type=_choice,
        default=0.3,
        metavar="X",
        help="strength of school choice in [-1, 1]: the share of pupils who choose a school with "
        "more of their own group instead of the nearest (negative: a lottery that mixes schools; "
        "default: %(default)s)",
    )
    _renamed(demo, bootstrap="--draws", seed="--random-state")
    demo.set_defaults(func=_cmd_demo)


def _add_indices(sub):
    ind = sub.add_parser(
        "indices",
        parents=[
            _common(
                "seed of the --draws (and of the example town without --input); the same seed gives "
                "the same intervals (default: %(default)s)"
            )
        ],
        help="the table of segregation indices for a CSV or boundary file",
        description="Compute every index (D, isolation, exposure, eta squared, Gini, Atkinson, Theil's H, "
        "M, multigroup D) for the listed groups. Without --input, computes them on the synthetic example town. "
        "Only the named columns are read. Every row carries the focal group's count and a small_group flag.",
        epilog="With --draws, each row also has the measured value, the bootstrap bias-corrected estimate "
        "(bias_corrected) and its interval ci_low-ci_high. The interval is centred on bias_corrected, not on "
        "value: small units bias the measured index upward, so value may lie outside its own interval. "
        "segindex never writes over an existing file without --overwrite.",
    )
    ind.add_argument(
        "--input",
        metavar="FILE",
        help="a CSV (any delimiter, may be .gz) or a GeoPackage/shapefile/GeoJSON, one row per unit",
    )
    ind.add_argument("--layer", metavar="NAME", help="layer of --input when the file holds several")
    ind.add_argument("--groups", nargs="+", metavar="COL", help="the group count columns")
    ind.add_argument(
        "--total",
        metavar="COL",
        help="column of unit totals (the rest of the population is the "
        "comparison for 'rest' rows); without it the groups are the whole population",
    )
    ind.add_argument("--by", nargs="+", metavar="COL", help="compute per area (e.g. local authority)")
    ind.add_argument("--other", metavar="GROUP", help="also compare each group with this group (adds pairwise rows)")
    ind.add_argument(
        "--draws",
        type=_draws,
        metavar="N",
        help="N bootstrap and N randomisation draws (e.g. 999): adds the bias-corrected estimate, "
        "standard error and 95%% interval (bias_corrected, se, ci_low, ci_high; the interval is centred "
        "on bias_corrected, so the measured value may lie outside it), the expected index under random "
        "allocation and the randomisation p-value",
    )
    ind.add_argument(
        "--min-count",
        type=_min_count,
        default=100,
        metavar="N",
        help="flag rows whose focal group has fewer than N people in the area (small_group; default: %(default)s)",
    )
    ind.add_argument(
        "--thousands",
        type=_separator,
        metavar="SEP",
        help="thousands separator in the counts of a CSV (e.g. '.' for 1.647 meaning 1647)",
    )
    ind.add_argument(
        "--fractional",
        action="store_true",
        help="accept counts that are not whole numbers (estimates); without it such counts are refused",
    )
    ind.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress of the draws (default: only when standard error is a terminal)",
    )
    ind.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the --draws on the Dask scheduler at ADDRESS (e.g. tcp://host:8786; needs "
        "pip install 'segindex-toolkit[dask]'); the table is the same as a local run's",
    )
    ind.add_argument(
        "--out",
        metavar="FILE",
        help="write the tidy, unrounded table to this CSV, with its "
        "provenance beside it in FILE.provenance.json (default: print it, rounded)",
    )
    ind.add_argument("--overwrite", action="store_true", help="replace --out (and its provenance) if they exist")
    _renamed(ind, bootstrap="--draws", reference="--other", seed="--random-state")
    ind.set_defaults(func=_cmd_indices)


def _add_report(sub):
    rep = sub.add_parser(
        "report",
        parents=[_common("seed of the bootstrap draws (default: %(default)s)")],
        help="the HTML report for real data (boundaries, census table, school census)",
        description="Write the segregation report of one area from an ONS census table, its boundaries and the "
        "DfE school census: the residential table, maps, schools against neighbourhoods, sources and caveats. "
        "The same preparation is segindex.prepare.prepare_area in Python.",
    )
    rep.add_argument(
        "--units",
        required=True,
        metavar="FILE",
        help="boundaries of the residential areas "
        "(GeoPackage, shapefile, GeoJSON), reprojected to British National Grid",
    )
    rep.add_argument("--units-id", metavar="COL", help="area code field of --units (default: its first field)")
    rep.add_argument("--layer", metavar="NAME", help="layer of --units when the file holds several")
    rep.add_argument(
        "--census",
        required=True,
        metavar="FILE",
        help="ONS census table of residents by ethnic group (2011 extract or 2021 TS021)",
    )
    rep.add_argument("--census-id", metavar="COL", help="area code column of --census (default: its first column)")
    rep.add_argument(
        "--schools",
        required=True,
        metavar="FILE",
        help="DfE school census pupils-by-ethnicity file, with easting/northing or with --postcodes",
    )
    rep.add_argument(
        "--postcodes",
        nargs="+",
        metavar="FILE",
        help="postcode lookup (OS Code-Point Open CSV, one or more files, e.g. one per postcode "
        "area) to place schools without coordinates",
    )
    rep.add_argument("--area", required=True, metavar="NAME", help="name of the area, e.g. Bradford")
    rep.add_argument(
        "--la",
        nargs="+",
        metavar="LA",
        help="keep only schools of these local authorities (name or code); default: all in the file",
    )
    rep.add_argument(
        "--phase",
        nargs="+",
        default=["primary", "secondary"],
        metavar="PHASE",
        help="school phases to include (default: primary secondary; 'all' for every school)",
    )
    rep.add_argument(
        "--groups",
        nargs="+",
        metavar="GROUP",
        help="common groups to report (e.g. pakistani indian); default: those with at least --min-share of residents",
    )
    rep.add_argument(
        "--min-share",
        type=_share,
        default=0.01,
        metavar="P",
        help="default groups: at least this share of residents (default: %(default)s)",
    )
    rep.add_argument("--other", metavar="GROUP", help="comparison group (default: white_british)")
    rep.add_argument(
        "--level",
        choices=("detailed", "broad"),
        default="detailed",
        help="detailed (14 groups) or broad (5 groups) common classification (default: detailed)",
    )
    rep.add_argument(
        "--map-all", action="store_true", help="map every group (default: up to six besides the comparison group)"
    )
    rep.add_argument("--draws", type=_report_draws, default=199, metavar="N", help=_DRAWS_HELP)
    rep.add_argument(
        "--out", default="segindex-report", metavar="DIR", help="folder to write the report into (default: %(default)s)"
    )
    wards = rep.add_argument_group(
        "wards",
        "report on wards: the census counts of --units are added up into the wards of --wards, through "
        "--lookup when given, else by best fit (each unit wholly in the ward holding its representative point); "
        "every person is kept and the report's notes say how",
    )
    wards.add_argument(
        "--wards",
        metavar="FILE",
        help="ward boundaries (e.g. the 2011 census merged wards); only the wards that receive census units are kept",
    )
    wards.add_argument("--wards-id", metavar="COL", help="ward code field of --wards (default: its first field)")
    wards.add_argument("--wards-layer", metavar="NAME", help="layer of --wards when the file holds several")
    wards.add_argument(
        "--lookup",
        metavar="FILE",
        help="CSV lookup from the census unit codes to the ward codes "
        "(e.g. an ONS best-fit lookup); it must give every census unit one ward of --wards",
    )
    wards.add_argument(
        "--lookup-from",
        metavar="COL",
        help="census unit code column of --lookup (default: the column named like --units-id)",
    )
    wards.add_argument(
        "--lookup-to", metavar="COL", help="ward code column of --lookup (default: the column named like --wards-id)"
    )
    wards.add_argument(
        "--ward-method",
        choices=("best-fit", "areal-split"),
        default="best-fit",
        help="without --lookup: best-fit (whole units, the default) or areal-split (units shared "
        "among wards by area; fractional counts, so no intervals)",
    )
    _renamed(rep, bootstrap="--draws", reference="--other")
    rep.set_defaults(func=_cmd_report)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``segindex`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Residential and school segregation indices for Britain: tables, maps and a short report.",
        epilog="Start with 'segindex demo': the whole analysis on a synthetic example town, no data needed. "
        "segindex never overwrites a file without --overwrite, and never writes over its inputs.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_demo(sub)
    _add_indices(sub)
    _add_report(sub)
    return parser


def _one_line(exc: BaseException) -> str:
    """The message of ``exc`` on one line; unexpected error types say what they are and how to see more."""
    import zlib

    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, (SegindexError, FileNotFoundError, PermissionError, IsADirectoryError)):
        return text
    if isinstance(exc, (EOFError, zlib.error)) or type(exc).__name__ == "BadGzipFile":
        return f"a compressed file is truncated or corrupt ({text}); download it again."
    if isinstance(exc, MemoryError):
        return "out of memory; read fewer columns or rows, or use a machine with more memory."
    if isinstance(exc, OSError):
        return text
    return f"{type(exc).__name__}: {text} (run again with --debug to see where)"


def main(argv=None) -> int:
    """Run the ``segindex`` command with ``argv`` (default: ``sys.argv[1:]``) and return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return int(exc.code or 0)
    args.argv = argv
    debug = bool(getattr(args, "debug", False))
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _show_warning
        try:
            return args.func(args)
        except BrokenPipeError:  # output piped into head, less, ...: stop quietly
            import os

            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - absorbs the interpreter's final flush
            return 0
        except KeyboardInterrupt:
            if debug:
                raise
            print(f"\n{PROG}: interrupted", file=sys.stderr)
            return 130
        except _Usage as exc:
            print(f"{PROG} {args.command}: error: {exc}", file=sys.stderr)
            return 2
        except Exception as exc:  # noqa: BLE001 - every failure is one line, never a traceback
            if debug:
                raise
            print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
            return 1
