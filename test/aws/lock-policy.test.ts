// The function's IAM policy must allow every DynamoDB operation the lock script sends: a call the policy refuses
// turns into Cron2Lambda.LockError on AWS, and neither dynalite nor the local endpoint enforces IAM, so no runtime
// test can see it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobPolicy } from '../../src/aws/policy.js';

const LOCK = readFileSync(join(import.meta.dirname, '../../templates/lock.sh'), 'utf8');

/** Operations named literally where lock.sh calls DynamoDB (directly or through its holder-write helper). */
function lockOperations(): string[] {
  const ops = new Set<string>();
  for (const m of LOCK.matchAll(/(?:_c2l_call|c2l_ddb|_c2l_lock_write_as_holder)\s+([A-Z][a-z]+[A-Z][A-Za-z]*)\b/g)) ops.add(m[1]!);
  return [...ops].sort();
}

describe('the job policy and the lock script', () => {
  it('finds the operations the lock sends (the scan itself works)', () => {
    expect(lockOperations()).toEqual(expect.arrayContaining(['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem']));
  });

  it('allows every one of them, on the job\'s own keys only', () => {
    const doc = jobPolicy({ jobId: 'h-job-0123456789', tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/locks', logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/c2l-h-job', awsActions: [], vpc: false });
    const lock = doc.Statement.find((s) => s.Sid === 'Lock')!;
    const actions = Array.isArray(lock.Action) ? lock.Action : [lock.Action];
    for (const op of lockOperations()) expect(actions).toContain(`dynamodb:${op}`);
    expect(lock.Condition?.['ForAllValues:StringLike']).toEqual({ 'dynamodb:LeadingKeys': 'h-job-0123456789#*' });
    expect(actions.some((a) => /Scan|Query|\*/.test(a))).toBe(false);
  });
});
