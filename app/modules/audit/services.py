from __future__ import annotations

from typing import Any

from app.extensions import db
from app.modules.audit.models import AuditEvent


def record(
    actor_id: int | None,
    action: str,
    obj: Any,
    workshop_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor_id,
        workshop_id=workshop_id,
        action=action,
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        details=details,
    )
    db.session.add(event)
    return event
