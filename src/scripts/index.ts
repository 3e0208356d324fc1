// Public surface of the script analysis.
export { analyzeJob, type JobAnalysis } from './analyze.js';
export { bundleJob, TASK_ROOT, type BundleResult, type BundledFile, type BundleReason, type JobInput, type Trace, type CommandUse, type RedirectUse, type AssignUse, type LoopUse, type SecretUse, type WordInfo } from './bundle.js';
export * from './findings.js';
export { parseFlock, overlapFromFlocks, applyOverride, overlapEnvironment, type Overlap, type OverlapOverride, type OverlapPolicy, type OverlapSource, type FlockUse } from './flock.js';
export { memoryReader, rootReader, resolveUnderRoot, type FileReader, type FileStat } from './reader.js';
export { isAvailableOnAl2023, COREUTILS, BASH_BUILTINS, SYSTEM_DIRS, CRON_DEFAULT_PATH } from './al2023.js';
