#!/usr/bin/env bash
# A developer's distributed back end on loopback: one etcd, a 3-node NATS JetStream cluster and an
# S3 endpoint (s3rver from the repo's dev dependencies). Usage:
#   deploy/local-cluster.sh start [DATA_DIR]   # default ./.cluster; logs and pids go there
#   deploy/local-cluster.sh stop  [DATA_DIR]
#   deploy/local-cluster.sh status [DATA_DIR]
# Ports (override with env): ETCD_PORT=2379, NATS_PORT=4222 (4222..4224; routes 6222..6224,
# monitoring 8222..8224), S3_PORT=4568 (bucket "sextant", credentials S3RVER/S3RVER).
# Needs the Debian packages etcd-server and nats-server, and `npm ci` run in the repo (s3rver).
set -euo pipefail
cd "$(dirname "$0")/.."
CMD="${1:-start}"
DIR="$(realpath -m "${2:-.cluster}")"
ETCD_PORT="${ETCD_PORT:-2379}"
NATS_PORT="${NATS_PORT:-4222}"
S3_PORT="${S3_PORT:-4568}"
ETCD_BIN="$(command -v etcd || echo /usr/bin/etcd)"
NATS_BIN="$(command -v nats-server || echo /usr/sbin/nats-server)"

need() { [ -x "$1" ] || { echo "missing $1: apt-get install $2" >&2; exit 1; }; }

wait_http() { # url what
  for _ in $(seq 1 150); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for $2 ($1); see $DIR/*.log" >&2; exit 1
}

start_bg() { # name cmd...
  local name="$1"; shift
  if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
    echo "$name already running (pid $(cat "$DIR/$name.pid"))"; return
  fi
  "$@" >>"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

start() {
  need "$ETCD_BIN" etcd-server
  need "$NATS_BIN" nats-server
  [ -f node_modules/s3rver/bin/s3rver.js ] || { echo "s3rver missing: run npm ci in $(pwd)" >&2; exit 1; }
  mkdir -p "$DIR/etcd" "$DIR/s3"
  start_bg etcd "$ETCD_BIN" --name e0 --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "e0=http://127.0.0.1:$((ETCD_PORT + 1))" --max-request-bytes 33554432 --max-txn-ops 1024
  local routes=""
  for i in 0 1 2; do routes="${routes:+$routes,}nats://127.0.0.1:$((6222 + i))"; done
  for i in 0 1 2; do
    mkdir -p "$DIR/nats$i"
    start_bg "nats$i" "$NATS_BIN" -a 127.0.0.1 -p $((NATS_PORT + i)) -m $((8222 + i)) -n "nats$i" -js -sd "$DIR/nats$i" \
      --cluster_name sextant --cluster "nats://127.0.0.1:$((6222 + i))" --routes "$routes"
  done
  start_bg s3rver node node_modules/s3rver/bin/s3rver.js -d "$DIR/s3" -a 127.0.0.1 -p "$S3_PORT" --silent \
    --configure-bucket sextant
  wait_http "http://127.0.0.1:$ETCD_PORT/health" etcd
  for i in 0 1 2; do wait_http "http://127.0.0.1:$((8222 + i))/healthz" "nats$i"; done
  wait_http "http://127.0.0.1:$S3_PORT/" s3rver
  cat <<INFO
up (data and logs in $DIR):
  etcd   http://127.0.0.1:$ETCD_PORT
  nats   nats://127.0.0.1:$NATS_PORT,nats://127.0.0.1:$((NATS_PORT + 1)),nats://127.0.0.1:$((NATS_PORT + 2))
  s3     http://127.0.0.1:$S3_PORT bucket sextant (AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1)
stop with: $0 stop $DIR
INFO
}

stop() {
  for name in s3rver nats2 nats1 nats0 etcd; do
    if [ -f "$DIR/$name.pid" ]; then
      kill "$(cat "$DIR/$name.pid")" 2>/dev/null || true
      rm -f "$DIR/$name.pid"
    fi
  done
  echo "stopped (data kept in $DIR)"
}

status() {
  for name in etcd nats0 nats1 nats2 s3rver; do
    if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
      echo "$name running (pid $(cat "$DIR/$name.pid"))"
    else
      echo "$name stopped"
    fi
  done
}

case "$CMD" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status [DATA_DIR]" >&2; exit 2 ;;
esac
