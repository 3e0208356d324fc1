// The sentences of problems found while packaging a job (src/package) and of quotas a migrate run would pass
// (src/aws/preflight.ts); both are values until they get here.
import type { QuotaProblem } from '../aws/preflight.js';
import type { OutBlocker, PackageProblem, PackageProblemArgs } from '../model/reasons.js';

const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;

const MOVE_IT = 'move it out of / on the server (and change the crontab line), then package again';

function collisionText(a: PackageProblemArgs['bundle-path-collision']): string {
  if (a.dir === a.path) {
    return a.serverPath !== undefined
      ? `the server file ${a.serverPath} would take the place of the runtime's own ${a.path} at the root of the zip; ${MOVE_IT}`
      : `two zip entries are named ${a.path}`;
  }
  if (a.serverPath !== undefined && a.serverDir === undefined) {
    return `the server file ${a.serverPath} needs a directory where the runtime's own file ${a.dir} is in the zip; ${MOVE_IT}`;
  }
  if (a.serverDir !== undefined && a.serverPath === undefined) {
    return `the server file ${a.serverDir} is where the runtime's own ${a.path} needs a directory in the zip; ${MOVE_IT}`;
  }
  return `zip entries ${a.dir} and ${a.path} cannot both exist (a file where a directory is needed)`;
}

const KEEP_OUT = 'cron2lambda replaces only files it wrote (remove it or choose another --out)';
/** A path that is not a regular file, said as what it is (also in outdir.ts's own errors). */
export const FILE_TYPE_TEXT = { directory: 'a directory', symlink: 'a symbolic link', other: 'not a regular file' } as const;

function outBlockerText(a: OutBlocker): string {
  if (a.taken === 'foreign-name') return `${a.path} is not a name cron2lambda writes`;
  if (a.taken === 'not-a-file') return `${a.path} is ${FILE_TYPE_TEXT[a.type]}; ${KEEP_OUT}`;
  return `${a.path} exists and no manifest.json of a previous run in ${a.dir} lists it; ${KEEP_OUT}`;
}

const PACKAGE_TEXT: { [C in keyof PackageProblemArgs]: (a: PackageProblemArgs[C]) => string } = {
  'bundle-path-collision': collisionText,
  'environment-too-large': (a) => `the function's environment is ${a.bytes} bytes; Lambda allows ${a.limit}`,
  'zip-too-large': (a) => `the zip is ${mb(a.bytes)}; Lambda accepts at most ${mb(a.limit)} uploaded directly`,
  'unzipped-too-large': (a) => `the function unzipped is ${mb(a.bytes)}; Lambda allows at most ${mb(a.limit)} (function and layers)`,
  'cannot-package': (a) => a.error,
  'out-path-taken': outBlockerText,
};

export function packageProblemText(p: PackageProblem): string {
  return (PACKAGE_TEXT[p.code] as (a: PackageProblem['args']) => string)(p.args);
}

const QUOTA_TEXT: Record<QuotaProblem['code'], (a: QuotaProblem['args']) => string> = {
  'role-quota': (a) => `IAM roles: the account has ${a.used} of ${a.quota}; this run would add ${a.adding}. Ask for a higher quota, or give --role-arn to use one role for every job`,
  'rule-quota': (a) => `EventBridge rules on the default bus: ${a.used} of ${a.quota}; this run would add ${a.adding}. Ask for a higher quota (then give --rules-quota N), or migrate fewer jobs at a time`,
  'schedule-quota': (a) => `EventBridge Scheduler schedules: ${a.used} of ${a.quota}; this run would add ${a.adding}. Ask for a higher quota`,
  'code-storage': (a) => `Lambda code storage: ${a.used} of ${a.quota} bytes used; this run would add ${a.adding}. Delete old function versions or layers, or ask for a higher quota`,
};

export function quotaProblemText(p: QuotaProblem): string {
  return QUOTA_TEXT[p.code](p.args);
}
