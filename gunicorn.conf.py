"""gunicorn settings for eventsite (``gunicorn -c gunicorn.conf.py wsgi:app``).

Threaded workers keep a long upload or a slow download from blocking the
worker, and the long timeout stops gunicorn from killing a worker in the
middle of a multi-gigabyte upload on a slow connection.
"""

import os

bind = os.environ.get("EVENTSITE_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("EVENTSITE_WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("EVENTSITE_WEB_THREADS", "8"))
timeout = 3600
graceful_timeout = 30
keepalive = 5
accesslog = "-"
