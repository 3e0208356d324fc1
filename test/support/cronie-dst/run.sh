#!/bin/bash
# Run crond under the virtual clock (vclock.so) over a span of real (UTC) time and list when it started each job.
# usage: run.sh CROND NAME DAEMON_TZ START_UTC END_UTC TABFILE...   (each TABFILE is installed as a cron.d file; its
#   jobs call job.sh NAME). Output: $OUT/NAME.runs (UTC minute, daemon-local time, job name) and $OUT/NAME.debug.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/cronie-dst}
crond=$1 name=$2 tz=$3 start=$(date -u -d "$4" +%s) end=$(date -u -d "$5" +%s); shift 5
etc=/opt/cronie/etc; mkdir -p $etc/cron.d /opt/cronie/var/spool/cron /opt/cronie/var/run "$OUT"
rm -f $etc/cron.d/* /opt/cronie/var/run/cron.reboot
for f in "$@"; do install -m 0644 -o root "$f" $etc/cron.d/"$(basename "$f")"; done
: > "$OUT/$name.raw"; rm -rf "$OUT/vclock.at"; mkdir -p "$OUT/vclock.at"
export VCLOCK_FILE=$OUT/vclock VCLOCK_START=$start VCLOCK_END=$end VCLOCK_REAL_MS=${REAL_MS:-25} VCLOCK_PUBLISH=1
echo "$name" > "$OUT/scenario"
TZ=$tz LD_PRELOAD=$here/vclock.so "$crond" -n -p -m off -x sch > "$OUT/$name.debug" 2>&1 || true
sleep 1
sort -n "$OUT/$name.raw" | while read -r t job; do
  printf '%s UTC  %s  %s\n' "$(date -u -d @$t '+%F %H:%M')" "$(TZ=$tz date -d @$t '+%H:%M %Z')" "$job"
done > "$OUT/$name.runs"
cat "$OUT/$name.runs"
