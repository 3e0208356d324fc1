// Test support: the DynamoDB control plane (awsJson 1.0, DynamoDB_20120810.*) the lock table needs. The data plane
// is dynalite's (see src/local/dynamodb.ts).
import { randomUUID } from 'node:crypto';
import { tagList, tagMap, type Ctx, type JsonService, type Wire } from './service.js';
import type { Table } from './state.js';
import { AwsError } from './types.js';

function findTable(ctx: Ctx, name: string): Table {
  const t = ctx.account.tables.get(name);
  if (!t) throw new AwsError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`, 400);
  return t;
}

function tableByArn(ctx: Ctx, arn: string): Table {
  for (const t of ctx.account.tables.values()) if (t.arn === arn) return t;
  throw new AwsError('ResourceNotFoundException', `Requested resource not found: ResourcArn: ${arn} not found`, 400);
}

const creating = (ctx: Ctx, t: Table) => ctx.account.now() < t.activeAt;

function description(ctx: Ctx, t: Table): Record<string, unknown> {
  return {
    TableName: t.name,
    TableStatus: creating(ctx, t) ? 'CREATING' : 'ACTIVE',
    CreationDateTime: t.createdAt / 1000,
    KeySchema: t.keySchema,
    AttributeDefinitions: t.attributeDefinitions,
    ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
    TableSizeBytes: 0,
    ItemCount: 0,
    TableArn: t.arn,
    TableId: t.id,
    BillingModeSummary: { BillingMode: t.billingMode, LastUpdateToPayPerRequestDateTime: t.createdAt / 1000 },
    DeletionProtectionEnabled: false,
  };
}

export const dynamodb: JsonService = {
  protocol: 'json',
  version: '1.0',
  targetPrefix: 'DynamoDB_20120810',
  errorPrefix: 'com.amazonaws.dynamodb.v20120810#',
  ops: {
    CreateTable: (i: Wire, ctx) => {
      const a = ctx.account;
      const name = i.TableName as string;
      if (!name || !/^[a-zA-Z0-9_.-]{3,255}$/.test(name)) {
        throw new AwsError('ValidationException', `1 validation error detected: Value '${name}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`, 400);
      }
      if (a.tables.has(name)) throw new AwsError('ResourceInUseException', `Table already exists: ${name}`, 400);
      if (!Array.isArray(i.KeySchema) || i.KeySchema.length === 0) throw new AwsError('ValidationException', 'No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key', 400);
      const billingMode = (i.BillingMode as string | undefined) ?? 'PROVISIONED';
      if (billingMode === 'PROVISIONED' && !i.ProvisionedThroughput) throw new AwsError('ValidationException', 'One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED', 400);
      const now = a.now();
      const t: Table = {
        name,
        arn: `arn:aws:dynamodb:${ctx.region}:${a.accountId}:table/${name}`,
        id: randomUUID(),
        createdAt: now,
        activeAt: now + a.timings.tableCreatingMs,
        keySchema: i.KeySchema,
        attributeDefinitions: i.AttributeDefinitions ?? [],
        billingMode,
        tags: tagMap(i.Tags),
      };
      a.tables.set(name, t);
      return { TableDescription: description(ctx, t) };
    },
    ListTables: (i: Wire, ctx) => {
      const names = [...ctx.account.tables.keys()].sort().filter((n) => !i.ExclusiveStartTableName || n > i.ExclusiveStartTableName);
      const limit = Math.min(i.Limit ?? 100, 100);
      return { TableNames: names.slice(0, limit), LastEvaluatedTableName: names.length > limit ? names[limit - 1] : undefined };
    },
    DescribeTable: (i: Wire, ctx) => ({ Table: description(ctx, findTable(ctx, i.TableName)) }),
    DeleteTable: (i: Wire, ctx) => {
      const t = findTable(ctx, i.TableName);
      if (creating(ctx, t)) throw new AwsError('ResourceInUseException', `Attempt to change a resource which is still in use: Table is being created: ${t.name}`, 400);
      ctx.account.tables.delete(t.name);
      return { TableDescription: { ...description(ctx, t), TableStatus: 'DELETING' } };
    },
    UpdateTimeToLive: (i: Wire, ctx) => {
      const t = findTable(ctx, i.TableName);
      if (creating(ctx, t)) throw new AwsError('ResourceInUseException', `Attempt to change a resource which is still in use: Table is being created: ${t.name}`, 400);
      const spec = i.TimeToLiveSpecification as { Enabled: boolean; AttributeName: string };
      if (spec.Enabled && t.ttl?.enabled) throw new AwsError('ValidationException', 'TimeToLive is already enabled', 400);
      if (!spec.Enabled && !t.ttl?.enabled) throw new AwsError('ValidationException', 'TimeToLive is already disabled', 400);
      t.ttl = { attributeName: spec.AttributeName, enabled: spec.Enabled };
      return { TimeToLiveSpecification: spec };
    },
    DescribeTimeToLive: (i: Wire, ctx) => {
      const t = findTable(ctx, i.TableName);
      return { TimeToLiveDescription: t.ttl?.enabled ? { TimeToLiveStatus: 'ENABLED', AttributeName: t.ttl.attributeName } : { TimeToLiveStatus: 'DISABLED' } };
    },
    TagResource: (i: Wire, ctx) => {
      tagMap(i.Tags, tableByArn(ctx, i.ResourceArn).tags);
      return {};
    },
    UntagResource: (i: Wire, ctx) => {
      const t = tableByArn(ctx, i.ResourceArn);
      for (const k of (i.TagKeys ?? []) as string[]) t.tags.delete(k);
      return {};
    },
    ListTagsOfResource: (i: Wire, ctx) => ({ Tags: tagList(tableByArn(ctx, i.ResourceArn).tags) }),
  },
};
