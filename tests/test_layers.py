"""The tree shows the architecture (docs/architecture.md): imports point one way, from a stage to
the stages below it, and no module imports itself back through others."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lowest first. A module may import its own subpackage and any subpackage on a lower line.
LAYERS: list[tuple[str, ...]] = [
    ("gymcore.errors",),
    ("gymcore.config", "gymcore.criteria", "gymcore.serialize"),
    ("gymcore.parallel",),
    ("gymcore.perception",),
    ("gymcore.models",),
    ("gymcore.repetitions",),
    ("gymcore.recognition",),
    ("gymcore.judging",),
    ("gymcore.data",),
    ("gymcore.synth",),
    ("gymcore.pipeline",),
    ("gymcore.evaluation",),
    ("gymcore.training",),
    ("gymcore.records",),
    ("gymcore.cli",),
    ("gymcore.__main__",),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def library_modules() -> dict[str, Path]:
    return {module_name(path): path for path in (ROOT / "gymcore").rglob("*.py")}


def imported_modules(path: Path, known: dict[str, Path]) -> set[str]:
    """Every gymcore module the file imports, at its top or inside functions; ``from package
    import name`` counts the submodule when ``name`` is one."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in known)
    return {name for name in found if name in known}


def layer_of(module: str) -> tuple[int, str]:
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                return number, prefix
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and docs/architecture.md")


def test_every_module_has_a_layer() -> None:
    for module in library_modules():
        if module != "gymcore":
            layer_of(module)


def test_imports_point_down_the_layers() -> None:
    known = library_modules()
    upward = []
    for module, path in known.items():
        if module == "gymcore":
            continue
        level, home = layer_of(module)
        for target in imported_modules(path, known):
            if target == "gymcore":
                upward.append(f"{module} imports the package gymcore (import the module itself)")
                continue
            target_level, target_home = layer_of(target)
            if target_level > level or (target_level == level and target_home != home):
                upward.append(f"{module} -> {target}")
    assert not upward, "imports against the layers:\n" + "\n".join(sorted(upward))


def test_no_import_cycles() -> None:
    known = library_modules()
    graph = {module: imported_modules(path, known) - {module} for module, path in known.items()}
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[str] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_library_never_imports_the_dashboard() -> None:
    offenders = []
    for module, path in library_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{module} imports {n}" for n in names if n.split(".")[0] in {"streamlit", "app", "pages"}]
    assert not offenders, offenders


def test_the_layer_check_catches_an_upward_import(tmp_path) -> None:
    known = {"gymcore.perception.video": tmp_path / "video.py", "gymcore.pipeline.assess": tmp_path / "assess.py"}
    known["gymcore.perception.video"].write_text("def f():\n    from gymcore.pipeline.assess import assess\n")
    assert imported_modules(known["gymcore.perception.video"], known) == {"gymcore.pipeline.assess"}
    assert layer_of("gymcore.pipeline.assess")[0] > layer_of("gymcore.perception.video")[0]
