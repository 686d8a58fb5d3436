import io

from app.core.permissions import DocumentStatus, Role
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.exports import services as exports
from app.modules.exports.models import DocumentLogo
from tests.web.authz import Rule, World


def _exported_by_facilitator(w: World) -> None:
    person = w.memberships[Role.FACILITATOR].person
    w.extras["export"] = exports.export(person, w.document, exports.options_from("md"))


def _published(w: World) -> None:
    documents.set_status(None, w.document, DocumentStatus.FROZEN)
    documents.set_status(None, w.document, DocumentStatus.PUBLISHED)


def _published_docx(w: World) -> None:
    _published(w)
    exports.export(None, w.document, exports.options_from("docx"))


def _logo_row(w: World) -> None:
    """A row without its file: removing it must work all the same, and the matrix
    writes nothing into the instance folder."""
    w.extras["logo"] = DocumentLogo(
        document_id=w.document.id, file_name="0123456789abcdef0123.png", position=0, alt="ASST"
    )
    db.session.add(w.extras["logo"])
    db.session.flush()


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
    # The codes for the presentation of a published document are everyone's.
    Rule(
        "exports.presentation", "GET", "public", lambda w: {"ref": w.document.id}, setup=_published
    ),
    Rule(
        "exports.presentation_qr",
        "GET",
        "public",
        lambda w: {"ref": w.document.id, "target": "pagina", "ext": "png"},
        setup=_published,
    ),
    # The cover's logos are the facilitators'. The file sent is refused (422): past
    # the door all the same, and nothing is stored.
    Rule(
        "exports.add_logo",
        "POST",
        "facilitator",
        lambda w: {"document_id": w.document.id},
        data=lambda w: {"image": (io.BytesIO(b"<svg/>"), "logo.png"), "alt": "ASST di Lodi"},
    ),
    Rule(
        "exports.move_logo",
        "POST",
        "facilitator",
        lambda w: {"logo_id": w.extras["logo"].id},
        data=lambda w: {"verso": "dopo"},
        setup=_logo_row,
    ),
    Rule(
        "exports.remove_logo",
        "POST",
        "facilitator",
        lambda w: {"logo_id": w.extras["logo"].id},
        setup=_logo_row,
    ),
]
