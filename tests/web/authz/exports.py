from app.core.permissions import DocumentStatus, Role
from app.modules.documents import services as documents
from app.modules.exports import services as exports
from tests.web.authz import Rule, World


def _exported_by_facilitator(w: World) -> None:
    person = w.memberships[Role.FACILITATOR].person
    w.extras["export"] = exports.export(person, w.document, exports.options_from("md"))


def _published_docx(w: World) -> None:
    documents.set_status(None, w.document, DocumentStatus.FROZEN)
    documents.set_status(None, w.document, DocumentStatus.PUBLISHED)
    exports.export(None, w.document, exports.options_from("docx"))


RULES = [
    Rule("exports.index", "GET", "observer", lambda w: {"document_id": w.document.id}),
    # Whoever reads the text may take it away; the form itself asks nothing more.
    Rule(
        "exports.create",
        "POST",
        "observer",
        lambda w: {"document_id": w.document.id},
        data=lambda w: {"format": "md", "colophon": "y"},
    ),
    # Others' exports are the facilitators' to see: a participant gets only their own.
    Rule(
        "exports.download",
        "GET",
        "facilitator",
        lambda w: {"export_id": w.extras["export"].id},
        setup=_exported_by_facilitator,
    ),
    Rule(
        "exports.public_download",
        "GET",
        "public",
        lambda w: {"ref": w.document.id, "fmt": "docx"},
        setup=_published_docx,
    ),
]
