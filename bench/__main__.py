"""Run one benchmark (``python -m bench photos --rounds 15``) or list them (no arguments)."""

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
    print("usage: python -m bench NAME [options]   (python -m bench NAME --help for options)")
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
    if not argv or argv[0] in ("-h", "--help"):
        _list()
        return 0
    name, *rest = argv
    module = _load(name) if name in _names() else None
    if module is None:
        print(f"unknown benchmark: {name!r} (run python -m bench to list them)", file=sys.stderr)
        return 2
    return module.main(rest) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
