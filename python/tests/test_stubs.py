"""The type stubs name every public name of the package, and nothing it does not have."""
import ast
import pathlib

import pcanno


def stub_names():
    stub = pathlib.Path(pcanno.__file__).with_name("__init__.pyi")
    tree = ast.parse(stub.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def public_names():
    return {name for name in dir(pcanno)
            if not name.startswith("_") and name not in {"errors"}} | {"__version__"}


def test_every_public_name_has_a_stub():
    missing = public_names() - stub_names()
    assert not missing, f"public names without a stub in python/stubs/*.pyi: {sorted(missing)}"


def test_every_stub_names_something_real():
    # Names with a leading underscore are the stubs' own type aliases (_Path, _Progress, ...).
    extra = {n for n in stub_names() if not n.startswith("_") and not hasattr(pcanno, n)}
    assert not extra, f"stubs for names pcanno does not have: {sorted(extra)}"


def test_every_public_callable_has_a_docstring():
    undocumented = []
    for name in public_names() - {"__version__"}:
        value = getattr(pcanno, name)
        if callable(value) and not (getattr(value, "__doc__", None) or "").strip():
            undocumented.append(name)
    assert not undocumented, sorted(undocumented)


def test_generic_sequences_are_typings_not_pcanno_sequence():
    # pcanno.Sequence (a LiDAR sequence) shadows typing.Sequence in the joined stub: a subscripted
    # `Sequence[...]` there would name the dataset class.
    stub = pathlib.Path(pcanno.__file__).with_name("__init__.pyi")
    wrong = [node.lineno for node in ast.walk(ast.parse(stub.read_text()))
             if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
             and node.value.id == "Sequence"]
    assert not wrong, f"__init__.pyi lines subscripting pcanno.Sequence: {wrong}"
