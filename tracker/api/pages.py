"""The API's pages: the OpenAPI document, its Dutch documentation page (rendered on the
server from the same document: no Swagger UI, no scripts) and the account page for
personal API tokens ("API-sleutels": list, create, revoke)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_login import current_user

from tracker.api.models import ApiScope, ApiToken
from tracker.auth.permissions import authenticated, public
from tracker.clock import local_today, now
from tracker.extensions import db
from tracker.forms import DateField, EnumField, Form, TextField
from tracker.submissions import FIELD as SUBMISSION_FIELD
from tracker.submissions import AlreadySubmitted, new_submission_id, parse_submission_id
from tracker.validation import ValidationError, ValidationErrors

bp = Blueprint("api_pages", __name__)

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/api/v1/openapi.json")
@public
def openapi():
    """The OpenAPI 3 document of the API (public: it describes, it holds no data)."""
    from tracker.api.setup import openapi_document

    return jsonify(openapi_document(current_app))


# --- The documentation page ----------------------------------------------------------------


#: Library phrases of the OpenAPI document, in the page's Dutch.
_PHRASES = {"Default error response": "Fout (JSON-probleem)",
            "Unprocessable Entity": "Ongeldige gegevens", "OK": "Gelukt",
            "Created": "Aangemaakt", "Not Found": "Niet gevonden"}


def _prose(text: str) -> str:
    """A docstring or library description as page text: reStructuredText ``code`` marks
    become quotes, known English library phrases Dutch."""
    text = _PHRASES.get(text.strip(), text)
    return re.sub(r"``([^`]+)``", "‘\\1’", text)


def _schema_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type_text(schema: dict) -> str:
    """A property's type in words: ``tekst``, ``datum``, ``lijst van Actie``…"""
    if not schema:
        return "willekeurig"
    if "$ref" in schema:
        return _schema_name(schema["$ref"])
    if "allOf" in schema:
        return " / ".join(_type_text(s) for s in schema["allOf"])
    kind, fmt = schema.get("type"), schema.get("format")
    words = {"string": "tekst", "integer": "geheel getal", "number": "getal",
             "boolean": "ja/nee", "object": "object"}
    if kind == "array":
        return f"lijst van {_type_text(schema.get('items', {}))}"
    if fmt == "date":
        text = "datum (JJJJ-MM-DD)"
    elif fmt == "date-time":
        text = "moment (ISO 8601, UTC)"
    else:
        text = words.get(kind, kind or "willekeurig")
    if schema.get("nullable"):
        text += " of null"
    return text


def docs_model(spec: dict) -> dict:
    """What the documentation page shows, from the OpenAPI document: operations grouped
    by tag (method, path, summary, text, parameters, body, answers) and the schemas."""
    groups: dict[str, list[dict]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [*item.get("parameters", []), *op.get("parameters", [])]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            answers = []
            for code, response in op.get("responses", {}).items():
                if "$ref" in response:
                    name = _schema_name(response["$ref"])
                    response = spec.get("components", {}).get("responses", {}).get(name, {})
                content = response.get("content", {}).get("application/json", {})
                answers.append({"code": code, "text": _prose(response.get("description", "")),
                                "schema": _type_text(content.get("schema", {})) if content else ""})
            tag = (op.get("tags") or ["Overig"])[0]
            groups.setdefault(tag, []).append({
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")
                .replace("_", "-").strip("-"),
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": _prose(op.get("description", "")),
                "parameters": [{"name": p["name"], "in": {"path": "pad", "query": "query",
                                                          "header": "kop"}.get(p["in"], p["in"]),
                                "required": p.get("required", False),
                                "type": _type_text(p.get("schema", {})),
                                "description": _prose(p.get("description", "")),
                                "enum": p.get("schema", {}).get("enum")} for p in params],
                "body": _type_text(body.get("schema", {})) if body else "",
                "answers": sorted(answers, key=lambda a: (a["code"] == "default", a["code"])),
            })
    schemas = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        schemas.append({
            "name": name, "id": f"schema-{name}",
            "properties": [{"name": prop, "type": _type_text(value),
                            "required": prop in required,
                            "description": _prose(value.get("description", "")),
                            "enum": value.get("enum"),
                            "example": value.get("example")}
                           for prop, value in schema.get("properties", {}).items()],
        })
    return {"groups": groups, "schemas": schemas, "title": spec.get("info", {}).get("title", "")}


@bp.get("/api/docs")
@public
def docs():
    """The documentation of the API in Dutch, rendered from the OpenAPI document."""
    from tracker.api.setup import openapi_document

    base = request.host_url.rstrip("/")
    return render_template("api/docs.html", model=docs_model(openapi_document(current_app)),
                           base=base)


# --- API-sleutels --------------------------------------------------------------------------


class TokenForm(Form):
    """A new personal API token: a name, a scope and an expiry date."""

    name = TextField("Naam", max_length=100)
    scope = EnumField(ApiScope, invalid="Kies wat de sleutel mag.", default_value=ApiScope.READ)
    expires_on = DateField("Geldig tot en met", required=True)


def _tokens_page(*, shown: str | None = None, created: ApiToken | None = None,
                 errors=None, values=None, revoked: ApiToken | None = None,
                 already: AlreadySubmitted | None = None, status: int = 200):
    from tracker.api.tokens import max_days, token_rows, user_tokens

    today = local_today()
    # The token this form made before, named only to its owner.
    made_before = (already.obj if already is not None and already.obj is not None
                   and already.obj.user_id == current_user.id else None)
    return render_template(
        "api/tokens.html", tokens=token_rows(user_tokens(current_user), now()), shown=shown,
        created=created, errors=errors or {}, values=values or {}, revoked=revoked,
        already=already is not None, made_before=made_before,
        submission=new_submission_id(), submission_field=SUBMISSION_FIELD,
        scope_options=[(s.value, s.label) for s in ApiScope],
        default_expiry=(today + timedelta(days=90)).isoformat(),
        latest_expiry=today + timedelta(days=max_days()), max_days=max_days(),
    ), status


@bp.get("/account/api-sleutels")
@authenticated
def tokens():
    """Your API tokens: which exist, until when, last used; make or revoke one."""
    return _tokens_page()


@bp.post("/account/api-sleutels")
@authenticated
def create_token():
    """Make a token; its text is shown on this answer only (never again, never stored).
    The same form sent again (a reload of this answer) makes none and says so."""
    from tracker.api.tokens import issue_token

    try:
        submission = parse_submission_id(request.form.get(SUBMISSION_FIELD))
        form = TokenForm().parse()
        token, text = issue_token(current_user, name=form.name.data, scope=form.scope.data,
                                  expires_on=form.expires_on.data, today=local_today(),
                                  now=now(), submission=submission)
    except AlreadySubmitted as already:
        db.session.rollback()
        return _tokens_page(already=already)
    except ValidationError as error:
        db.session.rollback()
        errors = error.errors if isinstance(error, ValidationErrors) else {error.field: error.message}
        return _tokens_page(errors=errors, values=request.form, status=422)
    db.session.commit()
    response = current_app.make_response(_tokens_page(shown=text, created=token))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/api-sleutels/<int:token_id>/intrekken")
@authenticated
def revoke(token_id: int):
    """Revoke one of your tokens (another person's is not found: 404)."""
    from tracker.api.tokens import revoke_token

    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    revoke_token(token, actor=current_user, now=now())
    db.session.commit()
    return _tokens_page(revoked=token)
