"""A mail backend for worker processes: each accepted message is a file in a directory.

With $REMINDER_MAIL_HANG_AFTER=N, the backend accepts N messages, then hangs on the next
one before accepting it (a mail server that stops answering mid-send): the test kills the
worker there, between its claim and the server's confirmation.
"""

import os
import pathlib
import time
import uuid

from django.core.mail.backends.base import BaseEmailBackend


class DirectoryBackend(BaseEmailBackend):
    def send_messages(self, messages) -> int:
        folder = pathlib.Path(os.environ["REMINDER_MAIL_DIR"])
        hang_after = os.environ.get("REMINDER_MAIL_HANG_AFTER")
        for message in messages:
            if hang_after is not None and len(list(folder.iterdir())) >= int(hang_after):
                (folder.parent / "hanging").write_text(message.subject)
                time.sleep(600)  # killed long before this ends
            path = folder / f"{uuid.uuid4().hex}.eml"
            path.with_suffix(".tmp").write_bytes(message.message().as_bytes())
            path.with_suffix(".tmp").rename(path)  # a whole message, or none
        return len(messages)
