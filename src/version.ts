import { readFileSync } from 'node:fs';
import { packagePath } from './package-root.js';

// Read from package.json so `--version` and generated files always agree with the published package.
export const VERSION: string = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
