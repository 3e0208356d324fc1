// Which words, found where a system crontab has its user field, are user names on the server? Used to tell a
// system crontab read as a user crontab ("looks like a system crontab: use --system"). Pure over the reader.
import type { FileReader } from '../scripts/reader.js';

/** cron's default PATH (cronie: /usr/bin:/bin:/usr/sbin:/sbin; Debian: /usr/bin:/bin). */
const DEFAULT_PATH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/**
 * A word is a user when it is `root` or has a line in the server's /etc/passwd, and is not also a command cron
 * would find on its default PATH in the server copy (Debian has users `sync`, `mail`, `backup`, `man`: a user
 * crontab line `0 * * * * mail -s ...` runs the command `mail`).
 */
export function userWordTest(reader: FileReader | undefined, home: (user: string) => string | null): (word: string) => boolean {
  const cache = new Map<string, boolean>();
  return (word) => {
    let hit = cache.get(word);
    if (hit === undefined) {
      const user = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(word) && (word === 'root' || home(word) !== null);
      const command = user && reader !== undefined && DEFAULT_PATH.some((d) => reader.stat(`${d}/${word}`)?.kind === 'file');
      hit = user && !command;
      cache.set(word, hit);
    }
    return hit;
  };
}
