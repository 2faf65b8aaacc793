# syntax=docker/dockerfile:1
# One image for every role of pantau: the command picks it.
#
#   make image                                      # docker build -t pantau:<version> .
#   docker run --rm pantau:0.1.0 worker --help      # also: gateway, simulate, replay, schema
#
# Dependencies are installed from the hashed lock (requirements/runtime.lock: the extras
# client, gateway, worker and report), the code without dependencies, into a virtualenv
# that the runtime stage copies; the runtime has no compiler and no pip cache, and runs as
# an unprivileged user (uid 10001) from /var/lib/pantau.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
RUN python -m venv /opt/pantau
# Every dependency pinned and hashed by the lock (setuptools too, to build pantau below):
# this layer is rebuilt only when the lock changes, not on every code change.
COPY requirements/runtime.lock ./requirements/
RUN /opt/pantau/bin/pip install --require-hashes --requirement requirements/runtime.lock
COPY pyproject.toml ./
COPY README.md ./
COPY pantau ./pantau
COPY streams ./streams
COPY producers ./producers
COPY dashboards ./dashboards
RUN /opt/pantau/bin/pip install --no-deps --no-build-isolation . \
    && /opt/pantau/bin/pip check \
    && /opt/pantau/bin/pantau --help > /dev/null

FROM ${PYTHON_IMAGE}
ARG PANTAU_UID=10001
RUN groupadd --system --gid "${PANTAU_UID}" pantau \
    && useradd --system --uid "${PANTAU_UID}" --gid pantau --home-dir /var/lib/pantau \
        --create-home --shell /usr/sbin/nologin pantau
# WeasyPrint (`pantau report --format pdf`) needs Pango and a font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/pantau /opt/pantau
COPY deploy/docker/healthcheck.py /usr/local/lib/pantau/healthcheck.py
# In a container the worker (/metrics, /healthz) and the gateway listen on every interface;
# publish their ports on the host's loopback or behind a proxy (see docs/compose.md).
ENV PATH=/opt/pantau/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PANTAU_WEB_HOST=0.0.0.0 \
    PANTAU_GATEWAY_HOST=0.0.0.0
WORKDIR /var/lib/pantau
USER ${PANTAU_UID}:${PANTAU_UID}
EXPOSE 6066 8088
# Role-aware: a worker or gateway must answer its /healthz; other roles only need to run.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/usr/local/lib/pantau/healthcheck.py"]
ENTRYPOINT ["pantau"]
CMD ["--help"]
