"""The audit log: who changed what on events, agendas and registrations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .extensions import db
from .models import AuditEntry, User

# Core, on the table: the ORM's bulk-insert path costs more than the row itself.
AUDIT_INSERT = AuditEntry.__table__.insert()


def record(action: str, obj: Any, *, event_id: int | None = None, user: User | None = None,
           actor: str = "", **details: Any) -> None:
    """Write an audit entry in the current transaction (the caller commits).

    One INSERT statement, not an object for the unit of work: every registration
    writes one, under the event's lock.
    """
    db.session.execute(AUDIT_INSERT, {
        "action": action,
        "object_type": type(obj).__name__,
        "object_id": getattr(obj, "id", None),
        "event_id": event_id,
        "user_id": user.id if user is not None and getattr(user, "id", None) else None,
        "actor": actor or (user.email if user is not None and hasattr(user, "email")
                           else "system"),
        "details": {k: _jsonable(v) for k, v in details.items()},
    })


def record_each(action: str, objs: list[Any], *, event_id: int | None = None,
                user: User | None = None, details: Callable[[Any], dict[str, Any]]) -> None:
    """One audit entry per object of `objs`, written by one statement (a bulk action's).

    :param details: the details of each object's entry.
    """
    if not objs:
        return
    user_id = user.id if user is not None and getattr(user, "id", None) else None
    actor = user.email if user is not None and hasattr(user, "email") else "system"
    db.session.execute(AUDIT_INSERT, [{
        "action": action, "object_type": type(obj).__name__,
        "object_id": getattr(obj, "id", None), "event_id": event_id, "user_id": user_id,
        "actor": actor, "details": {k: _jsonable(v) for k, v in details(obj).items()},
    } for obj in objs])


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
