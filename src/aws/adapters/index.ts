// One adapter per resource kind.
import type { Adapter } from '../adapter.js';
import type { Kind } from '../model.js';
import { tableAdapter } from './dynamodb.js';
import { ruleAdapter, targetAdapter } from './events.js';
import { makeRoleAdapter, roleAdapter } from './iam.js';
import { scheduleAdapter, scheduleGroupAdapter } from './scheduler.js';
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
  'schedule-group': scheduleGroupAdapter,
  'scheduler-role': makeRoleAdapter('scheduler-role'),
  schedule: scheduleAdapter,
};
