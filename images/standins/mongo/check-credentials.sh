#!/bin/sh
# One client: read "user:password", answer OK or DENIED.
read -r given
if [ "$given" = "${MONGO_INITDB_ROOT_USERNAME:-}:${MONGO_INITDB_ROOT_PASSWORD:-}" ]; then
  echo OK
else
  echo DENIED
fi
