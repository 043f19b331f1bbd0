"""Settings for `make bench` and `make load` (bench/run.py): production settings plus a bare view.

Everything else comes from the environment exactly as in production (DJANGO_DEBUG unset,
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, DatabaseCache). The only difference is
the URL module, which adds `/bench/bare/`: a login-required view that renders nothing, the
baseline every page's throughput is compared to. It never exists in production URLs.
"""

import os

from imgportal.settings import *  # noqa: F403

ROOT_URLCONF = "imgportal.urls_bench"
MIDDLEWARE = [*MIDDLEWARE, "imgportal.urls_bench.cold_situation_cache"]  # noqa: F405
# collectstatic (the manifest production templates need) goes to a throwaway folder.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
