#!/bin/sh
# Log one line naming the settings this container was given, then answer HTTP on $PORT with
# a short text that includes $GREETING. SIGTERM stops it at once.
PORT="${PORT:-8080}"
printf 'hello from %s: %s\n' "$(hostname)" "${GREETING:-(no GREETING set)}" >/www/index.html
echo "hello: listening on :$PORT GREETING=${GREETING:-} SECRET_TOKEN=${SECRET_TOKEN:-}"

httpd -f -p "$PORT" -h /www &
server=$!
trap 'kill "$server" 2>/dev/null; echo "hello: stopping"; exit 0' TERM INT
wait "$server"
