"""Settings that let the system grow past one machine (docs/performance.md): a read replica for
reports, a shared cache, configurable sessions. Each is read from the environment."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from config.routers import REPLICA, ReplicaRouter, reading_replica
from units.models import Unit

ROOT = Path(__file__).resolve().parent.parent


def settings_under(env: dict, code: str) -> dict:
    """Run `code` (which prints JSON) in a fresh process with Django set up under `env`."""
    full = {k: v for k, v in os.environ.items() if k not in ("DATABASE_REPLICA_URL", "CACHE_URL", "SESSION_ENGINE")}
    full.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", **env})
    out = subprocess.run([sys.executable, "-c", "import django, json; django.setup(); from django.conf import settings;" + code],
                         cwd=ROOT, env=full, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_without_a_replica_everything_reads_the_primary():
    router = ReplicaRouter()
    with reading_replica():
        assert router.db_for_read(Unit) == "default"
    assert router.db_for_write(Unit) == "default"


def test_report_reads_go_to_the_replica_and_nothing_else_does(monkeypatch):
    import config.routers as routers

    router = ReplicaRouter()
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    assert router.db_for_read(Unit) == "default"  # an ordinary page: read-your-writes
    with reading_replica():
        assert router.db_for_read(Unit) == REPLICA
        assert router.db_for_write(Unit) == "default"
    assert router.db_for_read(Unit) == "default"
    assert not router.allow_migrate(REPLICA, "units") and router.allow_migrate("default", "units")


def test_the_replica_and_cache_settings_come_from_the_environment():
    got = settings_under(
        {"DATABASE_REPLICA_URL": "postgres://reader@replica.example:5432/thidua", "CACHE_URL": "redis://127.0.0.1:6379/3",
         "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db"},
        "print(json.dumps({'replica': settings.DATABASES['replica'], 'cache': settings.CACHES['default'],"
        " 'session': settings.SESSION_ENGINE, 'routers': settings.DATABASE_ROUTERS}))")
    assert got["replica"]["HOST"] == "replica.example" and got["replica"]["TEST"]["MIRROR"] == "default"
    assert got["cache"] == {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/3"}
    assert got["session"] == "django.contrib.sessions.backends.cached_db"
    assert got["routers"] == ["config.routers.ReplicaRouter"]
    plain = settings_under({}, "print(json.dumps({'dbs': list(settings.DATABASES), 'cache': settings.CACHES['default']['BACKEND'],"
                               " 'session': settings.SESSION_ENGINE}))")
    assert plain == {"dbs": ["default"], "cache": "django.core.cache.backends.locmem.LocMemCache",
                     "session": "django.contrib.sessions.backends.db"}


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_a_shared_cache_is_shared_between_processes():
    env = {"CACHE_URL": "redis://127.0.0.1:6379/5"}
    key = f"thidua-test-{os.getpid()}"
    settings_under(env, f"from django.core.cache import cache; cache.set({key!r}, 'Sở GD&ĐT', 30); print('{{}}')")
    got = settings_under(env, f"from django.core.cache import cache; print(json.dumps(cache.get({key!r})))")
    assert got == "Sở GD&ĐT"


def test_report_pages_read_through_the_replica_router(tree, year, dept_admin, login, monkeypatch):
    """The report and board views run inside reading_replica (their reads may go to a replica)."""
    import config.routers as routers

    seen = []
    real = routers.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append(routers._use_replica.get())
        return real(self, model, **hints)

    monkeypatch.setattr(routers.ReplicaRouter, "db_for_read", spy)
    client = login(dept_admin)
    from django.urls import reverse

    for name in ("report_summary", "board"):
        seen.clear()
        assert client.get(reverse(name)).status_code == 200
        assert any(seen), name
    seen.clear()
    assert client.get(reverse("home")).status_code == 200
    assert seen and not any(seen)  # other pages read the primary
