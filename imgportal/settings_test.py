"""Settings for the test run: pytest's DJANGO_SETTINGS_MODULE (pyproject.toml).

The one switch into test mode is the IMGPORTAL_TESTING environment variable (fast password
hasher, local-memory cache, development hosts; see settings.py). This module sets it, so
`pytest` needs nothing else; `IMGPORTAL_TESTING=1 manage.py ...` does the same by hand.
"""

import os

os.environ["IMGPORTAL_TESTING"] = "1"

from imgportal.settings import *  # noqa: E402, F403
