"""``GET /healthz``: liveness and database check for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracker.auth.permissions import public
from tracker.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    """Answer JSON with the database checked; 503 when it does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        database = "onbereikbaar"
    healthy = database == "ok"
    return jsonify(status="ok" if healthy else "fout", database=database), (
        200 if healthy else 503
    )
