"""Settings of the worker and beat that ``test_notification_delivery.py`` starts.

The site's own settings, with the clocks that decide redelivery shortened so the test runs in
seconds instead of an hour. Only settings the product already reads are changed (broker
transport options, task time limits, the beat schedule); no product code is replaced.

- ``DELIVERY_TEST_KEYPREFIX``: every Redis key of this run starts with it, so the run neither
  sees nor disturbs other queues on the same Redis database.
- ``DELIVERY_TEST_VISIBILITY_TIMEOUT``: seconds before Redis hands an unacknowledged message
  (its worker died) to another worker. The site uses 3600.
- ``DELIVERY_TEST_TIME_LIMIT``: ``CELERY_TASK_TIME_LIMIT``; a sending claim is held for twice
  that (``engine.claim_lease``) before the beat's sweep frees it. The site uses 300.
- ``DELIVERY_TEST_SWEEP_SECONDS``: how often beat runs the reminder sweep (which also queues
  due notifications and frees expired claims). The site runs it every five minutes.
"""

import os

from bapas.settings import *  # noqa: F403
from bapas.settings import CELERY_BEAT_SCHEDULE as SITE_BEAT_SCHEDULE

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "global_keyprefix": os.environ["DELIVERY_TEST_KEYPREFIX"],
    "visibility_timeout": int(os.environ.get("DELIVERY_TEST_VISIBILITY_TIMEOUT", "3600")),
    # Look for expired unacknowledged messages every second (kombu's default is ~100 s).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
if os.environ.get("DELIVERY_TEST_TIME_LIMIT"):
    CELERY_TASK_TIME_LIMIT = int(os.environ["DELIVERY_TEST_TIME_LIMIT"])
    CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 1
# Only the site's notification sweep, on a short interval (seconds).
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        **SITE_BEAT_SCHEDULE["notifications-sweep"],
        "schedule": float(os.environ.get("DELIVERY_TEST_SWEEP_SECONDS", "2")),
    }
}
