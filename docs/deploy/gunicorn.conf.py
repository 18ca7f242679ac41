# gunicorn settings for eventsapp: `gunicorn -c docs/deploy/gunicorn.conf.py 'eventsapp:create_app()'`
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Pages are CPU-bound (Jinja, PDFs): one sync worker per core does better than threads here.
# At most 4 by default, so 2 hosts × 4 workers × 10 connections stay inside PostgreSQL's
# default max_connections (100) minus a reserve; raise it together with max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count(), 4)))
worker_class = "sync"
# Badge PDFs for a big conference take a few seconds; nothing legitimate takes 60.
timeout = 60
graceful_timeout = 30
# Restart workers now and then so a slow leak can never take a host down.
max_requests = 2000
max_requests_jitter = 200
accesslog = None  # eventsapp logs each request itself, as JSON with a request id
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """Refuse to start several workers that would each keep rate limits in memory: every
    limit would be multiplied by the number of workers (eventsapp/serving.py)."""
    from eventsapp import create_app
    from eventsapp.serving import check_limits_storage

    check_limits_storage(create_app().config, server.cfg.workers)
