#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installed in the Flatpak as /app/bin/ssh, /app/bin/ssh-keyscan and /app/bin/ssh-keygen
# (symbolic links to this script), so that Lifeboat's SSH tunnel runs the *host's* ssh with
# the user's own ~/.ssh/config, agent, keys and known_hosts, exactly as in a terminal.
# flatpak-spawn forwards stdin/stdout/stderr and the usual termination signals;
# --watch-bus ends the host process when Lifeboat goes away, even if it was killed.
# The program's environment is the host session's (SSH_AUTH_SOCK and all), not the sandbox's.
set -eu
exec flatpak-spawn --host --watch-bus "$(basename "$0")" "$@"
