// npm run bench: every benchmark, each printing its figures and its ratio against a baseline measured in the same run.
import { run as plan } from './plan.mjs';
import { run as lock } from './lock.mjs';
import { run as output } from './output.mjs';
import { run as apply } from './apply.mjs';
import { run as secrets } from './secrets.mjs';

const results = {};
results.plan = await plan();
console.log('');
results.lock = await lock();
console.log('');
results.output = await output();
console.log('');
results.apply = await apply();
console.log('');
results.secrets = await secrets();
const failed = Object.entries(results).filter(([, r]) => r && r.ok === false).map(([k]) => k);
if (failed.length) {
  console.log(`\ntargets not met: ${failed.join(', ')}`);
  process.exitCode = 1;
}
