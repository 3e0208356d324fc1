#!/usr/bin/env node
// Thin launcher: the CLI is bundled in dist/bundle/ (built by `npm install` through the prepare script, by `npm test`
// and by `npm pack`; see src/build/bundle.ts).
import { main } from '../dist/bundle/cron2lambda.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
