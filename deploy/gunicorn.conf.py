"""Gunicorn settings for Passerelle: `gunicorn -c deploy/gunicorn.conf.py "app:create_app()"`.

Every worker is a stateless copy of the app: sessions are signed cookies, jobs go to Redis, files go through the
storage interface, so the number of workers and of hosts can grow freely."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two per core is a good start for a database-bound app; measure with bench/ before changing it.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# The app writes one line per request itself (app/health/requestlog.py); gunicorn's access log would repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Only nginx on this host talks to gunicorn; the app's TRUSTED_PROXIES setting decides which headers to believe.
forwarded_allow_ips = "127.0.0.1"
