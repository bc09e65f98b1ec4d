"""The hand-written stubs (addon/ankitoml/_core.pyi) describe the built native module exactly."""

import ast
import inspect
from pathlib import Path

from ankitoml.native import core

STUB = Path(__file__).parent.parent / "addon" / "ankitoml" / "_core.pyi"


def _stub_items():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    functions = {}
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args
            names = [a.arg for a in args.args]
            first_default = len(names) - len(args.defaults)
            functions[node.name] = [
                (name, index >= first_default) for index, name in enumerate(names)
            ]
        elif isinstance(node, ast.ClassDef):
            classes[node.name] = [ast.unparse(base) for base in node.bases]
    return functions, classes


def test_stub_names_the_same_functions_and_parameters_as_the_module():
    functions, _ = _stub_items()
    built = {
        name: obj
        for name, obj in vars(core).items()
        if callable(obj) and not isinstance(obj, type) and not name.startswith("_")
    }
    assert sorted(functions) == sorted(built)
    for name, params in functions.items():
        signature = inspect.signature(built[name])
        actual = [
            (p.name, p.default is not inspect.Parameter.empty)
            for p in signature.parameters.values()
        ]
        assert actual == params, name


def test_stub_names_the_same_exception_family_as_the_module():
    _, classes = _stub_items()
    built = {name for name, obj in vars(core).items() if isinstance(obj, type)}
    assert sorted(classes) == sorted(built)
    for name, bases in classes.items():
        # A stub writes a plain class (an opaque handle) without ``(object)``.
        actual = [b.__name__ for b in getattr(core, name).__bases__ if b is not object]
        assert actual == bases, name
