from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ROOT
from app.core.doc_templates import TemplateError, load_catalogue, parse_template

SHIPPED = ROOT / "documents"

GOOD = """---
title: Prova
description: Un modello di prova.
sections:
  - title: Premessa
    guidance: |
      Prima riga.
      Seconda riga.
  - title: Azioni
    level: 2
    word_limit: 600
---

# Premessa

Testo iniziale.

## Un sottotitolo resta nel testo

```
# neanche questo è una sezione
```

# Azioni

1. Prima azione
"""


def test_parses_front_matter_and_starting_text():
    template = parse_template("prova", GOOD)
    assert template.title == "Prova" and template.language == "it"
    premessa, azioni = template.sections
    assert premessa.guidance == "Prima riga.\nSeconda riga."
    assert premessa.word_limit is None and premessa.level == 1
    assert "## Un sottotitolo resta nel testo" in premessa.body
    assert "# neanche questo è una sezione" in premessa.body
    assert (azioni.level, azioni.word_limit, azioni.body) == (2, 600, "1. Prima azione")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("# Premessa\n", "manca l'intestazione YAML"),
        ("---\ntitle: T\n\tsections: x\n---\n", "YAML non valida (riga 3)"),
        ("---\n- una lista\n---\n", "elenco di chiavi e valori"),
        ("---\nsections:\n  - title: A\n---\n", "«title» è obbligatorio"),
        ("---\ntitle: T\n---\n", "almeno una sezione"),
        (
            "---\ntitle: T\nautore: io\nsections:\n  - title: A\n---\n",
            "chiave sconosciuta «autore»",
        ),
        (
            "---\ntitle: T\nsections:\n  - title: A\n    word-limit: 3\n---\n",
            "sezione 1: chiave sconosciuta",
        ),
        (
            "---\ntitle: T\nsections:\n  - title: A\n    level: 4\n---\n",
            "«level» deve essere un numero",
        ),
        ("---\ntitle: T\nsections:\n  - title: A\n    word_limit: tanti\n---\n", "«word_limit»"),
        ("---\ntitle: T\nsections:\n  - title: A\n    word_limit: 0\n---\n", "«word_limit»"),
        ("---\ntitle: T\nsections:\n  - title: A\n  - title: A\n---\n", "compare due volte"),
        ("---\ntitle: T\nsections:\n  - title: A\n---\n\n# B\n", "riga 7: il titolo «B»"),
        ("---\ntitle: T\nsections:\n  - title: A\n---\nciao\n# A\n", "riga 6: testo fuori"),
        ("---\ntitle: T\nsections:\n  - title: A\n---\n# A\n# A\n", "compare due volte"),
    ],
)
def test_malformed_templates_name_the_file_and_the_problem(text, fragment):
    with pytest.raises(TemplateError) as error:
        parse_template("rotto", text)
    assert str(error.value).startswith("rotto.md")
    assert fragment in str(error.value)


def test_catalogue_reports_broken_files_and_keeps_the_good_ones(tmp_path: Path):
    (tmp_path / "buono.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "rotto.md").write_text("niente intestazione", encoding="utf-8")
    (tmp_path / "Nome Strano.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "note.txt").write_text("non è un modello", encoding="utf-8")
    catalogue = load_catalogue(tmp_path)
    assert catalogue.names == ["buono"]
    assert set(catalogue.problems) == {"rotto", "Nome Strano"}
    assert "nome di file non valido" in catalogue.problems["Nome Strano"]


def test_names_from_people_cannot_leave_the_directory(tmp_path: Path):
    inner = tmp_path / "modelli"
    inner.mkdir()
    (tmp_path / "segreto.md").write_text(GOOD, encoding="utf-8")
    (inner / "buono.md").write_text(GOOD, encoding="utf-8")
    catalogue = load_catalogue(inner)
    for name in ("../segreto", "buono.md", "/etc/passwd", "./buono", "", "BUONO"):
        assert catalogue.get(name) is None
    assert catalogue.get("buono") is not None


def test_missing_directory_is_an_empty_catalogue(tmp_path: Path):
    assert load_catalogue(tmp_path / "manca").names == []


def test_all_shipped_templates_parse_and_guide_every_section():
    catalogue = load_catalogue(SHIPPED)
    assert catalogue.problems == {}
    assert catalogue.names == [
        "budget-di-salute",
        "scheda-progetto-regionale",
        "sintesi-laboratori",
    ]
    for template in catalogue.templates.values():
        assert template.title and template.description and template.language == "it"
        for section in template.sections:
            assert len(section.guidance) > 80, (template.name, section.title)


def test_budget_di_salute_follows_the_sessions_of_the_day():
    template = load_catalogue(SHIPPED).get("budget-di-salute")
    assert [s.title for s in template.sections] == [
        "Premessa",
        "Abitare",
        "Lavoro",
        "Socialità",
        "Governance e connettore giuridico",
        "Impegni",
    ]
    assert all(s.body for s in template.sections)


def test_regional_form_has_a_word_limit_on_every_section():
    template = load_catalogue(SHIPPED).get("scheda-progetto-regionale")
    limits = {s.title: s.word_limit for s in template.sections}
    assert all(limits.values())
    assert limits["Analisi del contesto e dei bisogni"] == 600
    assert limits["Obiettivi"] == 400
    assert limits["Azioni"] == 1200
    assert limits["Rete dei partner"] == 400
    assert limits["Risultati attesi e indicatori"] == 600
    assert limits["Sostenibilità"] == 400


def test_lab_synthesis_has_six_labs_between_method_and_proposals():
    titles = [s.title for s in load_catalogue(SHIPPED).get("sintesi-laboratori").sections]
    assert titles[0] == "Introduzione e metodo"
    assert len([t for t in titles[1:7] if t.startswith("Laboratorio ")]) == 6
    assert titles[7:] == ["Temi trasversali", "Proposte condivise"]
