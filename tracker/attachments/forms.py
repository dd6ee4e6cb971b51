"""The upload form: one file, its name cleaned by the forms layer's rules."""

from __future__ import annotations

import unicodedata

from werkzeug.datastructures import FileStorage

from tracker.attachments.models import FILE_NAME_MAX_LENGTH
from tracker.forms import Form, ParsedField
from tracker.validation import ValidationError, clean_text

FIELD = "bestand"
MISSING = "Kies een bestand om toe te voegen."


def clean_file_name(raw: str | None, *, field: str = FIELD) -> str:
    """The name a browser sent, as it is kept: the last path part only (``C:\\x\\a.pdf``
    and ``../a.pdf`` become ``a.pdf``), NFC, no leading dots, at most 200 characters
    (the extension kept). Control and text-direction characters are refused
    (``ValidationError``), as in every text field; so is an empty name."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name).strip().lstrip(".").strip()
    if not name:
        raise ValidationError(field, "Het bestand heeft geen naam. Geef het een naam en "
                                     "probeer het opnieuw.")
    if len(name) > FILE_NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:16] if dot and stem else ""
        keep = FILE_NAME_MAX_LENGTH - len(extension) - (1 if extension else 0)
        name = (stem if extension else name)[:keep].rstrip() + ("." + extension if extension else "")
    return clean_text(name, field=field, label="De bestandsnaam",
                      max_length=FILE_NAME_MAX_LENGTH)


class UploadField(ParsedField):
    """A file input: ``data`` is the cleaned file name (so a BSN in it is refused like in
    any text), ``file`` the uploaded :class:`FileStorage`. Without a file: refused."""

    def __init__(self, label: str, **kwargs):
        super().__init__(label, **kwargs)
        self.file: FileStorage | None = None

    def process_formdata(self, valuelist):
        value = valuelist[0] if valuelist else None
        if isinstance(value, FileStorage) and value.filename:
            self.file = value
            self.raw = value.filename
        else:
            self.file, self.raw = None, None

    def parse(self, raw):
        if self.file is None:
            raise ValidationError(self.name, MISSING)
        return clean_file_name(raw, field=self.name)


class AttachmentForm(Form):
    """Bijlage toevoegen: the file (its bytes are judged by the service, not here)."""

    bestand = UploadField("Bestand")
