"""Backups that restore: ``flask backup`` and ``flask restore`` (archive.py, cli.py)."""
