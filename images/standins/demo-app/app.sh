#!/bin/sh
# Answer HTTP on 3000, one connection at a time; SIGTERM stops at once.
echo "app listening on port 3000!"
nc -ll -p 3000 -e /serve.sh &
server=$!
trap 'kill "$server" 2>/dev/null; exit 0' TERM INT
wait "$server"
