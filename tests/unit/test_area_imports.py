"""Areas depend one way: payments knows no area, the mall and the paid membership do not import
each other (the mall only reads paid-card benefits through memberships.queries)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "memberportal"

# area -> (areas it must not import, modules of those it may still import)
RULES = {
    "payments": (("memberportal.memberships", "memberportal.mall", "memberportal.wallet"), ()),
    "mall": (("memberportal.memberships",), ("memberportal.memberships.queries",)),
    "memberships": (("memberportal.mall",), ()),
    # Purchases ask the wallet whether a tier tied to the balance holds; never the other way.
    "wallet": (("memberportal.purchases", "memberportal.mall", "memberportal.memberships"), ()),
}


def imported_names(path: Path) -> set[str]:
    """Every module a file imports, anywhere in it (a function's import counts too);
    `from a import b` counts as a.b, so importing a submodule by name is caught."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the file's package
                parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
                base = ".".join([*parts[: -node.level], *([base] if base else [])])
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def forbidden_imports(area: str) -> list[str]:
    banned, allowed = RULES[area]
    found = []
    for path in sorted((PACKAGE / area).rglob("*.py")):
        for name in sorted(imported_names(path)):
            if any(_within(name, b) for b in banned) and not any(_within(name, a) for a in allowed):
                found.append(f"{path.relative_to(PACKAGE.parent)}: {name}")
    return found


@pytest.mark.parametrize("area", sorted(RULES))
def test_area_imports_only_what_it_may(area):
    assert (PACKAGE / area).is_dir()
    assert forbidden_imports(area) == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from memberportal.memberships import events\n"
        "import memberportal.mall.payments as p\n"
    )
    assert imported_names(module) == {
        "memberportal.memberships.events",
        "memberportal.mall.payments",
    }
