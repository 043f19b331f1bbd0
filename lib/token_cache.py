"""Entries cached under a version token: what a shared page shows everyone, never stale.

`TokenCache("resources", "directory")` keeps its token in the shared default cache (every
worker sees a change at once) and its entries in the named cache alias (settings.CACHES:
Redis with REDIS_URL, else each process's memory). An entry is only ever read under the
token it was stored with, so it cannot be stale: a change writes a new token (`bump`), and
entries of an old token are never read again and expire. Callers bump once at the change
and again when it commits (results another worker read before the commit can only sit under
the token the commit replaces). Nothing personal may be cached here.
"""

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache, caches
from django.template.loader import render_to_string

# Entries under an old token are never read again and expire; the timeout also bounds how long
# a change made behind the signals' backs (a queryset update() in the shell, raw SQL) stays unseen.
TIMEOUT = 60 * 60


class TokenCache:
    def __init__(self, name: str, alias: str, code_version: int = 1):
        self.name = name
        self.alias = alias
        # Part of every key: raise it when what is cached changes shape, so a deploy never
        # unpickles entries written by the code before it.
        self.code_version = code_version
        self.version_key = f"{name}:version"

    def version(self) -> str:
        """The current token (created on first use)."""
        token = cache.get(self.version_key)
        if token is None:
            cache.add(self.version_key, uuid.uuid4().hex, timeout=None)
            token = cache.get(self.version_key)
        return token

    def key(self, token: str, *parts: Any) -> str:
        """A short key for any parts (a search's words may be long or unusual)."""
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
        return f"{self.name}:{self.code_version}:{token}:{digest}"

    def cached(self, parts: tuple, compute: Callable[[], Any], token: str | None = None) -> Any:
        """The value stored for `parts` under the current token, computed and stored on a miss."""
        entry_key = self.key(token or self.version(), *parts)
        entries = caches[self.alias]
        value = entries.get(entry_key)
        if value is None:
            value = compute()
            entries.set(entry_key, value, timeout=TIMEOUT)
        return value

    def form_fields(self, form, template: str, token: str) -> str:
        """A filter form's fields rendered by `template` (its partial of them); for a valid
        form cached by the values it shows (the same for everyone: the query string and the
        choices, which the token covers)."""

        def render_fields() -> str:
            return render_to_string(template, {"form": form})

        if not form.is_valid():
            return render_fields()
        values = tuple(form.data.get(name, "") for name in form.fields)
        return self.cached(("filter fields", values), render_fields, token)

    def bump(self) -> None:
        cache.set(self.version_key, uuid.uuid4().hex, timeout=None)
