# eksjoin in a container: `docker run --rm -v "$PWD:/src:ro" eksjoin lint /src`
# The base image is pinned by version (the same Python as action.yml); rebuild to take its
# security updates. git is there for `--changed` and for git module sources.

FROM python:3.12.8-slim-bookworm AS build
WORKDIR /build
COPY pyproject.toml README.md LICENSE ./
COPY analyzer ./analyzer
COPY rules ./rules
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels . \
    && pip wheel --no-cache-dir --wheel-dir /wheels /wheels/eksjoin-*.whl

FROM python:3.12.8-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin eksjoin \
    && install -d -o 10001 -m 700 /tmp/eksjoin-cache
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels eksjoin && rm -rf /wheels
USER 10001
# a mounted repository owned by another user is still one git will read (--changed)
RUN git config --global --add safe.directory '*'
WORKDIR /src
ENV EKSJOIN_CACHE_DIR=/tmp/eksjoin-cache PYTHONDONTWRITEBYTECODE=1
ENTRYPOINT ["eksjoin"]
CMD ["lint", "."]
