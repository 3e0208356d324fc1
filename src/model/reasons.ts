// Typed diagnostics shared by every stage. Text for people is made in src/render only; these carry stable codes.

export interface SourceRef {
  file: string;
  line: number;
  /** The raw line (secrets redacted before anything is printed or written). */
  text: string;
}

export interface Reason {
  /** Stable, machine-readable code (kebab-case). */
  code: string;
  message: string;
  file?: string;
  line?: number;
  /** The crontab field the reason is about: minute, hour, day-of-month, month, day-of-week, user, command, ... */
  field?: string;
}
