// IAM policy documents: the ones a job's role gets, and one normal form so a document read back from IAM (URL-encoded,
// single values unwrapped, keys in any order) compares equal to the one we wrote.
import { MANAGED_BY, TAG_HOST, TAG_MANAGED_BY, type Attr } from './model.js';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { Service: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export const LAMBDA_TRUST: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** Scheduler assumes the host's role only on behalf of this account's schedules (confused-deputy guard). */
export function schedulerTrust(account: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': account } } }],
  };
}

/**
 * Invoke this host's functions and, when given, send to the dead-letter queue. The name pattern alone is not this
 * host's: hosts share a label (`app.prod`, `app-prod`; long names cut at 20) and one host's prefix can begin another's
 * (`c2l-app-*` matches app-01's `c2l-app-01-...`). The functions' own tags (managed-by and cron2lambda:host, the
 * ownership migrate reads) narrow it to this host: lambda:InvokeFunction takes aws:ResourceTag/${TagKey} (Service
 * Authorization Reference, Lambda), and a function's tags apply to its versions and aliases too. Listing each function's
 * ARN instead would change the policy with every job and outgrow the role's 10,240 characters of inline policy at a
 * few dozen jobs.
 */
export function schedulerPolicy(functionArnPattern: string, host: string, deadLetterArn?: string): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: 'Invoke',
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: [functionArnPattern, `${functionArnPattern}:*`],
      Condition: { StringEquals: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: MANAGED_BY, [`aws:ResourceTag/${TAG_HOST}`]: host } },
    },
  ];
  if (deadLetterArn) statements.push({ Sid: 'DeadLetter', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: deadLetterArn });
  return { Version: '2012-10-17', Statement: statements };
}

/** What AWSLambdaVPCAccessExecutionRole grants: Lambda makes and removes the function's network interfaces. */
export const VPC_ACTIONS = [
  'ec2:AssignPrivateIpAddresses',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:UnassignPrivateIpAddresses',
];

export interface JobPolicyInput {
  jobId: string;
  tableArn: string;
  logGroupArn: string;
  /** IAM actions the readiness review found the job's `aws` calls need (aws-cli findings). */
  awsActions: string[];
  vpc: boolean;
}

/**
 * Least privilege for one job: the lock's key-addressed reads and writes on its own keys (`<job>#<minute>`,
 * `<job>#running`), writing to its own log group, the actions its `aws` calls need (on any resource: the review
 * knows the actions, not always the resources), and the network-interface actions only for a function in a VPC.
 */
export function jobPolicy(input: JobPolicyInput): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: 'Lock',
      Effect: 'Allow',
      // GetItem: the lock reads an item back (consistent read) when a write's answer was lost or a condition failed.
      Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      Resource: input.tableArn,
      Condition: {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': `${input.jobId}#*` },
        // ForAllValues is true when the key is absent; these actions always name a key, but say so anyway.
        Null: { 'dynamodb:LeadingKeys': 'false' },
      },
    },
    { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `${input.logGroupArn}:*` },
  ];
  const aws = [...new Set(input.awsActions)].sort();
  if (aws.length > 0) statements.push({ Sid: 'AwsCli', Effect: 'Allow', Action: aws, Resource: '*' });
  if (input.vpc) statements.push({ Sid: 'Vpc', Effect: 'Allow', Action: VPC_ACTIONS, Resource: '*' });
  return { Version: '2012-10-17', Statement: statements };
}

function list(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return [...new Set(Array.isArray(v) ? v : [v])].sort();
}

/** The normal form compared by the diff: arrays for every list-or-single field, sorted; IAM's encoding undone. */
export function normalizePolicy(doc: string | PolicyDocument | undefined | null): Attr {
  if (doc === undefined || doc === null) return null;
  let parsed: unknown = doc;
  if (typeof doc === 'string') {
    let text = doc;
    if (/^%7B/i.test(text.trim())) text = decodeURIComponent(text);
    try {
      parsed = JSON.parse(text);
    } catch {
      return text;
    }
  }
  const d = parsed as { Version?: string; Statement?: unknown };
  const raw = Array.isArray(d.Statement) ? d.Statement : d.Statement ? [d.Statement] : [];
  const statements = (raw as Record<string, unknown>[]).map((s) => {
    const out: Record<string, Attr> = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === 'Action' || k === 'NotAction' || k === 'Resource' || k === 'NotResource') out[k] = list(v as string | string[]) ?? null;
      else if (k === 'Principal' && v && typeof v === 'object') {
        out[k] = Object.fromEntries(Object.entries(v as Record<string, string | string[]>).map(([pk, pv]) => [pk, list(pv) ?? null]));
      } else if (k === 'Condition' && v && typeof v === 'object') {
        out[k] = Object.fromEntries(
          Object.entries(v as Record<string, Record<string, string | string[]>>).map(([op, m]) => [
            op,
            Object.fromEntries(Object.entries(m).map(([ck, cv]) => [ck, list(cv) ?? null])),
          ]),
        );
      } else out[k] = v as Attr;
    }
    return out;
  });
  return { Version: d.Version ?? null, Statement: statements };
}
