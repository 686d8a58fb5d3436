from __future__ import annotations

from flask import Blueprint, abort, send_from_directory

from app.core.importing import MEDIA_NAME, MEDIA_TYPES
from app.core.permissions import DocumentStatus
from app.modules.documents.models import Document
from app.modules.media.services import document_dir
from app.web.access import get_or_404, require_member

bp = Blueprint("media", __name__)


@bp.get("/documents/<int:document_id>/media/<filename>")
def serve(document_id: int, filename: str):  # type: ignore[no-untyped-def]
    """Members see a draft's images; once the document is published, anyone does, like
    its text on the public page."""
    if not MEDIA_NAME.match(filename):
        abort(404)
    document = get_or_404(Document, document_id)
    public = document.status is DocumentStatus.PUBLISHED
    if not public:
        require_member(document.workshop_id)
    response = send_from_directory(
        document_dir(document.id),
        filename,
        mimetype=MEDIA_TYPES[filename.rsplit(".", 1)[1]],
        max_age=86400,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Named by content, so a name never changes meaning; a draft's image stays out of
    # shared caches.
    response.cache_control.public = public
    response.cache_control.private = not public
    response.cache_control.immutable = True
    return response
