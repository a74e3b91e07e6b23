"""Reports read from a replica when one is configured (DATABASE_REPLICA_URL).

Only code that asks for it reads there (`with reading_replica():` in the report and board
selectors' callers): a replica lags behind the primary by a moment, and a page shown right after
a save must show that save. Writes, and every other read, go to the primary.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_use_replica: ContextVar[bool] = ContextVar("use_replica", default=False)


@contextlib.contextmanager
def reading_replica():
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # Inside an atomic block on the primary (a service reading what it is about to write),
        # the primary answers even for report code.
        if _use_replica.get() and replica_configured():
            from django.db import connections

            if not connections["default"].in_atomic_block:
                return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


def replica_reads(view):
    """A report view whose queries (template rendering included) may be answered by the replica."""
    import functools

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        # Who is asking is settled on the primary first: a fresh login may not have reached the replica.
        request.user.is_authenticated  # noqa: B018
        with reading_replica():
            return view(request, *args, **kwargs)

    return wrapped
