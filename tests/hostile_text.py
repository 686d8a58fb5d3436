"""Links and images a hostile writer can type into a section, each with a word of its own
that must survive as text wherever the link or image is refused. Shared by the tests of
the renderer, of the pages and of every export format."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from app.core.importing import image_extension

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9" onload="alert(1)">'
    b'<rect width="9" height="9"/></svg>'
)
SVG_B64 = base64.b64encode(SVG).decode()
# The name the media folder would give an SVG, had it ever stored one.
SVG_MEDIA = "0123456789abcdef0123.svg"


@dataclass(frozen=True)
class Case:
    word: str  # survives as text
    markdown: str  # {id}: the document, {other}: another document, {token}: a login link


CASES = (
    Case("VOCEJS", "[VOCEJS](javascript:alert(1))"),
    Case("VOCEMIXED", "[VOCEMIXED](JaVaScRiPt:alert(1))"),
    Case("VOCETAB", "[VOCETAB](<java\tscript:alert(1)>)"),
    Case("VOCETABENT", "[VOCETABENT](java&#9;script:alert(1))"),
    Case("VOCEENTITY", "[VOCEENTITY](&#106;avascript:alert(1))"),
    Case("VOCEHEX", "[VOCEHEX](java&#x73;cript:alert(1))"),
    Case("VOCEVB", "[VOCEVB](vbscript:msgbox)"),
    Case("VOCEDATA", "[VOCEDATA](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    Case("VOCEFILE", "[VOCEFILE](file:///etc/passwd)"),
    Case("VOCEHOST", "[VOCEHOST](//evil.example/x)"),
    Case("VOCEAUTO", "<javascript:alert(7)//VOCEAUTO>"),
    Case("VOCEREF", "[VOCEREF][cattivo]\n\n[cattivo]: javascript:alert(8)"),
    Case("VOCENOTE", "Nota[^cattiva].\n\n[^cattiva]: [VOCENOTE](javascript:alert(9))"),
    Case("VOCESVG", f"![VOCESVG](data:image/svg+xml;base64,{SVG_B64})"),
    Case("VOCEFAKEPNG", f"![VOCEFAKEPNG](data:image/png;base64,{SVG_B64})"),
    Case("VOCESVGFILE", f"![VOCESVGFILE](/documents/{{id}}/media/{SVG_MEDIA})"),
    Case("VOCELOGIN", "![VOCELOGIN](/i/{token})"),
    Case("VOCELANG", "![VOCELANG](/lingua/en)"),
    Case("VOCEPDF", "![VOCEPDF](/documents/{id}/history/compare.pdf?da=1&a=2)"),
    Case("VOCEOTHER", "![VOCEOTHER](/documents/{other}/media/0123456789abcdef0123.png)"),
    Case("VOCEREMOTE", "![VOCEREMOTE](https://evil.example/spia.png)"),
    Case("VOCELINKIMG", "[![VOCELINKIMG](/lingua/en)](javascript:alert(10))"),
)

REFUSED = re.compile(
    r"javascript|vbscript|data:text|file:|evil\.example|svg|/i/|/lingua/|compare\.pdf",
    re.IGNORECASE,
)


def hostile_markdown(document_id: int, other_id: int, token: str) -> str:
    return "\n\n".join(
        case.markdown.replace("{id}", str(document_id))
        .replace("{other}", str(other_id))
        .replace("{token}", token)
        for case in CASES
    )


def raster(data: bytes) -> bool:
    return image_extension(data) is not None
