"""Settings for a real `manage.py db_worker` process started by a test (test_worker_kill.py).

The test settings, with mail written to files in $REMINDER_MAIL_DIR (one file per message
the "mail server" accepted), so the test can count what went out across processes.
"""

from imgportal.settings_test import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "tests.reminders.worker_mail.DirectoryBackend"}}
