#!/bin/sh
# A cron job: log the virtual time cronie forked it at (vclock.so's note for this pid or the parent sh -c) and its name.
at=$(cat "$VCLOCK_FILE.at/$$" 2>/dev/null || cat "$VCLOCK_FILE.at/$PPID" 2>/dev/null || echo "?$(cat "$VCLOCK_FILE")")
echo "$at $1" >> "$C2L_OUT/$(cat "$C2L_OUT/scenario").raw"
