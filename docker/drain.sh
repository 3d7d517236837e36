#!/usr/bin/env bash
# preStop hook: POST /admin/drain on the worker (loopback only), which stops it taking jobs; SIGTERM follows.
# Usage: drain.sh PORT
set -euo pipefail
exec 3<>"/dev/tcp/127.0.0.1/$1"
printf 'POST /admin/drain HTTP/1.0\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n' >&3
IFS= read -r status <&3
[[ "$status" == *" 202 "* || "$status" == *" 200 "* ]]
