# One image for the web server, the Celery workers (CPU and GPU) and the lab-run reaper;
# docker-compose.yml runs each with its own command. Python 3.11 as pyproject requires.
#
#   docker build -t alignment-course .
#   docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu \
#       -t alignment-course:cpu .        # a smaller image for web and CPU workers only
FROM python:3.11-slim-bookworm

# The default index's torch==2.13.0 wheel carries CUDA and also runs on CPU.
ARG TORCH_INDEX_URL=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    APP_VAR_DIR=/app/var

WORKDIR /app
RUN useradd --create-home --uid 1000 course

# Dependencies first (a layer that changes only with pyproject.toml), torch pinned as there.
COPY pyproject.toml README.md ./
RUN if [ -n "$TORCH_INDEX_URL" ]; then \
        pip install --index-url "$TORCH_INDEX_URL" "torch==2.13.0"; \
    fi \
 && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY manage.py ./
COPY config config
COPY course course
COPY quizzes quizzes
COPY labs labs
COPY cohorts cohorts
COPY workers workers
COPY templates templates
COPY static static
COPY content content

# Static files for WhiteNoise (compressed, content-hashed); the key is for this step only.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only-not-a-runtime-key-0123456789 \
    python manage.py collectstatic --noinput --verbosity 0 \
 && mkdir -p /app/var/models && chown -R course:course /app/var

USER course
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", \
     "--access-logfile", "-"]
