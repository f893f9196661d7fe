"""The behaviour, one module per resource. Importing this package imports every module below it, and so
registers every handler: a new operation's module needs no line anywhere else (docs/architecture.md)."""
import importlib
import pkgutil


def _import_all() -> None:
    for module in pkgutil.walk_packages(__path__, prefix=__name__ + "."):
        importlib.import_module(module.name)


_import_all()
