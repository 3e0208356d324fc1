// The few error kinds the CLI distinguishes; src/cli/main.ts is the one place that turns them into exit codes.

/** Bad options or arguments: exit 64 (EX_USAGE). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input that has been reported already (the plan or manifest says what and where): exit 1. */
export class InputError extends Error {
  override name = 'InputError';
}

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 64,
  internal: 70,
} as const;
