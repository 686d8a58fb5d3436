"""The export form of the document page, the list, the downloads, and the seal."""

from __future__ import annotations

from app.core.permissions import DocumentStatus, Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.documents import services as documents
from app.modules.exports import services
from app.modules.exports.models import Export
from app.modules.history import services as history
from app.web.blocking import one_at_a_time
from tests.modules.exports.conftest import client_for, exported_files


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def test_the_document_page_offers_the_export_form(app, policy) -> None:
    page = client_for(app, policy, Role.OBSERVER).get(f"/documents/{policy.document.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Esporta il documento" in html and 'value="pdf"' in html
    assert 'name="annexes" id="panel-annex-participants"' in html


def test_a_participant_exports_a_pdf_and_downloads_it(app, policy) -> None:
    participant = client_for(app, policy, Role.PARTICIPANT)
    sent = participant.post(
        f"/documents/{policy.document.id}/exports",
        data={"format": "pdf", "annexes": ["participants"], "colophon": "y", "pdf_tagged": "y"},
    )
    assert sent.status_code == 302
    listing = participant.get(sent.headers["Location"]).get_data(as_text=True)
    row = db.session.execute(db.select(Export)).scalar_one()
    assert row.file_name in listing and row.person_id == policy.participant.id
    assert row.options["annexes"] == ["participants"]
    download = participant.get(f"/exports/{row.id}/file")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf" and download.data.startswith(b"%PDF")
    assert row.file_name in download.headers["Content-Disposition"]


def test_only_facilitators_see_and_download_the_exports_of_others(app, policy) -> None:
    row = services.export(policy.participant, policy.document, services.options_from("md"))
    db.session.commit()
    observer = client_for(app, policy, Role.OBSERVER)
    assert observer.get(f"/exports/{row.id}/file").status_code == 404
    assert row.file_name not in observer.get(f"/documents/{policy.document.id}/exports").text
    facilitator = client_for(app, policy, Role.FACILITATOR)
    assert facilitator.get(f"/exports/{row.id}/file").status_code == 200
    listing = facilitator.get(f"/documents/{policy.document.id}/exports").text
    assert row.file_name in listing and "Persona participant" in listing


def test_a_bad_choice_is_explained_and_keeps_what_was_chosen(app, policy) -> None:
    answer = client_for(app, policy, Role.PARTICIPANT).post(
        f"/documents/{policy.document.id}/exports",
        data={"format": "exe", "annexes": ["participants", "segreti"], "pdf_archival": "y"},
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Scegli un formato dell&#39;elenco." in html or "Scegli un formato dell'elenco." in html
    assert "Scegli gli allegati dall" in html
    assert 'id="export-annex-participants" value="participants" checked' in html
    assert 'id="export-pdf_archival" value="y" checked' in html
    assert exported_files(app) == [] and db.session.execute(db.select(Export)).first() is None


def test_a_failed_render_is_explained_and_saves_nothing(app, policy) -> None:
    app.config["EXPORT_MEMORY_LIMIT_MB"] = 40
    answer = client_for(app, policy, Role.PARTICIPANT).post(
        f"/documents/{policy.document.id}/exports", data={"format": "pdf"}
    )
    assert answer.status_code == 422
    assert "limite di memoria" in answer.get_data(as_text=True)
    assert exported_files(app) == [] and db.session.execute(db.select(Export)).first() is None


def test_a_named_version_is_exported_as_it_was_saved(app, policy) -> None:
    history.save_version(policy.facilitator, policy.document, "Dopo la sessione 1")
    policy.document.sections[0].body = "Testo riscritto nel pomeriggio."
    db.session.commit()
    participant = client_for(app, policy, Role.PARTICIPANT)
    page = participant.get(f"/documents/{policy.document.id}/exports").get_data(as_text=True)
    assert '<option value="Dopo la sessione 1">' in page
    sent = participant.post(
        f"/documents/{policy.document.id}/exports",
        data={"format": "md", "version": "Dopo la sessione 1"},
    )
    assert sent.status_code == 302
    row = db.session.execute(db.select(Export)).scalar_one()
    text = services.file_of(row).read_text()  # type: ignore[union-attr]
    assert row.version_name == "Dopo la sessione 1"
    assert "-dopo-la-sessione-1-" in row.file_name
    assert "budget di salute" in text and "riscritto" not in text
    refused = participant.post(
        f"/documents/{policy.document.id}/exports", data={"format": "md", "version": "Mai salvata"}
    )
    assert refused.status_code == 422
    assert "Scegli una versione dell" in refused.get_data(as_text=True)


def test_freezing_seals_the_text_and_the_public_page_shows_it(app, policy) -> None:
    draft = services.export(policy.facilitator, policy.document, services.options_from("pdf"))
    documents.set_status(policy.facilitator, policy.document, DocumentStatus.FROZEN)
    db.session.commit()
    (sealed,) = _events("document.sealed")
    sha = services.source_for(policy.document).text_sha256
    assert sealed.details["text_sha256"] == sha
    final_pdf = services.export(policy.facilitator, policy.document, services.options_from("pdf"))
    final_docx = services.export(policy.facilitator, policy.document, services.options_from("docx"))
    documents.set_status(policy.facilitator, policy.document, DocumentStatus.PUBLISHED)
    db.session.commit()
    exported = {e.details["export_id"]: e.details for e in _events("document.exported")}
    assert exported[final_pdf.id]["text_sha256"] == sha
    assert exported[draft.id]["text_sha256"] is None

    public = app.test_client()
    page = public.get(f"/p/{policy.document.id}").get_data(as_text=True)
    assert sha in page
    assert f"/p/{policy.document.slug}/download/pdf" in page
    pdf = public.get(f"/p/{policy.document.id}/download/pdf")
    assert pdf.status_code == 200 and pdf.data == services.file_of(final_pdf).read_bytes()  # type: ignore[union-attr]
    docx = public.get(f"/p/{policy.document.id}/download/docx")
    assert docx.data == services.file_of(final_docx).read_bytes()  # type: ignore[union-attr]
    assert public.get(f"/p/{policy.document.id}/download/md").status_code == 404
    assert public.get(f"/exports/{final_pdf.id}/file").status_code in (302, 401)


def test_a_draft_export_never_reaches_the_public_page(app, policy) -> None:
    services.export(policy.facilitator, policy.document, services.options_from("pdf"))
    public = app.test_client()
    assert public.get(f"/p/{policy.document.id}/download/pdf").status_code == 404
    documents.set_status(None, policy.document, DocumentStatus.FROZEN)
    documents.set_status(None, policy.document, DocumentStatus.PUBLISHED)
    db.session.commit()
    assert public.get(f"/p/{policy.document.id}/download/pdf").status_code == 404
    assert "/download/pdf" not in public.get(f"/p/{policy.document.id}").get_data(as_text=True)


def test_one_export_at_a_time_per_person(app, policy) -> None:
    participant = client_for(app, policy, Role.PARTICIPANT)
    url = f"/documents/{policy.document.id}/exports"
    with one_at_a_time("pdf", policy.participant.id):
        refused = participant.post(url, data={"format": "md"})
    assert refused.status_code == 429
    assert "Attendi che finisca" in refused.get_data(as_text=True)
    assert db.session.execute(db.select(Export)).first() is None
    assert participant.post(url, data={"format": "md"}).status_code == 302
