// What `cron2lambda probe` tells people: the runtime it found, the files it wrote, what it cleaned up or left.
import type { RuntimeSnapshot } from '../runtime/snapshot.js';

export function renderProbeSummary(s: RuntimeSnapshot, written: string[], cleanedUp: string[], leftBehind: string[]): string {
  const lines: string[] = [];
  const image = s.image.systemRelease ?? s.image.osRelease.prettyName ?? 'unknown image';
  lines.push(`provided.al2023 in ${s.region ?? '?'} (${s.architecture}, ${s.machine}): ${image}`);
  if (s.runtimeVersionArn) lines.push(`  runtime version  ${s.runtimeVersionArn}`);
  lines.push(`  commands         ${s.commands.length} on PATH`);
  lines.push(`  bash             ${s.bash.version ?? 'unknown'}`);
  lines.push(`  curl             ${s.curl.version ?? 'absent'}${s.curl.awsSigv4 ? ' (has --aws-sigv4)' : ' (no --aws-sigv4: the DynamoDB lock cannot work)'}`);
  lines.push(`  glibc            ${s.glibc.version ?? 'unknown'}`);
  lines.push(`  time zones       ${s.zoneinfo ? '/usr/share/zoneinfo present' : '/usr/share/zoneinfo absent (bundle a TZif file for TZ)'}`);
  lines.push(`  libraries        ${s.libraries.length} shared objects`);
  for (const c of cleanedUp) lines.push(`cleaned up ${c} (left by an earlier probe)`);
  for (const w of written) lines.push(`wrote ${w}`);
  for (const l of leftBehind) lines.push(`could not delete ${l}: the next \`cron2lambda probe\` deletes it`);
  return lines.join('\n') + '\n';
}
