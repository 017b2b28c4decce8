"""This process's copy of the cache generations, so that a cache hit needs no round trip to Redis.

``api.cache`` stamps every stored response with the current *generation* of what it shows, and reading those
generations is the one network round trip a hit would otherwise cost. With a Redis cache, each server process
keeps the generations it has read, and every bump is announced on a Redis pub/sub channel; a process forgets
the announced generations and reads them again on the next request that needs them. Redis stays the only
source of truth: an announcement carries no values, so announcements that overtake each other cannot leave a
process with an older value than Redis has.

Why this is safe:

- Announcements are read *on the request path*, not by a background thread: before trusting its copy, a
  request asks the subscription's connection whether anything has arrived (redis-py's public
  ``Connection.can_read(timeout=0)``: its buffer, then a non-blocking poll of the socket, no network
  traffic) and applies whatever has. A bump is announced before the publishing request returns, so any
  request that starts after it finds the announcement waiting, and no thread scheduling can delay it.
- The copy is trusted only while the subscription is confirmed. Until Redis confirms it, and from the moment
  the connection fails, every lookup reads Redis as before; a failed subscription is renewed after a pause.
  A subscription that dies silently (a network partition without a reset) is covered by
  ``CMS_API_GENERATIONS_MAX_AGE``: no generation is trusted longer than that without reading it again.
- A value read from Redis is kept only if no announcement arrived while it was being read; otherwise the
  read may predate the bump it announces.

Other cache backends (local memory in development and tests) have no round trip to save and are used
directly.

Only public redis-py API is used (``ConnectionPool.connection_class``/``connection_kwargs``, ``PubSub``'s
``subscribe``, ``get_message``, ``connection`` and ``Connection.can_read``). redis-py's own client-side caching
(RESP3 tracking) would replace this module if it fitted: it refuses Redis older than 7.4, lets threads that
share a pool wait on each other's replies until the socket timeout while an entry is refilled, and never
notices a connection that died silently. Without the copy (``CMS_API_GENERATIONS_MIRROR=false``), every hit
reads the generations from Redis in one round trip, which the benchmark shows costs about a third more CPU
per cached response.
"""

import contextlib
import json
import logging
import os
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL = "api:generations"
# After a failed subscription: how long to read Redis directly before subscribing again.
RESUBSCRIBE_AFTER = 1.0


class GenerationMirror:
    def __init__(self, alias, max_age):
        from django.core.cache import caches
        from django_redis import get_redis_connection
        from redis import ConnectionPool
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.max_age = max_age
        self.channel = caches[alias].make_key(CHANNEL)
        self.publisher = get_redis_connection(alias)
        pool = self.publisher.connection_pool
        # A connection of its own, without redis-py's silent reconnects: after a reconnect, announcements sent
        # in between are lost, so a broken subscription must surface as an error and end the trust.
        self.subscriber_pool = ConnectionPool(
            connection_class=pool.connection_class,
            max_connections=1,
            **{
                **pool.connection_kwargs,
                "retry": Retry(NoBackoff(), 0),
                # Named, so that it can be told apart in CLIENT LIST.
                "client_name": f"novads-cms-api-generations-{os.getpid()}",
            },
        )
        self.lock = threading.Lock()
        self.values = {}  # generation key -> (value, monotonic time it was read)
        self.announcements = 0  # counts announcements applied; see fill()
        self.pubsub = None
        self.confirmed = False
        self.retry_at = 0.0

    # --- reading -----------------------------------------------------------------------------------------
    def get(self, keys):
        """The generations of ``keys`` from this process's copy, or None when any must be read from Redis."""
        with self.lock:
            if not self._receive():
                return None
            now = time.monotonic()
            found = {}
            for key in keys:
                item = self.values.get(key)
                if item is None or now - item[1] > self.max_age:
                    return None
                found[key] = item[0]
            return found

    def token(self):
        """Taken before reading generations from Redis, handed to fill() after."""
        with self.lock:
            self._receive()
            return self.announcements if self.confirmed else None

    def fill(self, token, found):
        """Keep generations just read from Redis, unless an announcement may have made them outdated."""
        with self.lock:
            if token is None or not self._receive() or token != self.announcements:
                return
            now = time.monotonic()
            for key, value in found.items():
                self.values[key] = (value, now)

    # --- writing -----------------------------------------------------------------------------------------
    def announce(self, keys):
        """Tell every process (this one included) that these generations were just bumped in Redis."""
        self.forget(keys)
        try:
            self.publisher.publish(self.channel, self.message(keys))
        except Exception:
            # The bump itself is in Redis; processes that missed it catch up within CMS_API_GENERATIONS_MAX_AGE.
            logger.exception("could not announce bumped API cache generations")

    def forget(self, keys):
        """This process's part of an announcement: once the bump is in Redis, its copies are outdated."""
        with self.lock:
            for key in keys:
                self.values.pop(key, None)
            self.announcements += 1

    def message(self, keys):
        """What an announcement publishes on ``channel``: the generation keys, no values."""
        return json.dumps(sorted(keys))

    # --- the subscription --------------------------------------------------------------------------------
    def _receive(self):
        """Apply the announcements that have arrived; True if this process's copy may be trusted."""
        if self.pubsub is None:
            if time.monotonic() < self.retry_at:
                return False
            self._subscribe()
            if self.pubsub is None:
                return False
        try:
            # Nothing to read is the common case: one check of redis-py's buffer and a poll of the socket.
            # A single read may bring several announcements, so read until nothing is left; get_message()
            # consumes a reply even when it gives None (a reply it keeps to itself), so the loop advances.
            connection = self.pubsub.connection
            while connection.can_read(timeout=0):
                message = self.pubsub.get_message(timeout=0.0)
                if message is not None:
                    self._apply(message)
        except Exception as error:  # ConnectionError, TimeoutError, OSError, a reply we cannot parse
            self._fail(error)
            return False
        return self.confirmed

    def _apply(self, message):
        if message["type"] == "subscribe":
            # Whatever this process held was read before the subscription took effect.
            self.values.clear()
            self.confirmed = True
        elif message["type"] == "message":
            for key in json.loads(message["data"]):
                self.values.pop(key, None)
            self.announcements += 1

    def _subscribe(self):
        from redis import Redis

        try:
            pubsub = Redis(connection_pool=self.subscriber_pool).pubsub()
            pubsub.subscribe(self.channel)
        except Exception as error:
            self._fail(error)
            return
        self.pubsub, self.confirmed = pubsub, False

    def _fail(self, error):
        logger.warning("API cache generations: subscription lost (%s); reading Redis on every request", error)
        self.values.clear()
        self.confirmed = False
        self.retry_at = time.monotonic() + RESUBSCRIBE_AFTER
        pubsub, self.pubsub = self.pubsub, None
        if pubsub is not None:
            # Closing a broken connection may fail as well; it is dropped either way.
            with contextlib.suppress(Exception):
                pubsub.close()
        self.subscriber_pool.disconnect()

    def close(self):
        with self.lock:
            if self.pubsub is not None:
                self.pubsub.close()
            self.pubsub, self.confirmed = None, False
            self.values.clear()
            self.subscriber_pool.disconnect()


_mirrors = {}
_mirrors_lock = threading.Lock()


def mirror_key(alias):
    """Mirrors are per process: a forked worker must not share its parent's subscription socket. (Django's
    cache objects are per thread, so they cannot be the key.) And per Redis that the alias names: a mirror keeps
    the connections it was made with, and must not outlive a change of the settings (tests make such changes)."""
    return (os.getpid(), alias, repr(settings.CACHES.get(alias, {}).get("LOCATION")))


def mirror_for(alias, cache):
    """This process's mirror for the cache ``alias``; None when it is not Redis or mirroring is switched off."""
    if not getattr(settings, "CMS_API_GENERATIONS_MIRROR", True):
        return None
    if not type(cache).__module__.startswith("django_redis."):
        return None
    key = mirror_key(alias)
    mirror = _mirrors.get(key)
    if mirror is None:
        with _mirrors_lock:
            mirror = _mirrors.get(key)
            if mirror is None:
                mirror = GenerationMirror(alias, getattr(settings, "CMS_API_GENERATIONS_MAX_AGE", 10))
                _mirrors[key] = mirror
    return mirror


def close_mirrors():
    """Close and forget this process's mirrors: the next lookup makes them again from the cache settings (a
    mirror keeps the Redis connection it was made with)."""
    with _mirrors_lock:
        for mirror in _mirrors.values():
            mirror.close()
        _mirrors.clear()
