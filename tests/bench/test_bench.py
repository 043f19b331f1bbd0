"""The benchmark's bare view exists only in benchmark settings; REDIS_URL puts the cache in Redis;
the wrk driver fails the run on any non-2xx answer or socket error."""

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]


def load_driver():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bare_view_is_not_in_the_site_urls(member_client, client):
    assert member_client.get("/bench/bare/").status_code == 404


@pytest.mark.urls("imgportal.urls_bench")
def test_the_bare_view_is_login_required_in_benchmark_urls(member_client):
    response = member_client.get("/bench/bare/")
    assert response.status_code == 200 and response.content == b"ok"
    member_client.logout()
    response = member_client.get("/bench/bare/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_cold_header_empties_the_situation_cache_and_nothing_else(rf):
    from django.core.cache import caches

    from imgportal.urls_bench import cold_situation_cache

    seen = []
    middleware = cold_situation_cache(lambda request: seen.append(request) or "answer")
    caches["situation"].set("dashboard:x", "body")
    caches["default"].set("other", "kept")
    assert middleware(rf.get("/roadmap/")) == "answer"
    assert caches["situation"].get("dashboard:x") == "body"  # no header: untouched
    middleware(rf.get("/roadmap/", headers={"X-Bench-Cache": "cold"}))
    assert caches["situation"].get("dashboard:x") is None
    assert caches["default"].get("other") == "kept"
    assert len(seen) == 2


def settings_in_subprocess(module: str, **env) -> str:
    """The cache backend a fresh process sees with the given environment."""
    environment = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_BACKEND"}}
    environment.update(DJANGO_SETTINGS_MODULE=module, **env)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'], "
        "settings.ROOT_URLCONF)"
    )
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def cache_in_subprocess(action: str, **env) -> str:
    """Run `action` (Python, with `cache` imported) in a fresh process of the test settings."""
    environment = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_BACKEND"}}
    environment.update(DJANGO_SETTINGS_MODULE="imgportal.settings_test", **env)
    code = f"import django; django.setup(); from django.core.cache import cache; {action}"
    result = subprocess.run(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def redis_server(tmp_path):
    """A throwaway redis-server (Debian's package) on a free port, nothing saved to disk."""
    executable = shutil.which("redis-server")
    if executable is None:
        message = "redis-server is not installed (apt-get install -y redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip("SKIPPED LOUDLY: " + message)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 (the system's redis-server, fixed arguments)
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, db=3)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield port, client
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_redis_url_puts_the_cache_in_redis_shared_by_processes(redis_server):
    """With REDIS_URL, a value one process caches is in that Redis database and another
    process reads it; without, the process caches in its own memory (nothing reaches Redis)."""
    port, client = redis_server
    url = f"redis://127.0.0.1:{port}/3"
    cache_in_subprocess("cache.set('shared-key', 'from process one', None)", REDIS_URL=url)
    assert list(client.scan_iter(match="*shared-key"))
    read = cache_in_subprocess("print(cache.get('shared-key'))", REDIS_URL=url)
    assert read == "from process one"
    client.flushdb()
    cached = cache_in_subprocess("cache.set('own', 1, None); print(cache.get('own'))")
    assert cached == "1" and client.dbsize() == 0


def test_benchmark_settings_are_production_settings_with_the_bench_urls():
    production = {
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "IMGPORTAL_TESTING": "",
        "DJANGO_DEBUG": "",
    }
    assert settings_in_subprocess("imgportal.settings_bench", **production) == (
        "django.core.cache.backends.db.DatabaseCache imgportal_cache imgportal.urls_bench"
    )
    assert settings_in_subprocess("imgportal.settings", **production).endswith(" imgportal.urls")


WRK_OK = """Running 5s test @ http://127.0.0.1:8000/roadmap/
  1 threads and 8 connections
  Latency Distribution
     50%   12.50ms
     75%   15.00ms
     90%   20.00ms
     99%    1.20s
  1000 requests in 5.00s, 10.00MB read
Requests/sec:    200.00
Transfer/sec:      2.00MB
"""


def test_the_wrk_output_is_read_and_a_clean_run_passes():
    driver = load_driver()
    failures = []
    result = driver.parse_wrk("dashboard", WRK_OK, failures)
    assert result == {
        "rps": 200.0,
        "requests": 1000,
        "p50": 12.5,
        "p99": 1200.0,
        "non2xx": 0,
        "errors": 0,
    }
    assert failures == []


@pytest.mark.parametrize(
    "extra",
    [
        "  Non-2xx or 3xx responses: 3\n",
        "  Socket errors: connect 0, read 2, write 0, timeout 0\n",
    ],
    ids=["non-2xx", "socket errors"],
)
def test_non_2xx_answers_or_socket_errors_fail_the_run(extra):
    failures = []
    load_driver().parse_wrk("dashboard", WRK_OK + extra, failures)
    assert len(failures) == 1 and failures[0].startswith("dashboard:")


def test_no_wrk_result_fails_the_run():
    failures = []
    load_driver().parse_wrk("dashboard", "unable to connect to 127.0.0.1:1", failures)
    assert failures and "no result" in failures[0]
