#!/usr/bin/env bash
# Runs a command with a real OS keyring: gnome-keyring's Secret Service, unlocked, in the
# D-Bus session this script is started in (dev.py runs it under dbus-run-session).
set -euo pipefail
export HOME="$(mktemp -d)"
mkdir -p "$HOME/.local/share/keyrings"
eval "$(printf %s "${KEYRING_PASSWORD:-portal-tests}" | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
export GNOME_KEYRING_CONTROL
exec "$@"
