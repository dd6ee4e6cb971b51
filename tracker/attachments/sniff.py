"""Which kind of document a file is, judged by its bytes, never by its name (PURE).

The allow-list (:data:`KINDS`) is deliberately short: office documents, PDF, two image
formats and plain text. Each kind is recognised by its own signature:

- PDF ``%PDF-``; PNG its 8-byte signature; JPEG ``FF D8 FF``;
- Word/Excel/PowerPoint (OOXML): a zip whose ``[Content_Types].xml`` declares the
  document's main part (a macro-enabled ``.docm`` declares another type: refused);
- OpenDocument text/spreadsheet: a zip whose ``mimetype`` member names the type;
- plain text/CSV: UTF-8 (or Windows-1252) without control characters and not starting
  with markup. HTML, SVG and XML are refused: a browser would run their scripts.

Everything else (executables, archives, HTML renamed to ``.png``, SVG) is refused.
Why not ``filetype``/``puremagic``/``python-magic``: those name many formats by their
first bytes but do not look inside a zip (every DOCX is "application/zip") or judge
text; the six signatures the allow-list needs are a few lines here, with no dependency
on libmagic.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

#: The first bytes read to judge a text file.
TEXT_SAMPLE = 64 * 1024
#: ``[Content_Types].xml`` and ``mimetype`` are small; a larger one is not a real document
#: (and reading it could be a zip bomb).
MAX_MANIFEST_BYTES = 256 * 1024


@dataclass(frozen=True)
class Kind:
    """An allowed kind of file: the content type it is stored and served with, the
    file-name extensions that may carry it, and its Dutch name for messages."""

    content_type: str
    extensions: tuple[str, ...]
    label: str


PDF = Kind("application/pdf", (".pdf",), "PDF")
PNG = Kind("image/png", (".png",), "PNG-afbeelding")
JPEG = Kind("image/jpeg", (".jpg", ".jpeg"), "JPEG-afbeelding")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",), "Word-document")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",), "Excel-werkmap")
PPTX = Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",), "PowerPoint-presentatie")
ODT = Kind("application/vnd.oasis.opendocument.text", (".odt",), "OpenDocument-tekst")
ODS = Kind("application/vnd.oasis.opendocument.spreadsheet", (".ods",),
           "OpenDocument-rekenblad")
TEXT = Kind("text/plain; charset=utf-8", (".txt",), "tekstbestand")
CSV = Kind("text/csv; charset=utf-8", (".csv",), "CSV-bestand")

KINDS = (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, TEXT, CSV)
#: The main part each OOXML kind declares in ``[Content_Types].xml``.
OOXML_MAIN_PARTS = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
ODF_TYPES = {ODT.content_type: ODT, ODS.content_type: ODS}
#: What the upload form says is allowed.
ALLOWED_DESCRIPTION = ("PDF, Word, Excel, PowerPoint, OpenDocument-tekst en -rekenblad, "
                       "PNG, JPEG, tekst en CSV")
#: A text file may hold tab, line feed, carriage return and form feed, no other control.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MARKUP_START = re.compile(r"^\s*<")


def sniff(data: bytes) -> Kind | None:
    """The allowed :class:`Kind` that ``data`` (the whole file) is, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return _text_kind(data)


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_MANIFEST_BYTES:
        return None
    with archive.open(info) as member:
        return member.read(MAX_MANIFEST_BYTES + 1)[:MAX_MANIFEST_BYTES]


def _zip_kind(data: bytes) -> Kind | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            mimetype = _read_small(archive, "mimetype")
            if mimetype is not None:
                return ODF_TYPES.get(mimetype.decode("ascii", "replace").strip())
            manifest = _read_small(archive, "[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError,
            NotImplementedError, EOFError):
        return None
    if manifest is None:
        return None
    text = manifest.decode("utf-8", "replace")
    for kind, main_part in OOXML_MAIN_PARTS.items():
        # The attribute value as written: ContentType="...main+xml" (exact, so the
        # macro-enabled types, "...macroEnabled.main+xml", do not match).
        if f'ContentType="{main_part}"' in text:
            return kind
    return None


def _decode(sample: bytes) -> str | None:
    for encoding in ("utf-8", "cp1252"):
        try:
            return sample.decode(encoding)
        except UnicodeDecodeError as error:
            # A sample cut in the middle of a UTF-8 character is still UTF-8.
            if encoding == "utf-8" and error.start >= len(sample) - 3 and len(sample) == TEXT_SAMPLE:
                return sample[: error.start].decode("utf-8")
    return None


def _text_kind(data: bytes) -> Kind | None:
    if not data:
        return None
    text = _decode(data[:TEXT_SAMPLE])
    if text is None:
        return None
    text = text.removeprefix("\ufeff")
    if _TEXT_CONTROL.search(text) or _MARKUP_START.match(text):
        return None
    return TEXT  # .txt or .csv: kind_for_name decides by the name


def accepts_name(kind: Kind, file_name: str) -> bool:
    """Whether ``file_name``'s extension fits ``kind`` (text may be named .txt or .csv)."""
    lower = file_name.lower()
    extensions = TEXT.extensions + CSV.extensions if kind in (TEXT, CSV) else kind.extensions
    return lower.endswith(extensions)


def kind_for_name(kind: Kind, file_name: str) -> Kind:
    """Text is served as CSV when named ``.csv`` and as plain text otherwise."""
    if kind in (TEXT, CSV):
        return CSV if file_name.lower().endswith(".csv") else TEXT
    return kind
