"""Conditional, cached calendar responses.

The ETag is a hash of the feed's key (ids and versions read from the
database, plus everything else the bytes depend on), so answering 304 needs
no build, and the same key gives the same bytes in every process. Built
bodies are kept in a small per-process LRU keyed by that hash, and also in
Redis when CACHE_REDIS_URL is set, so one process's build serves the others.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

import icalendar
from flask import Flask, Response, current_app, request
from werkzeug.http import is_resource_modified

from ..models import utcnow

# Bump when the builders' output changes for the same data, so ETags and caches move on.
FORMAT_VERSION = 1
# Bounded by bytes, not entries: one 10,000-item feed is about 6 MB.
LRU_BYTES = 64 * 1024 * 1024
REDIS_TTL_SECONDS = 7 * 24 * 3600
PUBLIC_CACHE = "public, max-age=300"
# C8: a personal feed may sit in the registrant's own cache, never a shared one.
PRIVATE_CACHE = "private, max-age=3600"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


class FeedCache:
    def __init__(self, redis_url: str | None = None, max_bytes: int = LRU_BYTES) -> None:
        self._lru: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=0.5)

    def get_or_build(self, key: str, build: Callable[[], bytes]) -> bytes:
        with self._lock:
            body = self._lru.get(key)
            if body is not None:
                self._lru.move_to_end(key)
                return body
        body = self._redis_get(key)
        if body is None:
            body = build()
            self._redis_set(key, body)
        with self._lock:
            if key not in self._lru:
                self._lru[key] = body
                self._bytes += len(body)
            while self._bytes > self._max_bytes and len(self._lru) > 1:
                self._bytes -= len(self._lru.popitem(last=False)[1])
        return body

    def _redis_get(self, key: str) -> bytes | None:
        if self._redis is None:
            return None
        try:
            return self._redis.get(f"eventsapp:feed:{key}")
        except Exception:  # a cache outage must not break feeds: build instead
            current_app.logger.warning("feed cache: Redis unavailable", exc_info=True)
            return None

    def _redis_set(self, key: str, body: bytes) -> None:
        if self._redis is None:
            return
        try:
            self._redis.set(f"eventsapp:feed:{key}", body, ex=REDIS_TTL_SECONDS)
        except Exception:
            current_app.logger.warning("feed cache: Redis unavailable", exc_info=True)


def feed_cache(app: Flask) -> FeedCache:
    cache = app.extensions.get("calendar_feed_cache")
    if cache is None:
        cache = app.extensions.setdefault(
            "calendar_feed_cache", FeedCache(app.config.get("CACHE_REDIS_URL")))
    return cache


def etag_for(key: tuple) -> str:
    # The library's version too: an upgrade may change the bytes of the same data.
    material = (FORMAT_VERSION, icalendar.__version__, key)
    return hashlib.sha256(repr(material).encode()).hexdigest()[:40]


def calendar_response(key: tuple, last_modified: datetime, build: Callable[[], bytes], *,
                      filename: str, private: bool = False,
                      download: bool = False) -> Response:
    """200 with the (cached) body, or 304 when the client's copy is current."""
    etag = etag_for(key)
    response = Response(mimetype="text/calendar")
    response.content_type = "text/calendar; charset=utf-8"
    response.set_etag(etag)
    if last_modified.replace(microsecond=0) < utcnow().replace(microsecond=0):
        response.last_modified = last_modified
    else:
        # HTTP dates have whole seconds: a change later in this second would carry the same
        # date, and a client revalidating by date alone (Apple Calendar) would miss it. So a
        # date this fresh is not sent (RFC 9110 §8.8.2.2); the ETag still validates.
        last_modified = None  # type: ignore[assignment]
    response.headers["Cache-Control"] = PRIVATE_CACHE if private else PUBLIC_CACHE
    if private:
        response.headers["Referrer-Policy"] = "no-referrer"
    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        response.status_code = 304
        return response
    safe_name = _UNSAFE_FILENAME.sub("-", filename).strip("-") or "calendar.ics"
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{safe_name}"'
    response.set_data(feed_cache(current_app).get_or_build(etag, build))
    return response
