#!/usr/bin/env bash
# The quick-start demo: mailtrust on the bundled example domain, offline (answers come from example.zone).
set -u
cd "$(dirname "$0")"
mailtrust() { node ../dist/src/cli/main.js "$@"; }
run() {
  printf '\n$ mailtrust %s\n' "$*"
  mailtrust "$@"
  printf '(exit %s)\n' "$?"
}
run dns example.com TXT --zone example.zone
run dns 192.0.2.10 --zone example.zone
