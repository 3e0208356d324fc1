// The one place that knows the parser: web-tree-sitter running tree-sitter-bash (both WebAssembly, no native
// build), pinned to exact versions in package.json. It was chosen by measurement (see bench/plan and issue 11): on
// the fixtures and the scripts of test/ it reads what mvdan-sh read, about 20-40x faster.
//
// It gives back a plain-object copy of tree-sitter's concrete tree (one pass with a cursor, so no wasm object
// outlives the call); convert.ts turns that into the typed tree of ast.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { Language, Parser } from 'web-tree-sitter';

/** A node of tree-sitter's tree; offsets are indices into the parsed JS string. */
export interface CstNode {
  readonly type: string;
  readonly named: boolean;
  readonly field: string | null;
  readonly start: number;
  readonly end: number;
  readonly kids: CstNode[];
  /** An ERROR node or a MISSING token: the text is not valid bash here. */
  readonly error: boolean;
}

const require = createRequire(import.meta.url);

// The grammar's lexer is one very large function: V8's optimizing tier spends about 0.9 s of CPU compiling it in the
// background of every process, for no measurable gain in parsing (measured: 4,000 scripts parse as fast on the
// baseline tier). Every CLI run pays it, so wasm stays on the baseline tier. Set before the module is compiled.
setFlagsFromString('--liftoff-only');

// Top-level await: loading the grammar is asynchronous once, and every parse after it is synchronous, so the pure
// analysis can stay synchronous. Costs ~20 ms at import.
await Parser.init({ wasmBinary: readFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm')) });
const bash = await Language.load(readFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm')));
const parser = new Parser();
parser.setLanguage(bash);

// Type and field names by id, and which types are named, read once: a cursor getter is a call into wasm each time.
const TYPES: readonly string[] = Array.from({ length: bash.nodeTypeCount }, (_, id) => bash.nodeTypeForId(id) ?? 'ERROR');
const NAMED: readonly boolean[] = TYPES.map((_, id) => bash.nodeTypeIsNamed(id));
const FIELDS: readonly (string | null)[] = bash.fields;

export function parseCst(text: string): CstNode {
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const cur = tree.walk();
    // MISSING tokens only exist in a tree with errors; asking every node costs a call
    const checkMissing = tree.rootNode.hasError;
    const read = (): CstNode => {
      const id = cur.nodeTypeId;
      const type = TYPES[id] ?? 'ERROR';
      const node: CstNode = {
        type,
        named: NAMED[id] ?? true,
        field: FIELDS[cur.currentFieldId] ?? null,
        start: cur.startIndex,
        end: cur.endIndex,
        kids: [],
        error: type === 'ERROR' || (checkMissing && cur.nodeIsMissing),
      };
      if (cur.gotoFirstChild()) {
        do node.kids.push(read());
        while (cur.gotoNextSibling());
        cur.gotoParent();
      }
      return node;
    };
    const root = read();
    cur.delete();
    return root;
  } finally {
    tree.delete();
  }
}
