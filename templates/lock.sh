# lock.sh: the DynamoDB lock that makes one scheduled minute of a cron2lambda job run at most once, and never lets a
# failure pass for a skip. Sourced by bootstrap (and by bench/lock.mjs). Plain bash over signed curl: no AWS CLI, no jq.
#
# Needs: bash >= 5, curl >= 7.75 (--aws-sigv4), sleep. Reads AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_SESSION_TOKEN (optional), CRON2LAMBDA_LOCK_TABLE, CRON2LAMBDA_DYNAMODB_ENDPOINT (optional; replaces
# https://dynamodb.$AWS_REGION.<the region's partition DNS suffix>), and these tunables (seconds, fractions allowed):
#   CRON2LAMBDA_LEASE_SECONDS      lease length, default 60
#   CRON2LAMBDA_HEARTBEAT_SECONDS  renewal period, default 20 (must be shorter than the lease)
#   CRON2LAMBDA_TAKEOVER_WAIT_SECONDS  wait for a live lease that ends within this, default half the lease
#   CRON2LAMBDA_LOCK_RETRY_SECONDS how long one lock operation retries throttling/5xx/network errors, default 30
#   CRON2LAMBDA_LOCK_CONNECT_TIMEOUT, CRON2LAMBDA_LOCK_MAX_TIME  curl's per-request limits, default 3 and 10
#
# One item per job and scheduled minute, key "<CRON2LAMBDA_JOB>#<YYYY-MM-DDTHH:MMZ>" (IAM: LeadingKeys "<job>#*"):
#   key S, state S ("running" | "done"), holder S (Lambda request id), token S (one per acquisition: the holder's
#   proof of ownership), rvn S (record version number, new on every write), lease N (epoch ms when the lease ends
#   unless renewed), deadline N (holder's Lambda-Runtime-Deadline-Ms), ttl N (scheduled minute + 7 days, epoch s),
#   started N, finished N (epoch ms).
# The design is the AWS DynamoDB Lock Client's: a live holder proves it by renewing a short lease (a background
# heartbeat, one conditional UpdateItem that succeeds only while it is still the holder); a holder that stopped
# renewing (killed, frozen, crashed) is dead once its lease ends, whatever its deadline says. Lambda kills a holder at
# its deadline, so a holder past its deadline is dead too. Deciding:
#   no item          -> one conditional PutItem (attribute_not_exists): acquired;
#   "done"           -> skipped (the minute ran and succeeded);
#   running, live    -> skipped (the holder reports its own outcome), or, when the lease ends within the takeover
#                       wait and the caller's time allows, wait and look again;
#   running, expired -> one conditional PutItem on the record version number that was read: took over. A renewal,
#                       release or done in between changes the rvn, so there are never two holders.
#   "skipped"        -> skipped (the overlap policy decided so for this minute);
#   anything else    -> error: no state, or one this runtime never writes, must not answer as a skipped run.
# A holder with the same request id gets no favour: Lambda's retries keep the request id, but so might a duplicate
# delivery from its eventually consistent queue, and that one may be alive. Each acquisition has its own token.
# Every call retries throttling, 5xx and connection failures with exponential backoff and jitter, within a time
# limit. A write whose answer was lost (timeout, reset, 5xx: the request may have reached DynamoDB) is settled by
# reading the item back (ConsistentRead) before deciding. Release and done are retried the same way; when they still
# fail, the lease simply ends and the next delivery takes over: a failure is never turned into a skip. Nothing
# depends on TTL deletion: an expired item that has not been deleted yet still holds its minute.

# c2l_json_escape_to VAR TEXT: sets VAR to TEXT as the inside of a JSON string (no surrounding quotes): quotes,
# backslashes and every control character escaped. No subshell: the lock is on every invocation's path.
c2l_json_escape_to() {
  local -n _c2l_out=$1
  local s=$2 i c hex oct
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  s=${s//$'\b'/\\b}
  s=${s//$'\f'/\\f}
  if [[ $s == *[$'\001'-$'\037']* ]]; then
    for ((i = 1; i < 32; i++)); do
      printf -v oct '%03o' "$i"
      printf -v c "\\$oct"
      [[ $s == *"$c"* ]] || continue
      printf -v hex '\\u%04x' "$i"
      s=${s//"$c"/$hex}
    done
  fi
  _c2l_out=$s
}

# c2l_json_escape TEXT: prints TEXT JSON-escaped (see c2l_json_escape_to).
c2l_json_escape() {
  local escaped
  c2l_json_escape_to escaped "$1"
  printf '%s' "$escaped"
}

# c2l_now_ms [VAR]: current time in epoch milliseconds (bash 5 EPOCHREALTIME; no date(1)); sets VAR or prints.
c2l_now_ms() {
  local us=${EPOCHREALTIME//[.,]/}
  if [[ -n ${1:-} ]]; then
    printf -v "$1" '%s' "$((10#$us / 1000))"
  else
    printf '%s' "$((10#$us / 1000))"
  fi
}

# --- calendar arithmetic (Howard Hinnant's days_from_civil / civil_from_days), so no GNU date is needed ---
_c2l_days_from_civil() { # Y M D -> sets _c2l_days (days since 1970-01-01)
  local y=$1 m=$2 d=$3 era yoe doy doe
  ((y -= m <= 2 ? 1 : 0))
  ((era = (y >= 0 ? y : y - 399) / 400))
  ((yoe = y - era * 400))
  ((doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1))
  ((doe = yoe * 365 + yoe / 4 - yoe / 100 + doy))
  ((_c2l_days = era * 146097 + doe - 719468))
}

_c2l_civil_from_days() { # DAYS -> sets _c2l_y _c2l_m _c2l_d
  local z=$(($1 + 719468)) era doe yoe doy mp
  ((era = (z >= 0 ? z : z - 146096) / 146097))
  ((doe = z - era * 146097))
  ((yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365))
  ((doy = doe - (365 * yoe + yoe / 4 - yoe / 100)))
  ((mp = (5 * doy + 2) / 153))
  ((_c2l_d = doy - (153 * mp + 2) / 5 + 1))
  ((_c2l_m = mp < 10 ? mp + 3 : mp - 9))
  ((_c2l_y = yoe + era * 400 + (_c2l_m <= 2 ? 1 : 0)))
}

# c2l_json_top_string JSON NAME: sets C2L_JSON_VALUE to the raw (still escaped) text of the top-level string
# member NAME of the JSON object JSON. Returns 1 when JSON is not an object or has no such string member.
# Nested members with the same name (e.g. in "detail") are ignored.
# Linear in the length of JSON (a 180 KB event with "time" last, or none, must not take seconds): one `read`
# splits the text at every '"', so the pieces alternate between structure (braces, commas, colons, numbers) and
# string contents; a piece ending in an odd number of backslashes ended at an escaped quote and is joined to the next.
c2l_json_top_string() {
  local -a parts=()
  local want=$2 n i=1 depth=0 ctx piece str marks m key="" after
  C2L_JSON_VALUE=
  [[ $1 =~ ^[[:space:]]*\{ ]] || return 1
  # word splitting at '"' (no globbing): in memory, no here-string file or pipe
  local - IFS='"'
  set -f
  parts=($1)
  IFS=$' \t\n'
  n=${#parts[@]}
  # ctx: what the next string is at depth 1: k = a key, v = a value (after ':'), - = neither
  marks=${parts[0]//[^][{\}:,]/}
  ctx=-
  while ((i < n)); do
    # the structure before this string: track depth and whether a key or a value comes next
    for ((m = 0; m < ${#marks}; m++)); do
      case ${marks:m:1} in
        '{' | '[')
          ((depth++))
          ctx=-
          [[ ${marks:m:1} == '{' ]] && ((depth == 1)) && ctx=k
          ;;
        '}' | ']')
          ((depth--))
          ((depth <= 0)) && return 1
          ctx=-
          ;;
        ',') ((depth == 1)) && ctx=k || ctx=- ;;
        ':') ((depth == 1)) && ctx=v || ctx=- ;;
      esac
    done
    # the string: pieces joined while one ends in an odd number of backslashes (an escaped quote)
    str=${parts[i]}
    while ((i + 1 < n)) && [[ $str == *\\ ]]; do
      after=${str##*[!\\]} # the trailing backslashes (all of str when it has nothing else)
      ((${#after} % 2)) || break
      ((i++))
      str+="\"${parts[i]}"
    done
    if ((depth == 1)); then
      if [[ $ctx == k ]]; then
        key=$str
      elif [[ $ctx == v && $key == "$want" ]]; then
        C2L_JSON_VALUE=$str
        return 0
      fi
    fi
    ctx=-
    ((i++))
    ((i < n)) || break
    marks=${parts[i]//[^][{\}:,]/}
    ((i++))
  done
  return 1
}

# c2l_scheduled_minute EVENT_JSON: reads the top-level "time" of an EventBridge event (or of the Scheduler input
# {"time":"<aws.scheduler.scheduled-time>",...}) and sets
#   C2L_MINUTE        the scheduled minute in UTC, e.g. 2027-01-04T18:00Z (seconds truncated)
#   C2L_MINUTE_EPOCH  that minute in epoch seconds
# Accepts RFC 3339 times with or without seconds/fraction, with Z or a numeric offset. Returns 1 otherwise.
c2l_scheduled_minute() {
  local t y mo d h mi off sign oh om epoch dim
  C2L_MINUTE= C2L_MINUTE_EPOCH=
  c2l_json_top_string "$1" time || return 1
  t=$C2L_JSON_VALUE
  local re='^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})(:([0-9]{2})(\.[0-9]+)?)?([Zz]|([+-])([0-9]{2}):?([0-9]{2}))$'
  [[ $t =~ $re ]] || return 1
  y=$((10#${BASH_REMATCH[1]})) mo=$((10#${BASH_REMATCH[2]})) d=$((10#${BASH_REMATCH[3]}))
  h=$((10#${BASH_REMATCH[4]})) mi=$((10#${BASH_REMATCH[5]}))
  sign=${BASH_REMATCH[10]} oh=${BASH_REMATCH[11]:-0} om=${BASH_REMATCH[12]:-0}
  oh=$((10#$oh)) om=$((10#$om))
  ((y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && h <= 23 && mi <= 59 && oh <= 23 && om <= 59)) || return 1
  if [[ -n ${BASH_REMATCH[7]} ]] && ((10#${BASH_REMATCH[7]} > 60)); then return 1; fi
  case $mo in
    2) dim=$(((y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28)) ;;
    4 | 6 | 9 | 11) dim=30 ;;
    *) dim=31 ;;
  esac
  ((d <= dim)) || return 1
  _c2l_days_from_civil "$y" "$mo" "$d"
  epoch=$((_c2l_days * 86400 + h * 3600 + mi * 60))
  off=$((oh * 3600 + om * 60))
  if [[ $sign == - ]]; then ((epoch += off)); else ((epoch -= off)); fi
  C2L_MINUTE_EPOCH=$epoch
  _c2l_civil_from_days $((epoch / 86400))
  printf -v C2L_MINUTE '%04d-%02d-%02dT%02d:%02dZ' "$_c2l_y" "$_c2l_m" "$_c2l_d" \
    $((epoch % 86400 / 3600)) $((epoch % 3600 / 60))
}

# --- settings ------------------------------------------------------------------------------------------------

# _c2l_ms VAR VALUE DEFAULT_MS: VAR = VALUE (seconds, e.g. "60" or "0.5") in milliseconds; DEFAULT_MS when VALUE is
# empty or not a number.
_c2l_ms() {
  local v=$2 frac
  if [[ $v =~ ^([0-9]{1,7})(\.([0-9]{1,3}))?$ ]]; then
    frac=${BASH_REMATCH[3]}000
    printf -v "$1" '%d' $((10#${BASH_REMATCH[1]} * 1000 + 10#${frac:0:3}))
  else
    printf -v "$1" '%d' "$3"
  fi
}

# c2l_lock_config: reads the tunables (see the top of this file) into C2L_LEASE_MS, C2L_HEARTBEAT_MS,
# C2L_TAKEOVER_WAIT_MS, C2L_RETRY_MS. Called when this file is sourced; call again after changing them.
c2l_lock_config() {
  _c2l_ms C2L_LEASE_MS "${CRON2LAMBDA_LEASE_SECONDS:-}" 60000
  ((C2L_LEASE_MS >= 100)) || C2L_LEASE_MS=60000
  _c2l_ms C2L_HEARTBEAT_MS "${CRON2LAMBDA_HEARTBEAT_SECONDS:-}" $((C2L_LEASE_MS / 3))
  # A renewal period as long as the lease would let a live holder's lease end between two renewals.
  ((C2L_HEARTBEAT_MS >= 50 && C2L_HEARTBEAT_MS * 2 <= C2L_LEASE_MS)) || C2L_HEARTBEAT_MS=$((C2L_LEASE_MS / 3))
  _c2l_ms C2L_TAKEOVER_WAIT_MS "${CRON2LAMBDA_TAKEOVER_WAIT_SECONDS:-}" $((C2L_LEASE_MS / 2))
  _c2l_ms C2L_RETRY_MS "${CRON2LAMBDA_LOCK_RETRY_SECONDS:-}" 30000
}
c2l_lock_config

# c2l_ddb_endpoint: the DynamoDB endpoint: CRON2LAMBDA_DYNAMODB_ENDPOINT, else the region's endpoint in its
# partition (DNS suffixes from the AWS SDK's partitions data, @aws-sdk/core util-endpoints partitions.js).
c2l_ddb_endpoint() {
  if [[ -n ${CRON2LAMBDA_DYNAMODB_ENDPOINT:-} ]]; then
    C2L_DDB_ENDPOINT=${CRON2LAMBDA_DYNAMODB_ENDPOINT%/}
    return
  fi
  local suffix
  case ${AWS_REGION:-} in
    cn-*) suffix=amazonaws.com.cn ;;
    us-iso-*) suffix=c2s.ic.gov ;;
    us-isob-*) suffix=sc2s.sgov.gov ;;
    us-isof-*) suffix=csp.hci.ic.gov ;;
    eu-isoe-*) suffix=cloud.adc-e.uk ;;
    eusc-*) suffix=amazonaws.eu ;;
    *) suffix=amazonaws.com ;;
  esac
  C2L_DDB_ENDPOINT="https://dynamodb.${AWS_REGION}.${suffix}"
}

# --- one DynamoDB call ---------------------------------------------------------------------------------------

# c2l_ddb OPERATION BODY: one signed DynamoDB JSON API call.
# Sets C2L_DDB_STATUS (HTTP status, 000 when no answer) and C2L_DDB_BODY (answer, or curl's error text), and
# C2L_DDB_CURL (curl's exit status). Returns 0 on HTTP 200, 1 otherwise.
c2l_ddb() {
  local op=$1 body=$2 out rc
  local -a token=() then=()
  c2l_ddb_endpoint
  if [[ -n ${AWS_SESSION_TOKEN:-} ]]; then token=(-H "x-amz-security-token: $AWS_SESSION_TOKEN"); fi
  # C2L_DDB_THEN (optional): a second request for the same curl process, made after this one. bootstrap answers
  # the Runtime API this way, because starting curl costs more than a request does.
  if ((${#C2L_DDB_THEN[@]})); then then=(--next "${C2L_DDB_THEN[@]}" -o /dev/null -w '\nC2L-THEN %{http_code} %{exitcode}\n'); fi
  # -q first: no ~/.curlrc can change these requests; --noproxy '*': nor can a proxy the crontab set for its jobs,
  # nor its CURL_CA_BUNDLE (a server's CA file, which Lambda does not have: every request would fail with exit 77).
  out=$(unset CURL_CA_BUNDLE; exec curl -q -sS --noproxy '*' -X POST "$C2L_DDB_ENDPOINT/" \
    --connect-timeout "${CRON2LAMBDA_LOCK_CONNECT_TIMEOUT:-3}" --max-time "${CRON2LAMBDA_LOCK_MAX_TIME:-10}" \
    -H 'Content-Type: application/x-amz-json-1.0' -H "X-Amz-Target: DynamoDB_20120810.$op" \
    --aws-sigv4 "aws:amz:${AWS_REGION}:dynamodb" --user "${AWS_ACCESS_KEY_ID}:${AWS_SECRET_ACCESS_KEY}" \
    "${token[@]}" --data-binary "$body" -w '\nC2L-DDB %{http_code} %{exitcode}\n' "${then[@]}" 2>&1)
  rc=$?
  local re_then=$'\n''C2L-THEN ([0-9]{3}) ([0-9]+)' re_ddb=$'\n''C2L-DDB ([0-9]{3}) ([0-9]+)'
  if ((${#then[@]})); then
    C2L_DDB_THEN_STATUS=000 C2L_DDB_THEN_CURL=$rc
    if [[ $out =~ $re_then ]]; then C2L_DDB_THEN_STATUS=${BASH_REMATCH[1]} C2L_DDB_THEN_CURL=${BASH_REMATCH[2]}; fi
  fi
  C2L_DDB_BODY=${out%%$'\n'C2L-DDB *}
  if [[ $out =~ $re_ddb ]]; then
    C2L_DDB_STATUS=${BASH_REMATCH[1]} C2L_DDB_CURL=${BASH_REMATCH[2]}
  else
    C2L_DDB_STATUS=000 C2L_DDB_CURL=$rc
  fi
  ((C2L_DDB_CURL == 0)) || C2L_DDB_STATUS=000
  [[ $C2L_DDB_STATUS == 200 ]]
}

# _c2l_ddb_problem: sets C2L_LOCK_ERROR to one line describing the last failed c2l_ddb call.
_c2l_ddb_problem() {
  local body=${C2L_DDB_BODY//[$'\r\n']/ }
  if [[ $C2L_DDB_STATUS == 000 ]]; then
    printf -v C2L_LOCK_ERROR 'DynamoDB endpoint %s not reachable (curl exit %s): %.300s' \
      "$C2L_DDB_ENDPOINT" "$C2L_DDB_CURL" "$body"
  else
    printf -v C2L_LOCK_ERROR 'DynamoDB answered HTTP %s: %.300s' "$C2L_DDB_STATUS" "$body"
  fi
}

_c2l_is_conditional_failure() {
  [[ $C2L_DDB_STATUS == 400 && $C2L_DDB_BODY == *ConditionalCheckFailedException* ]]
}

# _c2l_sleep_ms MS
_c2l_sleep_ms() {
  local s
  printf -v s '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
  sleep "$s"
}

# _c2l_call OPERATION BODY END_MS: c2l_ddb, retried with exponential backoff and jitter (as the AWS SDKs do) on
# throttling, 5xx and connection failures until END_MS (epoch ms). Returns 0 = HTTP 200, 1 = conditional check
# failed, 2 = an error that retrying cannot fix, 3 = still failing at END_MS (C2L_LOCK_ERROR says why for 2 and 3).
# Sets C2L_CALL_UNKNOWN=1 when some attempt may have reached DynamoDB without us hearing the outcome (for a write:
# it may have happened). C2L_DDB_THEN rides on the first attempt only.
_c2l_call() {
  local op=$1 body=$2 end=$3 attempt=0 now cap pause
  C2L_CALL_UNKNOWN=0 C2L_LOCK_ERROR=
  while :; do
    if c2l_ddb "$op" "$body"; then C2L_DDB_THEN=(); return 0; fi
    C2L_DDB_THEN=()
    if _c2l_is_conditional_failure; then return 1; fi
    _c2l_ddb_problem
    if [[ $C2L_DDB_STATUS == 000 ]]; then
      # Exits where curl certainly sent nothing: bad input (1-3), name resolution (5, 6), connection refused or
      # unreachable (7), TLS set-up and certificates (35, 53, 54, 58, 59, 60, 77, 80, 83, 90, 91). Any other exit
      # (28 timeout, 52 empty reply, 55 send error, 56 reset, ...) may come after the server got the request.
      case $C2L_DDB_CURL in
        1 | 2 | 3 | 5 | 6 | 7 | 35 | 53 | 54 | 58 | 59 | 60 | 77 | 80 | 83 | 90 | 91) ;;
        *) C2L_CALL_UNKNOWN=1 ;;
      esac
    elif [[ $C2L_DDB_STATUS == 5* ]]; then
      C2L_CALL_UNKNOWN=1 # an internal error may or may not have applied the write
    elif [[ ! $C2L_DDB_BODY =~ (ThrottlingException|ProvisionedThroughputExceeded|RequestLimitExceeded|TransactionConflict) ]]; then
      return 2
    fi
    c2l_now_ms now
    cap=$((50 << (attempt < 6 ? attempt : 6))) # 50 ms .. 3.2 s
    pause=$((cap / 2 + RANDOM % (cap / 2 + 1)))
    ((now + pause < end)) || return 3
    _c2l_sleep_ms "$pause"
    ((attempt++))
  done
}

# _c2l_lock_read KEY END_MS: consistent GetItem, retried like every call. Returns 0 = item found (C2L_ITEM_STATE,
# _HOLDER, _TOKEN, _RVN, _LEASE, _DEADLINE set), 1 = no item, 2 = could not read (C2L_LOCK_ERROR).
_c2l_lock_read() {
  local key table a
  c2l_json_escape_to key "$1"
  c2l_json_escape_to table "$CRON2LAMBDA_LOCK_TABLE"
  C2L_ITEM_STATE= C2L_ITEM_HOLDER= C2L_ITEM_TOKEN= C2L_ITEM_RVN= C2L_ITEM_LEASE=0 C2L_ITEM_DEADLINE=0
  _c2l_call GetItem "{\"TableName\":\"$table\",\"Key\":{\"key\":{\"S\":\"$key\"}},\"ConsistentRead\":true}" "$2"
  case $? in
    0) ;;
    1) C2L_LOCK_ERROR="GetItem failed a condition it does not have: $C2L_DDB_BODY"; return 2 ;;
    *) return 2 ;;
  esac
  [[ $C2L_DDB_BODY == *'"Item"'* ]] || return 1
  local re
  for a in state holder token rvn; do
    re="\"$a\"[[:space:]]*:[[:space:]]*\\{[[:space:]]*\"S\"[[:space:]]*:[[:space:]]*\"(([^\"\\\\]|\\\\.)*)\""
    [[ $C2L_DDB_BODY =~ $re ]] && printf -v "C2L_ITEM_${a^^}" '%s' "${BASH_REMATCH[1]}"
  done
  for a in lease deadline; do
    re="\"$a\"[[:space:]]*:[[:space:]]*\\{[[:space:]]*\"N\"[[:space:]]*:[[:space:]]*\"([0-9]+)\""
    [[ $C2L_DDB_BODY =~ $re ]] && printf -v "C2L_ITEM_${a^^}" '%s' "${BASH_REMATCH[1]}"
  done
  return 0
}

# c2l_lock_log KEY HOLDER WHY: the log line of one decision, naming job, minute and holder.
c2l_lock_log() {
  if [[ ${1##*#} == running ]]; then
    printf 'cron2lambda: job lock job=%s holder=%s: %s\n' "${1%#*}" "$2" "$3" >&2
  else
    printf 'cron2lambda: lock job=%s minute=%s holder=%s: %s\n' "${1%#*}" "${1##*#}" "$2" "$3" >&2
  fi
}

_c2l_new_rvn() { # HOLDER -> C2L_RVN
  printf -v C2L_RVN '%s.%s.%s%s' "$1" "${EPOCHREALTIME//[.,]/}" "$RANDOM" "$RANDOM"
}

# c2l_lock_acquire KEY HOLDER DEADLINE_MS TTL_EPOCH_S [END_MS]
# Returns 0 = acquired (C2L_LOCK_TOKEN: this holding's token, C2L_LOCK_HOW: why), 1 = skip (C2L_LOCK_WHY: done |
# live), 2 = error (C2L_LOCK_ERROR). END_MS bounds retries and waiting (default: one second before DEADLINE_MS);
# plain error retries also stop after CRON2LAMBDA_LOCK_RETRY_SECONDS.
c2l_lock_acquire() {
  local key holder table now end retry_end lease item cond seen rc i remaining
  c2l_json_escape_to key "$1"
  c2l_json_escape_to holder "$2"
  c2l_json_escape_to table "$CRON2LAMBDA_LOCK_TABLE"
  C2L_LOCK_ERROR= C2L_LOCK_WHY= C2L_LOCK_HOW= C2L_LOCK_TOKEN=
  [[ $3 =~ ^[0-9]+$ && $4 =~ ^[0-9]+$ ]] || { C2L_LOCK_ERROR="bad deadline or ttl: $3 $4"; return 2; }
  c2l_now_ms now
  end=${5:-$(($3 - 1000))}
  retry_end=$((now + C2L_RETRY_MS < end ? now + C2L_RETRY_MS : end))
  _c2l_new_rvn "$2"
  C2L_LOCK_TOKEN=$C2L_RVN
  cond='attribute_not_exists(#k)' seen=
  for ((i = 0; i < 50; i++)); do
    c2l_now_ms now
    _c2l_new_rvn "$2"
    item="{\"key\":{\"S\":\"$key\"},\"state\":{\"S\":\"running\"},\"holder\":{\"S\":\"$holder\"},\
\"token\":{\"S\":\"$C2L_LOCK_TOKEN\"},\"rvn\":{\"S\":\"$C2L_RVN\"},\"lease\":{\"N\":\"$((now + C2L_LEASE_MS))\"},\
\"deadline\":{\"N\":\"$3\"},\"ttl\":{\"N\":\"$4\"},\"started\":{\"N\":\"$now\"}}"
    if [[ -z $seen ]]; then
      _c2l_call PutItem "{\"TableName\":\"$table\",\"Item\":$item,\"ConditionExpression\":\"attribute_not_exists(#k)\",\
\"ExpressionAttributeNames\":{\"#k\":\"key\"}}" "$retry_end"
    else
      _c2l_call PutItem "{\"TableName\":\"$table\",\"Item\":$item,\"ConditionExpression\":\"#r = :seen\",\
\"ExpressionAttributeNames\":{\"#r\":\"rvn\"},\"ExpressionAttributeValues\":{\":seen\":{\"S\":\"$seen\"}}}" "$retry_end"
    fi
    rc=$?
    if ((rc == 0)); then
      C2L_LOCK_HOW=${C2L_LOCK_HOW:-acquired}
      c2l_lock_log "$1" "$2" "$C2L_LOCK_HOW (lease $((C2L_LEASE_MS / 1000)) s, renewed every $((C2L_HEARTBEAT_MS / 1000)) s)"
      return 0
    fi
    if ((rc >= 2 && !C2L_CALL_UNKNOWN)); then return 2; fi
    # Conditional failure, or an outcome we did not hear: the item decides. Reading it may take longer than the
    # retry budget, but not longer than END_MS.
    local problem=$C2L_LOCK_ERROR
    _c2l_lock_read "$1" "$end"
    case $? in
      2) [[ -n $problem ]] && C2L_LOCK_ERROR="$problem; then reading the lock back failed: $C2L_LOCK_ERROR"; return 2 ;;
      1)
        if ((rc >= 2)); then C2L_LOCK_ERROR=$problem; return 2; fi
        seen= C2L_LOCK_HOW= # released in between: try again from the start
        continue
        ;;
    esac
    if [[ $C2L_ITEM_TOKEN == "$C2L_LOCK_TOKEN" && $C2L_ITEM_STATE == running ]]; then
      # our write happened although we did not hear it
      C2L_LOCK_HOW="${C2L_LOCK_HOW:-acquired} (confirmed by reading it back)"
      c2l_lock_log "$1" "$2" "$C2L_LOCK_HOW (lease $((C2L_LEASE_MS / 1000)) s)"
      return 0
    fi
    if ((rc >= 2)); then C2L_LOCK_ERROR=$problem; return 2; fi
    if [[ $C2L_ITEM_STATE == done ]]; then
      C2L_LOCK_WHY=done
      c2l_lock_log "$1" "$2" "skipped done (the minute already ran and succeeded, holder $C2L_ITEM_HOLDER)"
      return 1
    fi
    if [[ $C2L_ITEM_STATE == skipped ]]; then # the overlap policy skipped this minute for good
      C2L_LOCK_WHY=skipped
      c2l_lock_log "$1" "$2" "skipped skipped (holder $C2L_ITEM_HOLDER decided so for this minute)"
      return 1
    fi
    if [[ $C2L_ITEM_STATE != running ]]; then
      # Only this runtime writes the table, and never such an item: a skip would answer success for a minute that
      # may never have run, so it is an error that names what was found.
      C2L_LOCK_ERROR="the lock $1 holds a state this runtime does not know ('$C2L_ITEM_STATE', holder '$C2L_ITEM_HOLDER'), so it cannot tell whether the minute ran"
      return 2
    fi
    c2l_now_ms now
    lease=$C2L_ITEM_LEASE
    ((C2L_ITEM_DEADLINE > 0 && C2L_ITEM_DEADLINE < lease)) && lease=$C2L_ITEM_DEADLINE
    if ((lease < now)); then
      seen=$C2L_ITEM_RVN
      C2L_LOCK_HOW="took over expired (holder $C2L_ITEM_HOLDER, lease ended $((now - lease)) ms ago)"
      continue
    fi
    remaining=$((lease - now))
    if ((remaining <= C2L_TAKEOVER_WAIT_MS && now + remaining + 200 < end)); then
      c2l_lock_log "$1" "$2" "waiting $remaining ms for the lease of holder $C2L_ITEM_HOLDER to end (not renewed lately)"
      _c2l_sleep_ms $((remaining + 100))
      seen= C2L_LOCK_HOW=
      continue
    fi
    C2L_LOCK_WHY=live
    c2l_lock_log "$1" "$2" "skipped live (holder $C2L_ITEM_HOLDER renews its lease; it ends in $remaining ms unless renewed)"
    return 1
  done
  C2L_LOCK_ERROR="the lock $1 changed hands $i times while we tried to take it"
  return 2
}

# _c2l_lock_write_as_holder OPERATION KEY HOLDER END_MS EXTRA_CONDITION EXTRA_FIELDS EXTRA_NAMES EXTRA_VALUES:
# a conditional write that succeeds only while HOLDER (and its C2L_LOCK_TOKEN, when set) holds the lock. Returns
# 0 = written, 1 = not the holder, 2 = error, 3 = outcome unknown and read back (_c2l_lock_read's status in
# C2L_WRITE_RC, the item in C2L_ITEM_*): an earlier attempt may have done what the last one could not.
_c2l_lock_write_as_holder() {
  local op=$1 key holder table cond='#h = :me' names='"#h":"holder"' values rc problem
  c2l_json_escape_to key "$2"
  c2l_json_escape_to holder "$3"
  c2l_json_escape_to table "$CRON2LAMBDA_LOCK_TABLE"
  values="\":me\":{\"S\":\"$holder\"}"
  if [[ -n ${C2L_LOCK_TOKEN:-} ]]; then
    cond+=' AND #t = :tok' names+=',"#t":"token"' values+=",\":tok\":{\"S\":\"$C2L_LOCK_TOKEN\"}"
  fi
  _c2l_call "$op" "{\"TableName\":\"$table\",\"Key\":{\"key\":{\"S\":\"$key\"}},\"ConditionExpression\":\"$cond$5\"$6,\
\"ExpressionAttributeNames\":{$names$7},\"ExpressionAttributeValues\":{$values$8}}" "$4"
  rc=$?
  ((rc == 0)) && return 0
  if ((!C2L_CALL_UNKNOWN)); then
    ((rc == 1)) && C2L_LOCK_ERROR="the lock $2 is no longer held by $3"
    ((rc == 1)) && return 1
    return 2
  fi
  problem=${C2L_LOCK_ERROR:-the answer to $op was lost}
  _c2l_lock_read "$2" $(($4 + 2000))
  C2L_WRITE_RC=$?
  if ((C2L_WRITE_RC == 2)); then C2L_LOCK_ERROR="$problem; then reading the lock back failed: $C2L_LOCK_ERROR"; else C2L_LOCK_ERROR=$problem; fi
  return 3
}

# _c2l_is_mine: the item just read (C2L_ITEM_*) is held by HOLDER ($1) with our token (when we have one).
_c2l_is_mine() {
  [[ $C2L_ITEM_HOLDER == "$1" && (-z ${C2L_LOCK_TOKEN:-} || $C2L_ITEM_TOKEN == "$C2L_LOCK_TOKEN") ]]
}

# c2l_lock_renew KEY HOLDER [END_MS]: extends the lease to CRON2LAMBDA_LEASE_SECONDS from now, only while HOLDER
# still holds the running lock. Returns 0 = renewed, 1 = lost (taken over, done or released), 2 = error.
c2l_lock_renew() {
  local now end
  c2l_now_ms now
  end=${3:-$((now + C2L_HEARTBEAT_MS))}
  _c2l_new_rvn "$2"
  _c2l_lock_write_as_holder UpdateItem "$1" "$2" "$end" ' AND #s = :running' \
    ',"UpdateExpression":"SET #l = :l, #r = :rvn"' ',"#s":"state","#l":"lease","#r":"rvn"' \
    ",\":running\":{\"S\":\"running\"},\":l\":{\"N\":\"$((now + C2L_LEASE_MS))\"},\":rvn\":{\"S\":\"$C2L_RVN\"}"
  local rc=$?
  ((rc < 3)) && return $rc
  case $C2L_WRITE_RC in
    0)
      [[ $C2L_ITEM_RVN == "$C2L_RVN" ]] && return 0 # this renewal happened
      if _c2l_is_mine "$2" && [[ $C2L_ITEM_STATE == running ]]; then return 2; fi # still ours, not renewed
      return 1
      ;;
    1) return 1 ;;
    *) return 2 ;;
  esac
}

# c2l_lock_heartbeat KEY HOLDER [KEY2 TOKEN2]: renews the lease of KEY (token C2L_LOCK_TOKEN), and of KEY2 (token
# TOKEN2, e.g. the job lock of the overlap policy), every CRON2LAMBDA_HEARTBEAT_SECONDS until its stdin reaches end
# of file (the caller runs it as `exec {fd}> >(c2l_lock_heartbeat ...)` and closes fd when the job ends).
c2l_lock_heartbeat() {
  local period rc i key
  local -a keys=("$1") tokens=("${C2L_LOCK_TOKEN:-}") lost=(0 0)
  [[ -n ${3:-} ]] && keys+=("$3") tokens+=("${4:-}")
  printf -v period '%d.%03d' $((C2L_HEARTBEAT_MS / 1000)) $((C2L_HEARTBEAT_MS % 1000))
  while :; do
    read -r -t "$period"
    (($? > 128)) || return 0 # end of file: the job is over
    for i in "${!keys[@]}"; do
      ((lost[i])) && continue
      key=${keys[i]} C2L_LOCK_TOKEN=${tokens[i]}
      c2l_lock_renew "$key" "$2"
      rc=$?
      read -r -t 0 && return 0 # stopped while renewing: whatever the renewal met is no news
      case $rc in
        0) ;;
        1)
          lost[i]=1
          c2l_lock_log "$key" "$2" "LEASE LOST while the job runs (the item is held by ${C2L_ITEM_HOLDER:-someone else} or gone): another delivery may run too"
          ;;
        *) c2l_lock_log "$key" "$2" "could not renew the lease (will try again): $C2L_LOCK_ERROR" ;;
      esac
    done
  done
}

# c2l_overlap_acquire JOB_KEY HOLDER DEADLINE_MS WAIT_MS: the job lock of the overlap policy "forbid" (key
# "<job>#running"): one run of the job at a time, with the same lease, heartbeat and takeover as the minute's lock.
# A live earlier run: poll every second for up to WAIT_MS (within DEADLINE_MS), then give up. Returns 0 = taken
# (C2L_LOCK_TOKEN), 1 = an earlier run is still alive (C2L_ITEM_HOLDER), 2 = error.
c2l_overlap_acquire() {
  local now wait_end rc pause C2L_TAKEOVER_WAIT_MS=0
  c2l_now_ms now
  wait_end=$((now + $4))
  (($3 - 2000 < wait_end)) && wait_end=$(($3 - 2000))
  while :; do
    c2l_now_ms now
    c2l_lock_acquire "$1" "$2" "$3" $((now / 1000 + 7 * 86400))
    rc=$?
    ((rc == 1)) || return $rc
    c2l_now_ms now
    pause=$((wait_end - now < 1000 ? wait_end - now : 1000))
    ((pause > 0)) || return 1
    _c2l_sleep_ms "$pause"
  done
}

# c2l_lock_done KEY HOLDER [END_MS [STATE]]: the run succeeded; the minute stays taken for good (state "done", or
# STATE: "skipped" when the overlap policy skipped the minute). Returns 0 = marked, 1 = not the holder any more,
# 2 = error (the lease then ends and a later delivery may run the minute again: at least once, never lost).
c2l_lock_done() {
  local now end state=${4:-done}
  c2l_now_ms now
  end=${3:-$((now + C2L_RETRY_MS))}
  _c2l_new_rvn "$2"
  _c2l_lock_write_as_holder UpdateItem "$1" "$2" "$end" '' \
    ',"UpdateExpression":"SET #s = :done, #f = :t, #r = :rvn"' ',"#s":"state","#f":"finished","#r":"rvn"' \
    ",\":done\":{\"S\":\"$state\"},\":t\":{\"N\":\"$now\"},\":rvn\":{\"S\":\"$C2L_RVN\"}"
  local rc=$?
  if ((rc == 3)); then
    case $C2L_WRITE_RC in
      0) if _c2l_is_mine "$2" && [[ $C2L_ITEM_STATE == "$state" ]]; then rc=0; else rc=1; fi ;;
      1) rc=1 ;;
      *) rc=2 ;;
    esac
  fi
  case $rc in
    0) c2l_lock_log "$1" "$2" "marked $state" ;;
    1) C2L_LOCK_ERROR="the lock $1 is no longer held by $2" ;;
  esac
  return $rc
}

# c2l_lock_release KEY HOLDER [END_MS]: the run failed; delete the item so that Lambda's retry of this event can
# run. Returns 0 = released (or no longer ours), 1 = not the holder, 2 = error (the lease then ends by itself).
c2l_lock_release() {
  local now end
  c2l_now_ms now
  end=${3:-$((now + C2L_RETRY_MS))}
  _c2l_lock_write_as_holder DeleteItem "$1" "$2" "$end" '' '' '' ''
  local rc=$?
  if ((rc == 3)); then
    case $C2L_WRITE_RC in
      0) if _c2l_is_mine "$2"; then rc=2; else rc=0; fi ;;
      1) rc=0 ;;
      *) rc=2 ;;
    esac
  fi
  ((rc == 0)) && c2l_lock_log "$1" "$2" "released"
  return $rc
}
