# Builds the tradewind binary; the runtime image holds only the binary (the
# demo knowledge base, templates and rules are compiled into it).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin tradewind

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/tradewind /usr/local/bin/tradewind
ENV TRADEWIND_DATA_DIR=/data
VOLUME /data
ENTRYPOINT ["tradewind"]
CMD ["demo"]
