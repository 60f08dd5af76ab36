#!/bin/sh
# Serve credential checks on 27017, one connection at a time; SIGTERM stops at once.
echo "mongo stand-in: accepting connections on 27017 for user ${MONGO_INITDB_ROOT_USERNAME:-}"
nc -ll -p 27017 -e /check-credentials.sh &
server=$!
trap 'kill "$server" 2>/dev/null; exit 0' TERM INT
wait "$server"
