"""gunicorn in production: ``gunicorn -c gunicorn.conf.py wsgi:app``.

The access log goes to stdout with every token in a URL hidden
(``tracker.access_log.RedactingLogger``): password, RSVP, unsubscribe and
calendar-feed links and ``token=`` query parameters appear as ``[verborgen]``.
Settings can be overridden on the command line or with ``GUNICORN_*`` variables.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
# No request line over 4 KiB: no real URL of the tracker is longer.
limit_request_line = 4094
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
logger_class = "tracker.access_log.RedactingLogger"
# The reverse proxy sets X-Forwarded-*; gunicorn trusts it only from these addresses.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
