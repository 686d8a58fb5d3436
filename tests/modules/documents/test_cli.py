from __future__ import annotations

from app.extensions import db
from app.modules.documents.models import Document


def test_create_document_from_a_template(app, make):
    workshop = make.workshop()
    result = app.test_cli_runner().invoke(
        args=[
            "tavolo",
            "create-document",
            str(workshop.id),
            "Sintesi",
            "--template",
            "sintesi-laboratori",
        ]
    )
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, int(result.output.strip()))
    assert len(document.sections) == 9
    assert document.sections[0].title == "Introduzione e metodo"


def test_unknown_template_is_refused_with_the_available_names(app, make):
    workshop = make.workshop()
    result = app.test_cli_runner().invoke(
        args=["tavolo", "create-document", str(workshop.id), "Sintesi", "--template", "verbale"]
    )
    assert result.exit_code != 0
    assert "Il modello «verbale» non esiste" in result.output
    assert "budget-di-salute, scheda-progetto-regionale, sintesi-laboratori" in result.output
    assert db.session.execute(db.select(Document)).first() is None
