from app.core.permissions import DocumentStatus
from app.modules.documents import services as documents
from tests.web.authz import Rule, World


def _publish(w: World) -> None:
    documents.set_status(None, w.document, DocumentStatus.FROZEN)
    documents.set_status(None, w.document, DocumentStatus.PUBLISHED)


def _section(w: World) -> dict[str, int]:
    return {"section_id": w.section.id}


RULES = [
    Rule("documents.new", "GET", "facilitator", lambda w: {"workshop_id": w.workshop.id}),
    Rule(
        "documents.new",
        "POST",
        "facilitator",
        lambda w: {"workshop_id": w.workshop.id},
        data=lambda w: {"title": "Documento nuovo", "template": "budget-di-salute"},
    ),
    Rule("documents.show", "GET", "observer", lambda w: {"document_id": w.document.id}),
    Rule(
        "documents.add_section",
        "POST",
        "facilitator",
        lambda w: {"document_id": w.document.id},
        data=lambda w: {"new-title": "Sezione aggiunta", "new-level": "1"},
    ),
    Rule(
        "documents.update_section",
        "POST",
        "facilitator",
        _section,
        data=lambda w: {
            f"edit{w.section.id}-title": "Titolo nuovo",
            f"edit{w.section.id}-guidance": "",
        },
    ),
    Rule(
        "documents.move_section",
        "POST",
        "facilitator",
        _section,
        data=lambda w: {"direction": "down"},
    ),
    Rule(
        "documents.delete_section", "POST", "facilitator", _section, data=lambda w: {"confirm": "y"}
    ),
    Rule(
        "documents.set_section_state",
        "POST",
        "moderator",
        _section,
        data=lambda w: {"state": "locked"},
    ),
    Rule(
        "documents.set_status",
        "POST",
        "facilitator",
        lambda w: {"document_id": w.document.id},
        data=lambda w: {"status": "frozen", "confirm": "y"},
    ),
    Rule(
        "documents.set_numbering",
        "POST",
        "facilitator",
        lambda w: {"document_id": w.document.id},
        data=lambda w: {"numbered": "no"},
    ),
    # Anyone, without an invitation, reads a published document.
    Rule("documents.public", "GET", "public", lambda w: {"ref": w.document.id}, setup=_publish),
    Rule(
        "documents.preview_section",
        "POST",
        "observer",
        lambda w: {"section_id": w.section.id},
        json=lambda w: {"body": "# Titolo\n\nTesto **in grassetto**."},
    ),
]
