"""Which addresses typed into a text may reach a reader, as a link or as an image: one
rule for the document page, the previews, the PDF and, mirrored in the pandoc filter
(app/modules/exports/filter.lua), the DOCX and ODT files.

A link may lead to the web (http, https), to an e-mail (mailto) or within this site.
An image may only be one of the document's own media files, or a raster picture carried
inside the text (a data: URI of PNG, JPEG, GIF or WebP, checked by its first bytes):
any other image would be fetched by every reader's browser, with the reader's session,
so an image of /i/<token> logged readers in as the writer and an image of an export
started a render for every reader. SVG is never an image here: it can carry scripts.

Addresses are judged as a browser reads them: tabs and line breaks anywhere, controls
and spaces at the ends do not count ("java\tscript:" is "javascript:"), and a backslash
counts as a slash ("\\\\host" and "/\\host" are another site, like "//host")."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote

from app.core.importing import MEDIA_NAME, image_extension

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Declared type of a data: image → the format its bytes must show.
RASTER_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\t\n\r]")
_ENDS = "".join(chr(c) for c in range(0x21))
# As written by programs (and read by pandoc): "data:" and ";base64," in lower case.
_DATA_IMAGE = re.compile(r"^data:(image/[A-Za-z0-9.+-]+);base64,([A-Za-z0-9+/]+={0,2})$")
# 24 base64 characters are 18 bytes: enough for every signature image_extension reads.
_HEAD = 24


def normalised(url: str) -> str:
    return _INVISIBLE.sub("", url).strip(_ENDS)


def scheme(url: str) -> str | None:
    """The scheme in lower case, or None for an address without one."""
    found = _SCHEME.match(normalised(url))
    return found.group(1).lower() if found else None


def on_this_site(url: str) -> bool:
    """A path or an anchor: no scheme and no host of its own."""
    url = normalised(url).replace("\\", "/")
    return _SCHEME.match(url) is None and not url.startswith("//")


def link_allowed(url: str, site_paths: bool = True) -> bool:
    """`site_paths=False` for files that leave the site (DOCX, ODT): there a path has
    no site to be relative to and would name a file on the reader's computer; anchors
    within the document stay. The address is judged as typed and once more with its
    %-escapes decoded ("java%09script:"), as some office suites read it."""
    return all(_link_allowed(form, site_paths) for form in (url, unquote(url)))


def _link_allowed(url: str, site_paths: bool) -> bool:
    found = scheme(url)
    if found is not None:
        return found in LINK_SCHEMES
    if not on_this_site(url):
        return False
    return site_paths or normalised(url).startswith("#")


def media_prefix(document_id: int) -> str:
    """The address of a document's media folder: /documents/<id>/media/<name>."""
    return f"/documents/{int(document_id)}/media/"


def own_media(url: str, document_id: int | None) -> bool:
    if document_id is None:
        return False
    prefix = media_prefix(document_id)
    url = normalised(url)
    return url.startswith(prefix) and MEDIA_NAME.match(url[len(prefix) :]) is not None


def raster_data(url: str) -> bool:
    """A data: image whose declared type is a raster format and whose bytes are of that
    format (an SVG declared as image/png is still an SVG to some readers)."""
    found = _DATA_IMAGE.match(normalised(url))
    if found is None:
        return False
    expected = RASTER_TYPES.get(found.group(1).lower())
    payload = found.group(2)[:_HEAD]
    try:
        head = base64.b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        return False
    return expected is not None and image_extension(head) == expected


def image_allowed(url: str, document_id: int | None) -> bool:
    return raster_data(url) or own_media(url, document_id)
