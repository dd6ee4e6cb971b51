"""Sample files for the attachment tests: real documents and disguised ones (bytes)."""

from __future__ import annotations

import io
import zipfile


def pdf(size: int = 0) -> bytes:
    """A small PDF (padded with a comment to about ``size`` bytes)."""
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
    padding = b"%" + b"x" * max(0, size - len(body) - 8) + b"\n" if size else b""
    return body + padding + b"%%EOF\n"


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def docx() -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("Verslag van het overleg")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _content_types(main: str) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            b'.org/package/2006/content-types"><Override PartName="/x/main.xml" ContentType="'
            + main.encode() + b'"/></Types>')


def xlsx() -> bytes:
    return _zip({"[Content_Types].xml": _content_types(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
        "xl/workbook.xml": b"<workbook/>"})


def docm() -> bytes:
    """A macro-enabled Word file (would run VBA): refused even when named .docx."""
    return _zip({"[Content_Types].xml": _content_types(
        "application/vnd.ms-word.document.macroEnabled.main+xml"),
        "word/vbaProject.bin": b"\x00" * 16})


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", b"<office:document-content/>")
    return out.getvalue()


def plain_zip() -> bytes:
    return _zip({"readme.txt": b"hallo"})


TEXT = b"Gemeente;Aantal\nZwolle;12\nDeventer;7\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b'<script>alert(1)</script></svg>')
