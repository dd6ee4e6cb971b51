"""JSON error bodies of the API (never an HTML page under /api/v1).

The shape follows RFC 9457 (problem details), served as ``application/json``::

    {"status": 409, "title": "Conflict", "detail": "Iemand anders …",
     "errors": {"title": "Vul de titel in."},   # 422: per field, Dutch
     "current": {…}}                              # 409: the stored action now
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from tracker.errors import MESSAGES

#: Dutch details of the API's own refusals (the pages' wording speaks of pages).
API_DETAILS = {
    400: "Het verzoek is ongeldig.",
    401: "Geef een geldige API-sleutel mee in de kop 'Authorization: Bearer <sleutel>'.",
    403: "U hebt geen toestemming voor deze handeling.",
    404: "Dit bestaat niet (meer), of de URL is onbekend.",
    405: "Deze methode is hier niet toegestaan.",
    409: "Iemand anders heeft dit intussen gewijzigd. Er is niets opgeslagen: haal de nieuwe "
         "stand op (met haar versie) en probeer het opnieuw.",
    413: "Het verzoek is te groot.",
    422: "De gegevens zijn niet geldig.",
    429: "Te veel verzoeken met deze sleutel. Wacht het aantal seconden uit 'Retry-After'.",
    500: "Er ging aan onze kant iets mis. Probeer het later opnieuw.",
}


def problem(status: int, detail: str | None = None, *, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    """A JSON problem response with HTTP ``status``; ``extra`` adds fields (errors, current)."""
    title = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])[0]
    if status == 422:
        title = "Ongeldige gegevens"
    body = {"status": status, "title": title,
            "detail": detail or API_DETAILS.get(status, API_DETAILS[500 if status >= 500 else 400])}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="vnon-tracker"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_exception(error) -> Response:
    """The problem for a werkzeug ``HTTPException`` raised on the API (abort, webargs 422)."""
    status = error.code or 500
    detail = None
    description = getattr(error, "description", None)
    if description and description != type(error).description:
        detail = description  # an abort(…, description=…) of our own
    errors = None
    data = getattr(error, "data", None)
    if isinstance(data, dict) and "messages" in data:
        errors = _flatten(data["messages"])
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 429:
        from tracker.errors import DEFAULT_RETRY_AFTER

        headers["Retry-After"] = dict(error.get_headers()).get("Retry-After", str(DEFAULT_RETRY_AFTER))
    return problem(status, detail, headers=headers, errors=errors)


def _flatten(messages: dict) -> dict[str, str]:
    """webargs' ``{"json": {"title": ["…"]}}`` as ``{"title": "…"}`` (first message each)."""
    out: dict[str, str] = {}
    for location_or_field, value in messages.items():
        if isinstance(value, dict):
            for name, msgs in value.items():
                out[str(name)] = _first(msgs)
        else:
            out[str(location_or_field)] = _first(value)
    return out


#: marshmallow's and webargs' English messages in Dutch (by their start).
DUTCH_MESSAGES = (
    ("Missing data for required field", "Dit veld is verplicht."),
    ("Field may not be null", "Dit veld mag niet null zijn."),
    ("Unknown field", "Onbekend veld."),
    ("Not a valid integer", "Geef een geheel getal."),
    ("Not a valid number", "Geef een getal."),
    ("Not a valid string", "Geef tekst."),
    ("Not a valid boolean", "Geef true of false."),
    ("Not a valid date", "Geef een datum als JJJJ-MM-DD."),
    ("Not a valid datetime", "Geef een moment in ISO 8601."),
    ("Must be one of", "Kies een van de toegestane waarden."),
    ("Must be greater than or equal to", "De waarde ligt buiten het toegestane bereik."),
    ("Must be less than or equal to", "De waarde ligt buiten het toegestane bereik."),
    ("Length must be between", "De tekst is te kort of te lang."),
    ("Shorter than minimum length", "De tekst is te kort."),
    ("Longer than maximum length", "De tekst is te lang."),
    ("Invalid input type", "Ongeldig soort invoer."),
    ("Invalid JSON body", "De inhoud is geen geldige JSON."),
    ("Invalid value", "Ongeldige waarde."),
)


def dutch(message: str) -> str:
    """A validation message in Dutch (ours already are; the libraries' are translated)."""
    for start, translation in DUTCH_MESSAGES:
        if message.startswith(start):
            return translation
    return message


def _first(messages) -> str:
    if isinstance(messages, list | tuple) and messages:
        return _first(messages[0])
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_first(v)}" for k, v in messages.items())
    return dutch(str(messages))
