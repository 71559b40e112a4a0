#!/usr/bin/env bash
# The quick-start demo: mailtrust on the bundled example domain, offline (every DNS answer comes from example.zone).
#   message.eml  a message from alice@example.com, sent the way receivers trust (PTR, HELO, SPF, DKIM, DMARC)
#   forged.eml   the same message changed after signing and sent from a residential address with HELO localhost
set -u
cd "$(dirname "$0")"
mailtrust() { node ../dist/src/cli/main.js "$@"; }
run() {
  printf '\n$ mailtrust %s\n' "$*"
  mailtrust "$@"
  printf '(exit %s)\n' "$?"
}
run check message.eml --zone example.zone
run check forged.eml --zone example.zone
run spf --ip 192.0.2.10 --mail-from alice@example.com --helo mail.example.com --zone example.zone
run dkim verify message.eml --zone example.zone
run audit example.com --selector s2026 --ip 192.0.2.10 --helo mail.example.com --zone example.zone
run dns _dmarc.example.com TXT --zone example.zone
exit 0
