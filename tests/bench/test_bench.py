"""The benchmark's bare view exists only in benchmark settings; REDIS_URL switches the cache;
the wrk driver fails the run on any non-2xx answer or socket error."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_redis_url_switches_the_cache_to_redis():
    redis = "redis://127.0.0.1:6379/3"
    assert settings_in_subprocess("imgportal.settings_test", REDIS_URL=redis) == (
        f"django.core.cache.backends.redis.RedisCache {redis} imgportal.urls"
    )
    assert settings_in_subprocess("imgportal.settings_test").startswith(
        "django.core.cache.backends.locmem.LocMemCache"
    )


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
