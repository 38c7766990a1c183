"""A page, an API view or an export reads area-bound data only through the scope
mechanism: ``Model.objects.restrict(user)``, a base view or viewset (which restricts),
or the loudly named ``unscoped_for_system_use()``. A plain ``Model.objects.filter(...)``
of such a model in those files fails here, not only in review."""

import ast
from pathlib import Path

from django.apps import apps

from tongchou.core.querysets import RestrictedQuerySet

SOURCE = Path(__file__).resolve().parents[2]
ALLOWED = {"restrict", "unscoped_for_system_use", "none"}


def scoped_models() -> set[str]:
    return {
        model.__name__
        for model in apps.get_models()
        if isinstance(model._default_manager.get_queryset(), RestrictedQuerySet)
    }


def reader_files() -> list[Path]:
    files = []
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if path.name.startswith(("views", "api")) or path.parent.name == "api":
            files.append(path)
    return files


def _restricted_by_base_class(tree) -> set[int]:
    """Nodes the base classes restrict before use: a viewset's ``queryset`` attribute,
    a scoped page view's ``get_base_queryset``."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                targets = getattr(item, "targets", [])
                if any(getattr(t, "id", None) == "queryset" for t in targets):
                    inside.update(id(n) for n in ast.walk(item))
                if isinstance(item, ast.FunctionDef) and item.name == "get_base_queryset":
                    inside.update(id(n) for n in ast.walk(item))
    return inside


def unscoped_reads(path: Path, models: set[str]) -> list[str]:
    found = []
    tree = ast.parse(path.read_text())
    exempt = _restricted_by_base_class(tree)
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        # Model.objects.<method>
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "objects"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id in models
            and node.attr not in ALLOWED
        ):
            label = path.relative_to(SOURCE) if path.is_relative_to(SOURCE) else path.name
            found.append(f"{label}:{node.lineno} {node.value.value.id}")
    return found


def test_views_and_apis_read_area_bound_models_only_through_scope():
    models = scoped_models()
    assert {"Person", "Venue", "Task", "Contact", "TestingRound"} <= models
    found = [hit for path in reader_files() for hit in unscoped_reads(path, models)]
    assert found == [], "read through .restrict(user) or a scoped base view:\n" + "\n".join(found)


def test_the_lint_would_catch_a_plain_read(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text(
        "class V(ScopedListView):\n"
        "    queryset = Person.objects.all()\n"
        "    def get(self, request):\n"
        "        return Person.objects.filter(pk=1), Person.objects.restrict(request.user)\n"
    )
    assert [hit.split()[-1] for hit in unscoped_reads(bad, {"Person"})] == ["Person"]
