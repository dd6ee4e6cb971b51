"""The ceiling of ``bench/run.py``: the app's captured responses served from memory.

A plain Flask app, run by gunicorn with the same ``gunicorn.conf.py`` and worker count
as the tracker: ``BENCH_CEILING_FILE`` is a JSON file ``{"METHOD path?query": {"status",
"headers", "body" (base64)}}`` written by ``bench/run.py``. A POST to a path not in the
file gets the captured ``POST *`` entry (the done/undo POST alternates between paths).
No session, no database, no templates: what is left is the cost of gunicorn, Flask
and the bytes.
"""

from __future__ import annotations

import base64
import json
import os

from flask import Flask, Response, request

app = Flask(__name__)
with open(os.environ["BENCH_CEILING_FILE"], encoding="utf-8") as file:
    RESPONSES = {
        key: (entry["status"], entry["headers"], base64.b64decode(entry["body"]))
        for key, entry in json.load(file).items()
    }


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def serve(path: str):
    query = request.query_string.decode()
    key = f"{request.method} {request.path}{'?' + query if query else ''}"
    found = RESPONSES.get(key) or RESPONSES.get(f"{request.method} *")
    if found is None:
        return Response("niet opgenomen\n", 404, mimetype="text/plain")
    status, headers, body = found
    return Response(body, status, headers)
