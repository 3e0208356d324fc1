// Bundling (see bundle/index.ts): this module is its public face.
export * from './bundle/index.js';
export { UNKNOWN } from './sh/index.js';
