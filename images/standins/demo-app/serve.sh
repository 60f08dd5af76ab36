#!/bin/sh
# One HTTP request: skip its head, ask the database at $DB_URL:27017 whether our credentials
# are accepted, and answer a page saying so.
read -r _request
while read -r header; do
  [ "$(printf '%s' "$header" | tr -d '\r')" = "" ] && break
done
answer=$(echo "${USER_NAME:-}:${USER_PWD:-}" | nc -w 3 "${DB_URL:-localhost}" 27017 2>&1)
if [ "$answer" = "OK" ]; then
  status="connected to the database at ${DB_URL}: OK"
else
  status="database check FAILED at ${DB_URL:-?}: ${answer:-no answer}"
fi
body="<html><body><h1>k8s demo app (minicube stand-in)</h1><p>$status</p></body></html>"
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' \
  "${#body}" "$body"
