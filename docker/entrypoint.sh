#!/bin/sh
# Container entrypoint: optionally apply migrations, then run the given command
# (gunicorn by default; the compose file runs the Celery worker and beat through it too).
set -eu

mkdir -p "${MEDIA_ROOT:-/app/var/media}" "${PRIVATE_STORAGE_ROOT:-/app/var/private}"

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
  echo "entrypoint: applying migrations"
  python manage.py migrate --noinput
fi

exec "$@"
