# One image for web, worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=kam.settings.production

WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings but no real secrets or database.
RUN SECRET_KEY=build ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput

# var/imports holds uploaded files between their check and their import, var/media the exports
# the worker builds: the compose file mounts a volume on each, which takes the directory's owner
# when first created.
RUN mkdir -p /app/var/imports /app/var/media && useradd --create-home kam && chown -R kam /app
USER kam
EXPOSE 8000
# --timeout 120: an Excel export of the whole client base builds its file for 20 to 30 s on two
# busy cores (bench/README.md, "Excel exports"), at gunicorn's default 30 s from a 502.
CMD ["gunicorn", "kam.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
