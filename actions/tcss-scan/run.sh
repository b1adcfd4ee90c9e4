#!/usr/bin/env bash
# Runs tcss-scan with the action's inputs: each input arrives as TCSS_INPUT__<VARIABLE> and
# becomes <VARIABLE> only when the user gave it, so an input left empty keeps whatever the
# runner, the workflow or the job set (a CA bundle in SSL_CERT_FILE, TCSS_* defaults).
set -euo pipefail
while IFS= read -r name; do
  case "$name" in
    TCSS_INPUT__*)
      value="${!name}"
      unset "$name"
      [ -z "$value" ] || export "${name#TCSS_INPUT__}=$value"
      ;;
  esac
done < <(compgen -e)
exec "${TCSS_BIN:?}"
