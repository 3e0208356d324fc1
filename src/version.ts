import { createRequire } from 'node:module';

// Read from package.json so `--version` and generated files always agree with the published package.
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
