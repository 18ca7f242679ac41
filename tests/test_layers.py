"""The layers' import arrows: models → services → rendering → views, never back up.

Every module of the package is placed in one layer (docs/ARCHITECTURE.md draws the same
map); a module may import only from its own layer or those before it. Imports inside
functions count too. A new module must be placed here, or this test fails.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "eventsapp"

# (layer, module patterns); the first pattern that matches places a module.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", (
        "eventsapp.extensions", "eventsapp.models", "eventsapp.models.*", "eventsapp.reference",
        "eventsapp.tokens", "eventsapp.database", "eventsapp.audit", "eventsapp.labels",
        "eventsapp.config", "eventsapp.spreadsheet", "eventsapp.timelimit", "eventsapp.inputs",
        "eventsapp.zones", "eventsapp.textnorm", "eventsapp.i18n", "eventsapp.files",
        "eventsapp.sealing", "eventsapp.csvupload",
        # The outbox is plumbing: it stores and sends what a service wrote.
        "eventsapp.mail", "eventsapp.mail.outbox", "eventsapp.mail.message",
        "eventsapp.mail.transport",
        # Plain data the badge rules hand to the renderer.
        "eventsapp.badges.model", "eventsapp.badges.layouts",
    )),
    ("services", (
        "eventsapp.*.services", "eventsapp.events.editing", "eventsapp.events.localtime",
        "eventsapp.registration.validation", "eventsapp.registration.notices",
        "eventsapp.reports.queries", "eventsapp.reports.participants",
        "eventsapp.reports.yearly", "eventsapp.seed", "eventsapp.seed.*", "eventsapp.copydb",
        "eventsapp.agenda.grid", "eventsapp.auth.passwords", "eventsapp.privacy.notices",
        "eventsapp.documents.access", "eventsapp.documents.filetypes",
        "eventsapp.documents.numbering", "eventsapp.documents.storage",
        "eventsapp.documents.programme", "eventsapp.outcomes.summary",
        "eventsapp.auth.roles", "eventsapp.registration.errors",
        "eventsapp.registration.limits", "eventsapp.participation.attendance",
        # The system emails' registry, its checks and str.format rendering (issue 18).
        "eventsapp.mail.templates",
        # Organisers' messages and reminders (issue 18): placeholders are pure, recipients
        # the one query of the criteria, reminders the scheduler's rules.
        "eventsapp.messages.placeholders", "eventsapp.messages.recipients",
        "eventsapp.messages.reminders",
    )),
    ("rendering", (
        "eventsapp.calendar.ical", "eventsapp.calendar.http", "eventsapp.badges",
        "eventsapp.badges.render", "eventsapp.badges.fonts", "eventsapp.badges.text",
        "eventsapp.reports.charts", "eventsapp.reports.pdf", "eventsapp.reports.documents",
        "eventsapp.reports.exports", "eventsapp.api.serializers", "eventsapp.api.openapi",
        "eventsapp.api.spec_*", "eventsapp.admin.export",
        "eventsapp.documents.render", "eventsapp.outcomes.render", "eventsapp.letters.render",
    )),
    ("views", ("eventsapp", "eventsapp.*")),
]
ORDER = [name for name, _ in LAYERS]

# Arrows that still point back up, each with the reason it stays for now.
KNOWN: dict[tuple[str, str], str] = {
    ("eventsapp.registration.notices", "eventsapp.calendar.ical"):
        "the confirmation's calendar file is written into the outbox in the same "
        "transaction; it moves out when messages are rendered at send time",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    for name, patterns in LAYERS:
        if any(fnmatch(module, p) for p in patterns):
            return name
    raise AssertionError(f"{module} is in no layer")


def imports_of(path: Path, module: str) -> set[str]:
    """The package's own modules that `path` imports, resolved to module names."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("eventsapp"):
                continue
            for alias in node.names:  # `from . import audit` imports a module
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("eventsapp"))
    return found


def _exists(module: str) -> bool:
    path = PACKAGE.parent / Path(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def arrows() -> list[tuple[str, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = module_name(path)
        out.extend((module, target) for target in sorted(imports_of(path, module)))
    return out


def test_every_module_is_in_a_layer():
    for path in PACKAGE.rglob("*.py"):
        if "migrations" not in path.parts:
            layer_of(module_name(path))


def test_imports_never_point_back_up_a_layer():
    upward = [
        f"{source} ({layer_of(source)}) imports {target} ({layer_of(target)})"
        for source, target in arrows()
        if ORDER.index(layer_of(target)) > ORDER.index(layer_of(source))
        and (source, target) not in KNOWN
    ]
    assert upward == []


def test_known_exceptions_still_exist():
    """An exception that was fixed is removed from the list, so it cannot come back."""
    assert set(KNOWN) <= set(arrows())


def test_the_checker_sees_an_upward_arrow():
    """The negative control: a service importing a view is caught."""
    assert layer_of("eventsapp.registration.services") == "services"
    assert layer_of("eventsapp.registration.views") == "views"
    assert ("eventsapp.registration.views", "eventsapp.registration.services") in arrows()


def test_only_the_unit_of_work_commits():
    """Transactions begin and end in database.unit_of_work alone; views never commit."""
    committing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts or path.name == "database.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"):
                committing.append(f"{module_name(path)}:{node.lineno}")
    assert committing == []
