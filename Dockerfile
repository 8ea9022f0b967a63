# syntax=docker/dockerfile:1
# The contacts API's production image: the locked runtime dependencies only (no embedded, dev or bench
# group: it talks to MongoDB through MONGODB_URL), the code that runs, a non-root user, `python -m api`.
#   docker build -t contacts-api .        (docker-compose.yml builds it too)
# tests/deploy/ lints this file with hadolint and checks what it installs and runs.

# Builder: uv, pinned as in the Makefile, installs uv.lock's runtime dependencies into /app/.venv (--frozen:
# exactly the lock, no resolution).
FROM python:3.13-slim AS builder
ARG UV_VERSION=0.13.8
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir --disable-pip-version-check --root-user-action=ignore "uv==${UV_VERSION}"
WORKDIR /app
COPY pyproject.toml uv.lock ./
# --no-default-groups: pyproject's default groups (embedded, dev, bench) stay out of the image.
# --no-install-project: the project is `package = false`, its code is copied below.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-default-groups --no-install-project --python /usr/local/bin/python3

# Runtime: the same base, so the virtual environment's link to the interpreter resolves.
FROM python:3.13-slim
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    AUTH_REQUIRED=true
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=builder /app/.venv /app/.venv
# What runs: the service, its documents, and the embedded package, whose supervisor api/ imports (it imports
# no mongoeco; without MONGODB_URL the service stops and says to set one). The data migrations too: the service
# checks the database against them at start, and `python -m api migrate` runs them.
COPY api/ api/
COPY models/ models/
COPY embedded/ embedded/
COPY alembic-free-migrations/ alembic-free-migrations/
# The app's own bytecode, written now: the code is root-owned and read-only to the user that runs it.
RUN python -m compileall -q api models embedded alembic-free-migrations
# Numeric, so the host and Kubernetes' runAsNonRoot can tell it is not root.
USER 10001:10001
EXPOSE 8000
# Ready = the database answers a ping (/readyz); slim has no curl, Python's urllib does the request.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '8000'), timeout=2)"]
CMD ["python", "-m", "api"]
