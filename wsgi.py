"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi``."""

from tracker import create_app
from tracker.gc_tuning import tune_for_serving

app = create_app()
tune_for_serving()  # after start-up: see tracker/gc_tuning.py
