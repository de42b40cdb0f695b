# Production image: gunicorn serving the site; the same image runs the Celery worker and beat
# (see docker-compose.yml). Build with:  docker build -t bapas .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=bapas.settings \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    FORWARDED_ALLOW_IPS=127.0.0.1

# WeasyPrint (PDF letters and reports) needs Pango and HarfBuzz; DejaVu is the fallback font.
# No gettext: translations are compiled in pure Python by `manage.py compile_translations`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 bapas \
    && useradd --system --uid 10001 --gid bapas --home-dir /app --no-create-home bapas

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them. pyproject.toml declares no
# packages (`packages = []`): `pip install .` installs the dependencies only and the code runs
# from /app.
COPY pyproject.toml README.md ./
RUN pip install . && rm -rf build ./*.egg-info

# The source tree, directory by directory: var/ (local database, uploads, private case documents)
# and .venv/ must never end up in an image. Add each new app here.
COPY manage.py ./
COPY bapas ./bapas
COPY clients ./clients
COPY partners ./partners
COPY meetings ./meetings
COPY reports ./reports
COPY templates ./templates
COPY static ./static
COPY locale ./locale
COPY --chmod=755 docker/entrypoint.sh /usr/local/bin/docker-entrypoint

# The manifest storage used when DEBUG is off fails collectstatic on a sourceMappingURL comment
# whose .map file is not vendored (chart.umd.min.js); drop such dangling comments.
RUN for f in $(grep -rl 'sourceMappingURL=' static --include='*.js' --include='*.css'); do \
        map="$(dirname "$f")/$(sed -n 's/.*sourceMappingURL=\([^ *]*\).*/\1/p' "$f" | tail -n 1)"; \
        if [ ! -f "$map" ]; then \
            sed -i -e 's#//[#@] sourceMappingURL=.*$##' -e 's#/\*[#@] sourceMappingURL=[^*]*\*/##' "$f"; \
        fi; \
    done

# Build-time steps with a throw-away key (settings refuse the default key when DEBUG is off).
# collectstatic runs with DEBUG off on purpose: only then do settings pick whitenoise's
# CompressedManifestStaticFilesStorage, whose manifest the production site needs at run time.
RUN export SECRET_KEY="build-only-not-a-secret-build-only-not-a-secret-build-only" \
    && DEBUG=true python manage.py compile_translations \
    && DEBUG=false python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var/media /app/var/private /backups \
    && chown -R bapas:bapas /app/var /backups

USER bapas
EXPOSE 8000
# /app/var holds uploads and private case documents: mount a volume there (the compose file does).

ENTRYPOINT ["docker-entrypoint"]
# FORWARDED_ALLOW_IPS: the reverse proxy's address(es) whose X-Forwarded-* headers gunicorn trusts.
CMD ["sh", "-c", "exec gunicorn bapas.wsgi:application --bind 0.0.0.0:8000 --workers 3 --timeout 60 --worker-tmp-dir /dev/shm --access-logfile - --forwarded-allow-ips \"$FORWARDED_ALLOW_IPS\""]
