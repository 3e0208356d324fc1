# lock.sh: the DynamoDB lock that makes one scheduled minute of a cron2lambda job run at most once.
# Sourced by bootstrap (and by bench/lock.mjs). Plain bash functions over signed curl: no AWS CLI, no jq.
#
# Needs: bash >= 4.4, curl >= 7.75 (--aws-sigv4). Reads AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# AWS_SESSION_TOKEN (optional), CRON2LAMBDA_LOCK_TABLE, CRON2LAMBDA_DYNAMODB_ENDPOINT (optional; replaces
# https://dynamodb.$AWS_REGION.amazonaws.com).
#
# One item per job and scheduled minute, key "<CRON2LAMBDA_JOB>#<YYYY-MM-DDTHH:MMZ>":
#   key S, state S ("running" | "done"), holder S (Lambda request id), deadline N (holder's
#   Lambda-Runtime-Deadline-Ms), ttl N (scheduled minute + 7 days, epoch seconds), started N (epoch ms),
#   finished N (epoch ms, set when done).
# Acquire is a single conditional PutItem: the item does not exist, or it is "running" and its holder's deadline
# has passed (Lambda killed that holder at its deadline). One conditional write decides, so there are never two
# holders. A "done" item is never taken over. Nothing depends on TTL deletion: an expired item that has not been
# deleted yet still answers "held", which is right for its minute.

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
c2l_json_top_string() {
  local rest=$1 want="\"$2\"" tok depth=0 expect_key=0 key="" after_colon=0
  local re='^[[:space:]]*("([^"\\]|\\.)*"|[][{},:]|[^][{},:"[:space:]]+)'
  C2L_JSON_VALUE=
  [[ $rest =~ ^[[:space:]]*\{ ]] || return 1
  while [[ $rest =~ $re ]]; do
    tok=${BASH_REMATCH[1]}
    rest=${rest:${#BASH_REMATCH[0]}}
    case $tok in
      '{' | '[')
        ((depth++))
        if ((depth == 1)); then expect_key=1; fi
        after_colon=0
        ;;
      '}' | ']')
        ((depth--))
        ((depth <= 0)) && break
        ;;
      ',')
        if ((depth == 1)); then expect_key=1; after_colon=0; fi
        ;;
      ':')
        if ((depth == 1)); then after_colon=1; fi
        ;;
      *)
        if ((depth == 1)); then
          if ((expect_key)); then
            key=$tok
            expect_key=0
          elif ((after_colon)) && [[ $key == "$want" && $tok == \"* ]]; then
            tok=${tok#\"}
            C2L_JSON_VALUE=${tok%\"}
            return 0
          fi
        fi
        ;;
    esac
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

# c2l_ddb OPERATION BODY: one signed DynamoDB JSON API call.
# Sets C2L_DDB_STATUS (HTTP status, 000 when no answer) and C2L_DDB_BODY (answer, or curl's error text), and
# C2L_DDB_CURL (curl's exit status). Returns 0 on HTTP 200, 1 otherwise.
c2l_ddb() {
  local op=$1 body=$2 out rc
  local endpoint=${CRON2LAMBDA_DYNAMODB_ENDPOINT:-https://dynamodb.${AWS_REGION}.amazonaws.com}
  local -a token=() then=()
  if [[ -n ${AWS_SESSION_TOKEN:-} ]]; then token=(-H "x-amz-security-token: $AWS_SESSION_TOKEN"); fi
  # C2L_DDB_THEN (optional): a second request for the same curl process, made after this one. bootstrap answers
  # the Runtime API this way, because starting curl costs more than a request does.
  if ((${#C2L_DDB_THEN[@]})); then then=(--next "${C2L_DDB_THEN[@]}" -o /dev/null -w '\nC2L-THEN %{http_code} %{exitcode}\n'); fi
  out=$(curl -sS -X POST "${endpoint%/}/" \
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
      "${CRON2LAMBDA_DYNAMODB_ENDPOINT:-https://dynamodb.${AWS_REGION}.amazonaws.com}" "$C2L_DDB_CURL" "$body"
  else
    printf -v C2L_LOCK_ERROR 'DynamoDB answered HTTP %s: %.300s' "$C2L_DDB_STATUS" "$body"
  fi
}

_c2l_is_conditional_failure() {
  [[ $C2L_DDB_STATUS == 400 && $C2L_DDB_BODY == *ConditionalCheckFailedException* ]]
}

# c2l_lock_acquire KEY HOLDER DEADLINE_MS TTL_EPOCH_S
# Returns 0 = acquired, 1 = held by someone else (ConditionalCheckFailed), 2 = error (C2L_LOCK_ERROR says why).
c2l_lock_acquire() {
  local key holder now table
  c2l_json_escape_to key "$1"
  c2l_json_escape_to holder "$2"
  c2l_json_escape_to table "$CRON2LAMBDA_LOCK_TABLE"
  c2l_now_ms now
  C2L_LOCK_ERROR=
  [[ $3 =~ ^[0-9]+$ && $4 =~ ^[0-9]+$ ]] || { C2L_LOCK_ERROR="bad deadline or ttl: $3 $4"; return 2; }
  if c2l_ddb PutItem "{\"TableName\":\"$table\",\"Item\":{\"key\":{\"S\":\"$key\"},\"state\":{\"S\":\"running\"},\
\"holder\":{\"S\":\"$holder\"},\"deadline\":{\"N\":\"$3\"},\"ttl\":{\"N\":\"$4\"},\"started\":{\"N\":\"$now\"}},\
\"ConditionExpression\":\"attribute_not_exists(#k) OR (#s = :running AND #d < :now)\",\
\"ExpressionAttributeNames\":{\"#k\":\"key\",\"#s\":\"state\",\"#d\":\"deadline\"},\
\"ExpressionAttributeValues\":{\":running\":{\"S\":\"running\"},\":now\":{\"N\":\"$now\"}}}"; then
    return 0
  fi
  if _c2l_is_conditional_failure; then return 1; fi
  _c2l_ddb_problem
  return 2
}

# _c2l_lock_if_holder OPERATION KEY HOLDER EXTRA_JSON: conditional on holder = HOLDER.
# Returns 0 = done, 1 = not the holder any more, 2 = error (C2L_LOCK_ERROR).
_c2l_lock_if_holder() {
  local op=$1 key holder table
  c2l_json_escape_to key "$2"
  c2l_json_escape_to holder "$3"
  c2l_json_escape_to table "$CRON2LAMBDA_LOCK_TABLE"
  C2L_LOCK_ERROR=
  if c2l_ddb "$op" "{\"TableName\":\"$table\",\"Key\":{\"key\":{\"S\":\"$key\"}},\
\"ConditionExpression\":\"#h = :me\"$4}"; then
    return 0
  fi
  if _c2l_is_conditional_failure; then
    C2L_LOCK_ERROR="the lock $2 is no longer held by $3"
    return 1
  fi
  _c2l_ddb_problem
  return 2
}

# c2l_lock_done KEY HOLDER: the run succeeded; the minute stays taken for good (state "done").
c2l_lock_done() {
  local now me
  c2l_now_ms now
  c2l_json_escape_to me "$2"
  _c2l_lock_if_holder UpdateItem "$1" "$2" ",\"UpdateExpression\":\"SET #s = :done, #f = :t\",\
\"ExpressionAttributeNames\":{\"#h\":\"holder\",\"#s\":\"state\",\"#f\":\"finished\"},\
\"ExpressionAttributeValues\":{\":me\":{\"S\":\"$me\"},\":done\":{\"S\":\"done\"},\":t\":{\"N\":\"$now\"}}"
}

# c2l_lock_release KEY HOLDER: the run failed; delete the item so that Lambda's retry of this event can run.
c2l_lock_release() {
  local me
  c2l_json_escape_to me "$2"
  _c2l_lock_if_holder DeleteItem "$1" "$2" ",\"ExpressionAttributeNames\":{\"#h\":\"holder\"},\
\"ExpressionAttributeValues\":{\":me\":{\"S\":\"$me\"}}"
}
