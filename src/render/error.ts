// The line for stderr when a command fails outright. A module of its own: main.ts needs it at every start, and
// text.ts (the plan's renderer) would bring the whole planner and the shell parser into `--help`.
import { escapeControls } from './escape.js';
import type { Style } from './style.js';

/** One line for stderr when a command fails outright. */
export function renderError(message: string, style: Style): string {
  return `${style.red('cron2lambda:')} ${escapeControls(message)}\n`;
}
