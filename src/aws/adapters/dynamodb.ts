// The lock table every job shares: on-demand, string hash key `key`, TTL on `ttl`. Created and waited for when
// missing; never deleted (other hosts' jobs may be using it).
import { readOrNull, tagsFromList, waiterConfig, write, type Adapter, type AwsContext } from '../adapter.js';
import { MANAGED_BY, TAG_MANAGED_BY } from '../model.js';
import { dynamodbSdk } from '../sdk.js';

const {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTagsOfResourceCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} = dynamodbSdk;

export const tableAdapter: Adapter = {
  kind: 'table',
  async read(ctx, r) {
    const got = await readOrNull(ctx, () => ctx.clients.dynamodb.send(new DescribeTableCommand({ TableName: r.name })), ['ResourceNotFoundException']);
    const t = got?.Table;
    if (!t) return null;
    const hash = t.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
    const type = t.AttributeDefinitions?.find((a) => a.AttributeName === hash)?.AttributeType;
    const ttl = await write(ctx, 'read', () => ctx.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: r.name })));
    const d = ttl.TimeToLiveDescription;
    const ttlOn = d?.TimeToLiveStatus === 'ENABLED' || d?.TimeToLiveStatus === 'ENABLING';
    const tags = t.TableArn ? tagsFromList((await write(ctx, 'read', () => ctx.clients.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: t.TableArn })))).Tags) : {};
    return {
      kind: 'table',
      name: r.name,
      job: null,
      host: null,
      // Shared by every host: ours when cron2lambda made it, whichever host did.
      owned: tags[TAG_MANAGED_BY] === MANAGED_BY,
      // A key of another type is as wrong as another name: say which.
      attrs: { hashKey: hash === undefined ? null : type === 'S' ? hash : `${hash} (${type})`, ttlAttribute: ttlOn ? (d?.AttributeName ?? null) : null },
      ...(t.TableArn ? { arn: t.TableArn } : {}),
    };
  },
  async create(ctx, d) {
    const tags = Object.entries(d.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    try {
      await write(ctx, `create table ${d.name}`, () =>
        ctx.clients.dynamodb.send(
          new CreateTableCommand({
            TableName: d.name,
            AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
            Tags: tags,
          }),
        ),
      );
    } catch (e) {
      // Another host's migrate made it a moment ago, or our own earlier attempt did: wait for it like ours.
      if ((e as { name?: string }).name !== 'ResourceInUseException') throw e;
    }
    await waitUntilTableExists(waiterConfig(ctx, ctx.clients.dynamodb), { TableName: d.name });
    await enableTtl(ctx, d.name);
  },
  async update(ctx, change) {
    if (change.attrs.some((a) => a.attr === 'ttlAttribute')) await enableTtl(ctx, change.name);
  },
  async delete() {
    // Never: the table holds every host's locks.
  },
};

function enableTtl(ctx: AwsContext, name: string) {
  return write(ctx, `enable TTL on ${name}`, () =>
    ctx.clients.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } })),
  );
}
