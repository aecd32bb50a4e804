"""Run every benchmark and print the goals table (no arguments, or ``all [--quick]``), one
benchmark (``python -m bench photos --rounds 15``), or list them (``--list``)."""

import importlib
import pkgutil
import sys

import bench


def _names() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )


def _load(name: str):
    """The benchmark module called name, or None when it has no main()."""
    module = importlib.import_module(f"bench.{name}")
    return module if callable(getattr(module, "main", None)) else None


def _list() -> None:
    print("usage: python -m bench [all [--quick]]   every benchmark, then the goals table")
    print("       python -m bench NAME [options]   one (python -m bench NAME --help for options)")
    print("\nbenchmarks:")
    for name in _names():
        try:
            module = _load(name)
        except Exception as error:  # one broken benchmark must not hide the others
            print(f"  {name:<16} (cannot be imported: {error})")
            continue
        if module is not None:
            summary = (module.__doc__ or "").strip().splitlines()[:1]
            print(f"  {name:<16} {summary[0] if summary else ''}")


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "--list"):
        _list()
        return 0
    if not argv or argv[0] == "all" or argv[0].startswith("--"):
        from . import _all

        return _all.main(argv[1:] if argv and argv[0] == "all" else argv)
    name, *rest = argv
    module = _load(name) if name in _names() else None
    if module is None:
        print(f"unknown benchmark: {name!r} (run python -m bench to list them)", file=sys.stderr)
        return 2
    return module.main(rest) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
