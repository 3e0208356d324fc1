// mvdan-sh ships no types; src/scripts/shell.ts is the only importer and wraps it with its own types.
declare module 'mvdan-sh' {
  const sh: unknown;
  export default sh;
}
