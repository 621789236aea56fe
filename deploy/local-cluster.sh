#!/usr/bin/env bash
# A local Sextant cluster on loopback: one etcd, a 3-node NATS JetStream cluster, an S3 endpoint
# (s3rver from the repo's dev dependencies), two writer nodes (one owns the data set, the other stands
# by) and two read-only query nodes. Usage:
#   deploy/local-cluster.sh start [DATA_DIR]     # back ends + Sextant nodes; default ./.cluster
#   deploy/local-cluster.sh backends [DATA_DIR]  # only etcd, nats and s3rver
#   deploy/local-cluster.sh stop  [DATA_DIR]
#   deploy/local-cluster.sh status [DATA_DIR]
# Ports (override with env): ETCD_PORT=2379 (peer port + 1), NATS_PORT=4222 (4222..4224; routes
# NATS_ROUTE_PORT=6222..6224, monitoring NATS_HTTP_PORT=8222..8224), S3_PORT=4568 (bucket "sextant", credentials S3RVER/S3RVER),
# SEXTANT_PORT=19530 (writers 19530, 19531; query nodes 19532, 19533; each node's http port
# HTTP_PORT=9091 + the same offset). Logs and pids go to DATA_DIR.
# Needs the Debian packages etcd-server, nats-server and curl, `npm ci` (s3rver) and `npm run build`
# (dist/) in the repo.
set -euo pipefail
cd "$(dirname "$0")/.."
CMD="${1:-start}"
DIR="$(realpath -m "${2:-.cluster}")"
ETCD_PORT="${ETCD_PORT:-2379}"
NATS_PORT="${NATS_PORT:-4222}"
NATS_ROUTE_PORT="${NATS_ROUTE_PORT:-6222}"
NATS_HTTP_PORT="${NATS_HTTP_PORT:-8222}"
S3_PORT="${S3_PORT:-4568}"
SEXTANT_PORT="${SEXTANT_PORT:-19530}"
HTTP_PORT="${HTTP_PORT:-9091}"
NODES="writer-1 writer-2 query-1 query-2"
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

wait_answer() { # url what: any HTTP answer (a standby's /healthz is 503)
  for _ in $(seq 1 300); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" != "000" ]; then return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for $2 ($1); see $DIR/$2.log" >&2; exit 1
}

backends() {
  need "$ETCD_BIN" etcd-server
  need "$NATS_BIN" nats-server
  [ -f node_modules/s3rver/bin/s3rver.js ] || { echo "s3rver missing: run npm ci in $(pwd)" >&2; exit 1; }
  mkdir -p "$DIR/etcd" "$DIR/s3"
  start_bg etcd "$ETCD_BIN" --name e0 --data-dir "$DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "e0=http://127.0.0.1:$((ETCD_PORT + 1))" --max-request-bytes 33554432 --max-txn-ops 1024
  local routes=""
  for i in 0 1 2; do routes="${routes:+$routes,}nats://127.0.0.1:$((NATS_ROUTE_PORT + i))"; done
  for i in 0 1 2; do
    mkdir -p "$DIR/nats$i"
    start_bg "nats$i" "$NATS_BIN" -a 127.0.0.1 -p $((NATS_PORT + i)) -m $((NATS_HTTP_PORT + i)) -n "nats$i" -js -sd "$DIR/nats$i" \
      --cluster_name sextant --cluster "nats://127.0.0.1:$((NATS_ROUTE_PORT + i))" --routes "$routes"
  done
  start_bg s3rver node node_modules/s3rver/bin/s3rver.js -d "$DIR/s3" -a 127.0.0.1 -p "$S3_PORT" --silent \
    --configure-bucket sextant
  wait_http "http://127.0.0.1:$ETCD_PORT/health" etcd
  for i in 0 1 2; do wait_http "http://127.0.0.1:$((NATS_HTTP_PORT + i))/healthz" "nats$i"; done
  wait_http "http://127.0.0.1:$S3_PORT/" s3rver
  cat <<INFO
back ends up (data and logs in $DIR):
  etcd   http://127.0.0.1:$ETCD_PORT
  nats   nats://127.0.0.1:$NATS_PORT,nats://127.0.0.1:$((NATS_PORT + 1)),nats://127.0.0.1:$((NATS_PORT + 2))
  s3     http://127.0.0.1:$S3_PORT bucket sextant (AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1)
INFO
}

start_node() { # index name role
  local i="$1" name="$2" role="$3"
  mkdir -p "$DIR/$name"
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 \
    start_bg "$name" node dist/src/server/main.js --data "$DIR/$name" \
    --port $((SEXTANT_PORT + i)) --http-port $((HTTP_PORT + i)) --role "$role" --node-id "$name" --cluster sextant \
    --etcd "http://127.0.0.1:$ETCD_PORT" \
    --nats "nats://127.0.0.1:$NATS_PORT,nats://127.0.0.1:$((NATS_PORT + 1)),nats://127.0.0.1:$((NATS_PORT + 2))" \
    --s3-endpoint "http://127.0.0.1:$S3_PORT" --s3-bucket sextant
}

start() {
  [ -f dist/src/server/main.js ] || { echo "dist/ missing: run npm run build in $(pwd)" >&2; exit 1; }
  backends
  start_node 0 writer-1 writer
  wait_http "http://127.0.0.1:$HTTP_PORT/healthz" writer-1 # the first writer takes the lease
  start_node 1 writer-2 writer
  start_node 2 query-1 query
  start_node 3 query-2 query
  for i in 1 2 3; do wait_answer "http://127.0.0.1:$((HTTP_PORT + i))/healthz" "$(echo $NODES | cut -d' ' -f$((i + 1)))"; done
  cat <<INFO
Sextant nodes up:
  writers      127.0.0.1:$SEXTANT_PORT (owner), 127.0.0.1:$((SEXTANT_PORT + 1)) (standby; UNAVAILABLE naming the owner until it takes over)
  query nodes  127.0.0.1:$((SEXTANT_PORT + 2)), 127.0.0.1:$((SEXTANT_PORT + 3)) (read-only; load with replica_number up to 2)
stop with: $0 stop $DIR
INFO
}

stop() {
  for name in $NODES s3rver nats2 nats1 nats0 etcd; do
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
  local i=0
  for name in $NODES; do
    if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
      echo "$name running (pid $(cat "$DIR/$name.pid")) on 127.0.0.1:$((SEXTANT_PORT + i)), healthz: $(curl -s "http://127.0.0.1:$((HTTP_PORT + i))/healthz")"
    else
      echo "$name stopped"
    fi
    i=$((i + 1))
  done
}

case "$CMD" in
  start) start ;;
  backends) backends; echo "stop with: $0 stop $DIR" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|backends|stop|status [DATA_DIR]" >&2; exit 2 ;;
esac
