"""Settings for `make lighthouse` (bench/lighthouse.py): `make bench`'s production settings, and
pages gzip-compressed as the reverse proxy compresses them in production (docs/deployment.md,
"Compression at the reverse proxy"). Lighthouse talks to gunicorn directly; without this it would
time uncompressed HTML that no member receives. Never used by a deployment.
"""

from imgportal.settings_bench import *  # noqa: F403

MIDDLEWARE = ["django.middleware.gzip.GZipMiddleware", *MIDDLEWARE]  # noqa: F405
