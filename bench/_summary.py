"""What every benchmark reports the same way: goals met or missed, JSON output, the load.

Each benchmark's JSON result has a "goals" list (`goal(...)` rows); `python -m bench` with no
arguments runs them all and prints those rows together (`format_goals`).
"""

import json
import os


def goal(name: str, value, target, *, at_most: bool = False, unit="", note: str = "") -> dict:
    """One goal row: `value` must be at least `target` (at most, with `at_most`). A value of
    None (not measured) misses it."""
    ok = value is not None and (value <= target if at_most else value >= target)
    return {
        "goal": name,
        "value": value,
        "target": f"{'<=' if at_most else '>='} {target}{unit}",
        "ok": ok,
        "note": note,
    }


def goal_true(name: str, ok: bool, *, note: str = "") -> dict:
    """A yes/no goal row."""
    return {"goal": name, "value": bool(ok), "target": "yes", "ok": bool(ok), "note": note}


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (os.getloadavg), two decimals."""
    return [round(value, 2) for value in os.getloadavg()]


def ratio(value: float | None, base: float | None) -> float | None:
    return round(value / base, 3) if value is not None and base else None


def add_output_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--json-out", metavar="FILE", help="also write the JSON result to FILE (python -m bench)"
    )


def emit(args, result: dict, print_table) -> None:
    """Print the result (as JSON with --json, else `print_table(result)`), write --json-out."""
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
        if result.get("goals"):
            print()
            print(format_goals(result["goals"]))
    if getattr(args, "json_out", None):
        with open(args.json_out, "w") as out:
            json.dump(result, out, indent=2)


def exit_status(result: dict) -> int:
    return 0 if all(row["ok"] for row in result.get("goals", [])) else 1


def format_goals(rows: list[dict], *, with_bench: bool = False) -> str:
    """The goal rows as an aligned text table: goal, measured, target, ok/MISSED, note."""
    header = (["bench"] if with_bench else []) + ["goal", "measured", "target", "", "note"]
    lines = [header]
    for row in rows:
        value = row["value"]
        if value is None:
            shown = "-"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        cells = [shown, row["target"], "ok" if row["ok"] else "MISSED", row.get("note", "")]
        lines.append(([row.get("bench", "")] if with_bench else []) + [row["goal"], *cells])
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    out = []
    for line in lines:
        cells = []
        for i, cell in enumerate(line):
            numeric = i in (len(header) - 4,)  # the measured column, right-aligned
            cells.append(str(cell).rjust(widths[i]) if numeric else str(cell).ljust(widths[i]))
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)
