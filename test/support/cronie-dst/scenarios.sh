#!/bin/bash
# The recorded DST scenarios (test/schedule/cron-tz.test.ts). usage (as root): scenarios.sh CROND
# 2026 transitions. London: spring 03-29 01:00 UTC, fall 10-25 01:00 UTC. New York: spring 03-08 07:00 UTC
# (02:00 EST -> 03:00 EDT), fall 11-01 06:00 UTC (02:00 EDT -> 01:00 EST).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
export OUT=${OUT:-/tmp/cronie-dst}
crond=$1 t=$OUT/tabs J="$here/job.sh"
mkdir -p "$t"
# tab FILE [VAR=value | "FIELDS NAME"]...: a cron.d file; a job line "m h dom mon dow NAME" runs job.sh NAME as root.
tab() {
  local f=$t/$1; shift
  printf 'MAILTO=""\nC2L_OUT=%s\nVCLOCK_FILE=%s/vclock\n' "$OUT" "$OUT" > "$f"
  for l in "$@"; do
    case $l in
      *=*) echo "$l" ;;
      *) read -r mi h dom mon dow name <<< "$l"; echo "$mi $h $dom $mon $dow root $J $name" ;;
    esac >> "$f"
  done
}
tab london-spring 'CRON_TZ=Europe/London' '30 1 * * * L:30_1' '0 2 * * * L:0_2' '30 2 * * * L:30_2' '*/30 * * * * L:*/30_*'
tab london-fall 'CRON_TZ=Europe/London' '30 1 * * * L:30_1' '0 1 * * * L:0_1' '30 * * * * L:30_*' '30 2 * * * L:30_2'
tab ny-spring-notz '30 2 * * * -:30_2' '0 3 * * * -:0_3' '30 * * * * -:30_*'
tab ny-spring-ny 'CRON_TZ=America/New_York' '30 2 * * * NY:30_2' '0 3 * * * NY:0_3' '30 * * * * NY:30_*'
tab ny-spring-empty 'CRON_TZ=' '30 2 * * * E:30_2' '0 3 * * * E:0_3' '30 * * * * E:30_*'
tab ny-spring-london 'CRON_TZ=Europe/London' '0 7 * * * L:0_7' '1 7 * * * L:1_7' '30 6 * * * L:30_6' '*/30 * * * * L:*/30_*'
tab ny-fall-notz '30 1 * * * -:30_1' '0 1 * * * -:0_1' '30 * * * * -:30_*'
tab ny-fall-ny 'CRON_TZ=America/New_York' '30 1 * * * NY:30_1' '0 1 * * * NY:0_1' '30 * * * * NY:30_*'
tab ny-fall-empty 'CRON_TZ=' '30 1 * * * E:30_1' '30 * * * * E:30_*'
tab ny-fall-london 'CRON_TZ=Europe/London' '30 5 * * * L:30_5' '0 6 * * * L:0_6' '30 6 * * * L:30_6' '0 7 * * * L:0_7' '30 * * * * L:30_*'
tab issue124 'CRON_TZ=UTC' '59 0 * * * U:59_0' '0 1 * * * U:0_1' '1 1 * * * U:1_1' '30 1 * * * U:30_1' '59 1 * * * U:59_1' '0 2 * * * U:0_2' '*/30 * * * * U:*/30'
tab london-control '30 6 * * * -:30_6' '0 7 * * * -:0_7'
r() { "$here/run.sh" "$crond" "$@"; }
r A-london-spring-daemonNY America/New_York "2026-03-28 23:45" "2026-03-29 03:15" $t/london-spring
r B-london-fall-daemonNY America/New_York "2026-10-24 23:45" "2026-10-25 03:15" $t/london-fall
r C1-ny-spring-daemonNY America/New_York "2026-03-08 05:45" "2026-03-08 08:15" $t/ny-spring-notz $t/ny-spring-ny $t/ny-spring-empty $t/ny-spring-london
r C2-ny-spring-daemonLondon Europe/London "2026-03-08 05:45" "2026-03-08 08:15" $t/ny-spring-ny $t/london-control
r D1-ny-fall-daemonNY America/New_York "2026-11-01 04:45" "2026-11-01 08:15" $t/ny-fall-notz $t/ny-fall-ny $t/ny-fall-empty $t/ny-fall-london
r D2-ny-fall-daemonLondon Europe/London "2026-11-01 04:45" "2026-11-01 08:15" $t/ny-fall-ny $t/london-control
r E-issue124-daemonLondon Europe/London "2022-10-29 23:45" "2022-10-30 02:15" $t/issue124
