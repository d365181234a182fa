# syntax=docker/dockerfile:1
# Builds the tradewind binary; the runtime image holds only the binary (the
# demo knowledge base, templates, rules and the chat page are compiled into
# it). One image for every role: `serve`, `gateway`, `worker` and the CLI.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# Cache mounts keep the registry and build artefacts between builds; the
# binary is copied out of the cache in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin tradewind \
    && cp target/release/tradewind /usr/local/bin/tradewind

FROM debian:bookworm-slim
# curl: the gateway's health check calls /healthz.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /data --shell /usr/sbin/nologin tradewind \
    && mkdir -p /data && chown tradewind /data
COPY --from=build /usr/local/bin/tradewind /usr/local/bin/tradewind
USER tradewind
ENV TRADEWIND_DATA_DIR=/data \
    TRADEWIND_HTTP_BIND=0.0.0.0:8080 \
    TRADEWIND_HEALTH_FILE=/tmp/tradewind.health
VOLUME /data
EXPOSE 8080
# SIGTERM starts a graceful shutdown (stop reading, finish or hand back
# in-flight inquiries, exit within the deadline); a second one exits at once.
STOPSIGNAL SIGTERM
ENTRYPOINT ["tradewind"]
CMD ["serve"]
