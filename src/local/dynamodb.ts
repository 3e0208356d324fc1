// A local DynamoDB (dynalite, in memory) on 127.0.0.1 with the cron2lambda lock table, for `invoke`, tests and
// benchmarks. Talks the DynamoDB JSON API with fetch: no AWS SDK needed.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);

type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  path?: string;
}) => Server;

/** A DynamoDB attribute value as the JSON API writes it ({"S": "..."}, {"N": "1"}, ...). */
export type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

/** The lock item, decoded (see templates/lock.sh). */
export interface LockItem {
  key: string;
  /** running | done | skipped (the overlap policy skipped the minute). */
  state: string;
  /** Lambda request id of the holder. */
  holder: string;
  /** One per acquisition: the holder's proof of ownership. */
  token: string;
  /** Record version number, new on every write. */
  rvn: string;
  /** Epoch ms when the lease ends unless renewed. */
  lease: number;
  deadline: number;
  ttl: number;
  started: number;
  finished?: number;
}

export class DynamoDbError extends Error {
  override name = 'DynamoDbError';
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** POST one DynamoDB JSON API call to ENDPOINT (a fake SigV4 Authorization header is enough for dynalite). */
export async function dynamoCall<T = Record<string, unknown>>(
  endpoint: string,
  operation: string,
  body: unknown,
  region = 'us-east-1',
): Promise<T> {
  const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const res = await fetch(`${endpoint.replace(/\/$/, '')}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': `DynamoDB_20120810.${operation}`,
      'X-Amz-Date': now,
      Authorization: `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/${now.slice(0, 8)}/${region}/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) {
    const type = String(json.__type ?? 'Unknown').replace(/^.*#/, '');
    throw new DynamoDbError(type, String(json.message ?? json.Message ?? text), res.status);
  }
  return json as T;
}

/** Plain values from a DynamoDB item: S → string, N → number, BOOL, NULL → null, others as given. */
export function unmarshall(item: Item): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if ('S' in value) out[name] = value.S;
    else if ('N' in value) out[name] = Number(value.N);
    else if ('BOOL' in value) out[name] = value.BOOL;
    else if ('NULL' in value) out[name] = null;
    else out[name] = value;
  }
  return out;
}

export interface LocalDynamoOptions {
  /** Lock table name; default "cron2lambda-locks". */
  tableName?: string;
  region?: string;
}

export class LocalDynamoDb {
  private constructor(
    private readonly server: Server,
    readonly tableName: string,
    readonly region: string,
  ) {}

  /** Starts dynalite (in memory) on 127.0.0.1 and a random port and creates the lock table. */
  static async start(options: LocalDynamoOptions = {}): Promise<LocalDynamoDb> {
    const dynalite = require('dynalite') as DynaliteFactory;
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const db = new LocalDynamoDb(server, options.tableName ?? 'cron2lambda-locks', options.region ?? 'us-east-1');
    await db.createLockTable();
    return db;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** For CRON2LAMBDA_DYNAMODB_ENDPOINT / --endpoint-url. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  call<T = Record<string, unknown>>(operation: string, body: unknown): Promise<T> {
    return dynamoCall<T>(this.endpoint, operation, body, this.region);
  }

  /** The lock table: one string hash key named `key`, on-demand. (TTL is not emulated by dynalite.) */
  async createLockTable(name = this.tableName): Promise<void> {
    await this.call('CreateTable', {
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  }

  async getItem(key: string, table = this.tableName): Promise<Record<string, unknown> | undefined> {
    const res = await this.call<{ Item?: Item }>('GetItem', { TableName: table, Key: { key: { S: key } }, ConsistentRead: true });
    return res.Item ? unmarshall(res.Item) : undefined;
  }

  async getLock(key: string, table = this.tableName): Promise<LockItem | undefined> {
    return (await this.getItem(key, table)) as LockItem | undefined;
  }

  async putItem(item: Item, table = this.tableName): Promise<void> {
    await this.call('PutItem', { TableName: table, Item: item });
  }

  /** All items of the table, decoded, sorted by key. */
  async scan(table = this.tableName): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Item | undefined;
    do {
      const res = await this.call<{ Items: Item[]; LastEvaluatedKey?: Item }>('Scan', {
        TableName: table,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      });
      items.push(...res.Items.map(unmarshall));
      start = res.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => String(a.key).localeCompare(String(b.key)));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Starts dynalite on 127.0.0.1 (random port) with the lock table. */
export function startLocalDynamoDb(options: LocalDynamoOptions = {}): Promise<LocalDynamoDb> {
  return LocalDynamoDb.start(options);
}
