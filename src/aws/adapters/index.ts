// One adapter per resource kind.
import type { Adapter } from '../adapter.js';
import type { Kind } from '../model.js';
import { tableAdapter } from './dynamodb.js';
import { ruleAdapter, targetAdapter } from './events.js';
import { roleAdapter } from './iam.js';
import { asyncConfigAdapter, functionAdapter, layerAdapter, permissionAdapter } from './lambda.js';
import { logGroupAdapter } from './logs.js';

export const ADAPTERS: Record<Kind, Adapter> = {
  table: tableAdapter,
  layer: layerAdapter,
  role: roleAdapter,
  'log-group': logGroupAdapter,
  function: functionAdapter,
  'async-config': asyncConfigAdapter,
  rule: ruleAdapter,
  permission: permissionAdapter,
  target: targetAdapter,
};
