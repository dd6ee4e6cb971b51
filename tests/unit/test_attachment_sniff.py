"""Judging an upload by its bytes (PURE), cleaning its name, and the Dutch size format."""

import pytest

from tests import attachment_samples as samples
from tracker.attachments import sniff
from tracker.attachments.forms import clean_file_name
from tracker.formatting import file_size
from tracker.validation import ValidationError


@pytest.mark.parametrize(("data", "kind"), [
    (samples.pdf(), sniff.PDF),
    (samples.png(), sniff.PNG),
    (samples.jpeg(), sniff.JPEG),
    (samples.docx(), sniff.DOCX),
    (samples.xlsx(), sniff.XLSX),
    (samples.odt(), sniff.ODT),
    (samples.TEXT, sniff.TEXT),
    ("Café; € 12,50\n".encode("cp1252"), sniff.TEXT),
    ("\ufeffa;b\n1;2\n".encode(), sniff.TEXT),
])
def test_allowed_kinds_are_recognised_by_content(data, kind):
    assert sniff.sniff(data) == kind


@pytest.mark.parametrize("data", [
    samples.EXE, samples.HTML, samples.SVG, samples.docm(), samples.plain_zip(),
    b"", b"PK\x03\x04 not really a zip", b"\x00\x01\x02binary", b"  <html>", b"<?xml?>",
    b"GIF89a\x01\x00\x01\x00", b"\x7fELF\x02\x01\x01",
])
def test_everything_else_is_refused(data):
    assert sniff.sniff(data) is None


def test_the_name_must_fit_the_content():
    assert sniff.accepts_name(sniff.PDF, "Plan.PDF")
    assert not sniff.accepts_name(sniff.PDF, "plan.png")
    assert not sniff.accepts_name(sniff.PDF, "plan.pdf.exe")
    assert sniff.accepts_name(sniff.TEXT, "lijst.csv") and sniff.accepts_name(sniff.TEXT, "a.txt")
    assert sniff.kind_for_name(sniff.TEXT, "lijst.CSV") == sniff.CSV


@pytest.mark.parametrize(("raw", "clean"), [
    ("plan.pdf", "plan.pdf"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\jan\\plan.pdf", "plan.pdf"),
    ("  .verborgen.pdf ", "verborgen.pdf"),
    ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_file_names_keep_only_their_last_part(raw, clean):
    assert clean_file_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "../", "plan\x00.pdf", "plan\u202efdp.exe", "a\nb.pdf"])
def test_bad_file_names_are_refused(raw):
    with pytest.raises(ValidationError):
        clean_file_name(raw)


@pytest.mark.parametrize(("n", "text"), [
    (0, "0 bytes"), (1, "1 byte"), (812, "812 bytes"), (34 * 1024, "34 kB"),
    (1024 * 1024 - 1, "1 MB"), (1_258_291, "1,2 MB"), (10 * 1024 * 1024, "10 MB"),
    (3 * 1024 * 1024 + 10, "3 MB"),
])
def test_file_sizes_in_dutch(n, text):
    assert file_size(n) == text
