#!/usr/bin/env bash
# Runs the lints (rustfmt, clippy with warnings as errors) and every
# Tradewind test against real services.
#
# Starts a throwaway redis-server on a free loopback port (installing it with
# apt-get first when it is missing and we are root), a throwaway 3-master
# Redis Cluster on three more, and a Qdrant server (../shared/tools/qdrant/);
# exports REDIS_URL, REDIS_CLUSTER_URL (`redis+cluster://127.0.0.1:P1,…`) and
# QDRANT_URL; runs the whole workspace's tests (the Redis adapters' and the
# cluster runtime's on both Redis topologies, the index tests on both Qdrant
# engines); and stops the servers however the run ends.
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh -p tradewind-tools`).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tradewind-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Property tests draw from a fixed seed here, so a run is reproducible and a
# red CI is the code's, not the dice's; set PROPTEST_RNG_SEED (or run cargo
# test directly) to explore other inputs.
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261206}"

ensure_redis() {
  if command -v redis-server >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing redis-server with apt-get" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    # Debian's package may start a system instance; ours is separate, on its own port.
    return 0
  fi
  echo "test.sh: redis-server is not installed and we are not root; install Redis (e.g. 'apt-get install redis-server') and retry" >&2
  exit 1
}

# tests/console_browser.rs drives Debian's Chromium through its chromedriver.
ensure_browser() {
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "test.sh: installing chromium and chromium-driver with apt-get" >&2
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
      echo "test.sh: chromium or chromedriver is not installed and we are not root; install them (e.g. 'apt-get install chromium chromium-driver') and retry" >&2
      exit 1
    fi
  fi
  # Chinese screenshots (the chat page, the console in Chinese) need a CJK
  # font; without one they show boxes. Nice to have, so never fatal.
  if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null | head -1)" ] \
    && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing fonts-noto-cjk for Chinese screenshots" >&2
    (apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
      || echo "test.sh: could not install fonts-noto-cjk; Chinese screenshots will show boxes" >&2
  fi
  CHROMEDRIVER="$(command -v chromedriver)"
  export CHROMEDRIVER
}

start_redis() {
  REDIS_DIR="$(mktemp -d -t tradewind-redis.XXXXXX)"
  for _ in $(seq 1 20); do
    local port=$(( 20000 + RANDOM % 30000 ))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$REDIS_DIR" --daemonize no --loglevel warning >"$REDIS_DIR/redis.log" 2>&1 &
    REDIS_PID=$!
    for _ in $(seq 1 50); do
      if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
        export REDIS_URL="redis://127.0.0.1:$port"
        echo "test.sh: redis-server $(redis-server --version | awk '{print $3}') on $REDIS_URL" >&2
        return 0
      fi
      if ! kill -0 "$REDIS_PID" 2>/dev/null; then break; fi
      sleep 0.1
    done
    kill "$REDIS_PID" 2>/dev/null || true
  done
  echo "test.sh: could not start redis-server; log:" >&2
  cat "$REDIS_DIR/redis.log" >&2 || true
  exit 1
}

# knowledge/tests/index_backends.rs runs every index test on a real Qdrant
# server too. The server is the one built from Qdrant's source and shipped
# beside the project (../shared/tools/qdrant/); a QDRANT_URL already set
# (e.g. a compose service) is used as it is.
start_qdrant() {
  if [ -n "${QDRANT_URL:-}" ]; then
    echo "test.sh: using the Qdrant server at $QDRANT_URL" >&2
    return 0
  fi
  local script="${TRADEWIND_QDRANT_SH:-../shared/tools/qdrant/qdrant.sh}"
  # qdrant.sh unpacks with xz, picks ports and launches with python3, and
  # waits on the server with curl; a fresh Debian may lack any of them.
  local missing=()
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo "test.sh: installing ${missing[*]} with apt-get (for the Qdrant server)" >&2
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "test.sh: the Qdrant server needs ${missing[*]}; install them (apt-get install ${missing[*]}) and retry" >&2
      exit 1
    fi
  fi
  if [ ! -x "$script" ]; then
    echo "test.sh: no Qdrant server: $script is missing; set TRADEWIND_QDRANT_SH to a qdrant.sh, or QDRANT_URL to a running server's gRPC port" >&2
    exit 1
  fi
  local env
  env="$("$script" start)" || { echo "test.sh: could not start the Qdrant server" >&2; exit 1; }
  eval "$env"
  QDRANT_STARTED=1
  echo "test.sh: qdrant $(curl -fsS "$QDRANT_HTTP_URL/" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p') on $QDRANT_URL" >&2
}

# Three masters, no replicas: enough to spread slots (so a cross-slot
# command or script fails as it would in production) without a replica's
# cost. Ports are drawn at random and checked free, like the single server's.
start_cluster() {
  CLUSTER_DIR="$REDIS_DIR/cluster"
  mkdir -p "$CLUSTER_DIR"
  for _ in $(seq 1 20); do
    local base=$(( 20000 + RANDOM % 30000 ))
    local ports=("$base" "$((base + 1))" "$((base + 2))")
    local busy=0
    for p in "${ports[@]}"; do
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy=1; fi
      # The cluster bus listens on port + 10000.
      if (exec 3<>"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null; then busy=1; fi
    done
    if [ "$busy" = 1 ]; then continue; fi
    CLUSTER_PIDS=()
    for p in "${ports[@]}"; do
      redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "nodes-$p.conf" \
        --save '' --appendonly no --dir "$CLUSTER_DIR" --daemonize no --loglevel warning \
        >"$CLUSTER_DIR/redis-$p.log" 2>&1 &
      CLUSTER_PIDS+=("$!")
    done
    local up=0
    for _ in $(seq 1 50); do
      up=0
      for p in "${ports[@]}"; do
        if redis-cli -p "$p" ping 2>/dev/null | grep -q PONG; then up=$((up + 1)); fi
      done
      if [ "$up" = 3 ]; then break; fi
      sleep 0.1
    done
    if [ "$up" = 3 ] && redis-cli --cluster create "127.0.0.1:${ports[0]}" "127.0.0.1:${ports[1]}" "127.0.0.1:${ports[2]}" \
        --cluster-replicas 0 --cluster-yes >"$CLUSTER_DIR/create.log" 2>&1; then
      for _ in $(seq 1 100); do
        local ok=0
        for p in "${ports[@]}"; do
          if redis-cli -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; then ok=$((ok + 1)); fi
        done
        if [ "$ok" = 3 ]; then
          export REDIS_CLUSTER_URL="redis+cluster://127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"
          echo "test.sh: 3-master redis cluster on $REDIS_CLUSTER_URL" >&2
          return 0
        fi
        sleep 0.1
      done
    fi
    stop_cluster
    rm -f "$CLUSTER_DIR"/nodes-*.conf
  done
  echo "test.sh: could not start a redis cluster; logs:" >&2
  cat "$CLUSTER_DIR"/*.log >&2 || true
  exit 1
}

stop_cluster() {
  for pid in "${CLUSTER_PIDS[@]:-}"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  CLUSTER_PIDS=()
}

cleanup() {
  if [ -n "${QDRANT_STARTED:-}" ]; then
    QDRANT_DIR="$QDRANT_DIR" "${TRADEWIND_QDRANT_SH:-../shared/tools/qdrant/qdrant.sh}" stop "$QDRANT_PID" || true
  fi
  stop_cluster
  if [ -n "${REDIS_PID:-}" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  if [ -n "${REDIS_DIR:-}" ]; then rm -rf "$REDIS_DIR"; fi
}
trap cleanup EXIT INT TERM

# Lints first: they are cheap next to the tests, and a red lint should not
# wait for a green test run to be seen.
lint() {
  echo "test.sh: cargo fmt --check" >&2
  cargo fmt --all -- --check
  echo "test.sh: cargo clippy -D warnings" >&2
  cargo clippy --workspace --all-targets --locked -- -D warnings
}

ensure_redis
ensure_browser
CLUSTER_PIDS=()
start_redis
start_cluster
start_qdrant
LOG="$REDIS_DIR/cargo-test.log"
# Every package of the lock file, for every platform: the build downloads
# only this host's, but tests/architecture.rs reads `cargo metadata
# --offline`, which needs them all (a fresh machine has none).
echo "test.sh: cargo fetch" >&2
cargo fetch --locked
set +e
if [ -z "${TW_SKIP_LINT:-}" ]; then
  lint
  lint_status=$?
  if [ "$lint_status" != 0 ]; then
    echo "test.sh: lints failed" >&2
    exit "$lint_status"
  fi
fi
cargo test --workspace --locked "$@" 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
# cargo ends on the doc-test binaries, which often run nothing; close with
# the whole workspace's count so the last line says what really ran.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "total: %d passed, %d failed\n", p, f }' "$LOG"
exit "$status"
