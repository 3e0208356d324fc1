// The host a crontab belongs to: part of every job's identity, of its lock key and of its AWS resource names.
// Pure: the CLI reads <root>/etc/hostname and the machine's hostname and passes them in.

/** A host name as given (--host, /etc/hostname): 1-253 of letters, digits, '.', '-', '_'. */
const HOST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

export function isValidHost(name: string): boolean {
  return HOST.test(name);
}

export type HostSource = 'flag' | 'etc-hostname' | 'root' | 'machine';

/**
 * --host, else the first line of <root>/etc/hostname, else the last component of --root (a copy of the server's
 * filesystem is usually named after it), else this machine's hostname (the tool runs on the server itself).
 * Lowercased: DNS names are case-insensitive, and "App01" and "app01" must not make two sets of resources.
 */
export function resolveHost(input: { flag?: string; etcHostname?: string | null; root: string; machine: string }): { host: string; source: HostSource } | { error: string } {
  if (input.flag !== undefined) {
    if (!isValidHost(input.flag)) return { error: `--host "${input.flag}" is not a host name (1-253 of letters, digits, '.', '-', '_')` };
    return { host: input.flag.toLowerCase(), source: 'flag' };
  }
  const fromFile = input.etcHostname?.split('\n')[0]?.trim();
  if (fromFile && isValidHost(fromFile)) return { host: fromFile.toLowerCase(), source: 'etc-hostname' };
  const last = input.root.split('/').filter(Boolean).pop();
  if (last && isValidHost(last)) return { host: last.toLowerCase(), source: 'root' };
  const machine = input.machine.trim();
  if (isValidHost(machine)) return { host: machine.toLowerCase(), source: 'machine' };
  return { error: 'cannot tell which host these crontabs belong to: give --host NAME' };
}

/** The host as it appears in job ids and resource names: at most 20 of [a-z0-9-]. The full host is in the hash. */
export function hostLabel(host: string): string {
  const s = host.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 20).replace(/-+$/, '');
  return s || 'host';
}
