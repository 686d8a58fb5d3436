"""Files to import, made at test time: real DOCX and ODT written by pandoc from an
Italian draft, and the hostile ones (zip bomb, XXE, renamed binaries) built byte by
byte, so that no binary has to live in the repository."""

from __future__ import annotations

import io
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

import pypandoc

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="'
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    b'"/></Types>'
)


def png(width: int = 3, height: int = 2, rgb: bytes = b"\x1f\x5f\x9f") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + rgb * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


DRAFT = """# Patto per il budget di salute

Questo documento è la **bozza** su cui lavorerà il tavolo, con un
[collegamento alla delibera](https://www.regione.lombardia.it/delibera).

## Abitare

L'abitare è il primo *pilastro* del progetto di vita[^casa].

- appartamenti condivisi
    - con un'educatrice di riferimento
- housing first

![Mappa dei servizi](mappa.png)

### Strumenti

1. budget personale
2. équipe integrata

## Lavoro

| Ente | Impegno |
|------|---------|
| ASST di Lodi | Tirocini di inclusione |
| Comune di Codogno | Borse lavoro |

## Socialità

Attività nel quartiere, «con» le associazioni.

[^casa]: Si veda la DGR n. 1234 del 2025.
"""


def office(
    markdown: str = DRAFT, fmt: str = "docx", images: dict[str, bytes] | None = None
) -> bytes:
    """A DOCX or ODT as Word users send them, written by pandoc from Markdown (trusted
    input here, so pandoc may read the images next to it)."""
    images = {"mappa.png": png()} if images is None else images
    with tempfile.TemporaryDirectory() as folder:
        for name, data in images.items():
            (Path(folder) / name).write_bytes(data)
        (Path(folder) / "bozza.md").write_text(markdown, encoding="utf-8")
        subprocess.run(
            [pypandoc.get_pandoc_path(), "bozza.md", "-o", f"bozza.{fmt}"],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        return (Path(folder) / f"bozza.{fmt}").read_bytes()


def rebuilt(
    archive: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None
) -> bytes:
    """The same archive with some entries replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, data in (extra or {}).items():
            target.writestr(name, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def zip_bomb(megabytes: int = 200) -> bytes:
    """A DOCX-looking archive whose document expands from ~200 KB to `megabytes` of
    zeros, written in chunks so the test never holds it unpacked."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            zeros = bytes(2**20)
            for _ in range(megabytes):
                entry.write(zeros)
    return out.getvalue()


XXE_DOCUMENT = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE w:document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&secret;</w:t></w:r></w:p></w:body></w:document>"""


def xxe_docx() -> bytes:
    return rebuilt(office(), {"word/document.xml": XXE_DOCUMENT})


def crowded_docx(entries: int) -> bytes:
    return rebuilt(office(), {}, {f"word/media/extra{i}.bin": b"" for i in range(entries)})


def escaping_docx() -> bytes:
    return rebuilt(office(), {}, {"../../evil.txt": b"x"})


def lying_docx(megabytes: int = 20) -> bytes:
    """A document entry that declares 1,000 bytes and unpacks to `megabytes` of zeros:
    the sizes checked before unpacking are the archive's word, so the unpacking itself
    must not trust them either."""
    data = bytearray(zip_bomb(megabytes))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    local = info.header_offset
    struct.pack_into("<I", data, local + 22, 1000)
    central = data.rfind(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == b"word/document.xml":
            struct.pack_into("<I", data, central + 24, 1000)
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    return bytes(data)


# A municipal plan as Word users number it by hand: numbers typed in the headings, a
# note in a heading, notes defined at the end, an inline note, a title paragraph.
NUMBERED_PLAN = """---
title: Piano di governo del territorio
subtitle: Documento di piano
---

Comune di Codogno

# 1. Premessa

Il piano[^pgt] nasce dal percorso partecipativo.

# 2. I percorsi attuativi

## 2.1 I percorsi attuativi del piano[^titolo]

Testo del paragrafo^[Nota scritta in linea.].

## 2.2 Le aree di trasformazione

| Area | Superficie |
|------|-----------:|
| Ex consorzio[^area] | 12.000 m² |

# 3. Monitoraggio

## 3.1 Indicatori

Gli indicatori del 2030.

# 4. Allegati

[^pgt]: Legge regionale 11 marzo 2005, n. 12.
[^titolo]: Nota scritta sul titolo.
[^area]: Superficie territoriale.
"""

# What pandoc gives from a DOCX saved by Word: headings with their typed numbers, a
# title from the Title style as metadata, notes at the end, hard line breaks.
FROM_WORD = """---
title: "Relazione: \\\"progetto\\\" 2025"
author:
- Ufficio di piano
date: 3 marzo 2025
---

# 1 Introduzione

Il testo di Word\\
con un a capo forzato e una nota[^1].

# 2 Il contesto

## 2.1 Demografia

- Popolazione: 15.000 abitanti
  - di cui 3.000 minori

# 3 Le proposte

![](media/image1.png){width="3in"}

[^1]: La nota di Word, con un secondo paragrafo:

    che continua qui.
"""

# What a PDF converter leaves: running headers and page numbers, lines broken where
# the page broke them (two spaces, "⏎" here), bold paragraphs standing for headings,
# hyphenated words.
FROM_PDF = """PIANO URBANO DELLA MOBILITÀ SOSTENIBILE⏎
Comune di Lodi

**1. PREMESSA**

Il presente piano defini-⏎
sce le strategie della mobilità⏎
per i prossimi dieci anni.¹

Pagina 3 di 90

PUMS – Comune di Lodi

**2. OBIETTIVI**

1

2.1 Mobilità dolce

Le piste ciclabili[^1] collegano
i quartieri.

    testo rientrato come da impaginazione

**3. AZIONI**

¹ Delibera del consiglio comunale n. 45.

[^1]: Rete ciclabile di 40 km.
""".replace("⏎", "  ")
