// The one place that knows the parser: web-tree-sitter running tree-sitter-bash (both WebAssembly, no native
// build), pinned to exact versions in package.json. It was chosen by measurement (see bench/plan and issue 11): on
// the fixtures and the scripts of test/ it reads what mvdan-sh read, about 20-40x faster.
//
// It gives back a plain-object copy of tree-sitter's concrete tree (one pass with a cursor, so no wasm object
// outlives the call); convert.ts turns that into the typed tree of ast.ts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
// WebAssembly on the baseline tier (why: v8-flags.ts), set before the grammar is compiled below.
import '../../v8-flags.js';
import { Language, Parser, type Tree, type TreeCursor } from 'web-tree-sitter';

/** A node of tree-sitter's tree; offsets are indices into the parsed JS string. */
export interface CstNode {
  readonly type: string;
  readonly named: boolean;
  readonly field: string | null;
  readonly start: number;
  readonly end: number;
  readonly kids: readonly CstNode[];
  /** An ERROR node or a MISSING token: the text is not valid bash here. */
  readonly error: boolean;
}

const require = createRequire(import.meta.url);


/**
 * The cursor functions of web-tree-sitter's compiled binding. Each reads the cursor from the binding's transfer
 * buffer, and the moves write the moved cursor back there; the TreeCursor class copies the cursor in and out of that
 * buffer around every call (about 20 small calls per node), which cost as much as the parse itself. Read directly, a
 * walk leaves the cursor in the buffer from its start to its end. The binding is the Emscripten module object, which
 * is the options object given to Parser.init (Emscripten's documented way to reach a module's exports).
 */
interface CursorBinding {
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_delete_wasm(tree: number): void;
}
const CURSOR_FUNCTIONS: readonly (keyof CursorBinding)[] = [
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_current_field_id_wasm',
  '_ts_tree_cursor_current_node_is_missing_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
  '_ts_tree_cursor_delete_wasm',
];

// Top-level await: loading the grammar is asynchronous once, and every parse after it is synchronous, so the pure
// analysis can stay synchronous. Costs ~20 ms at import.
const module: Record<string, unknown> = { wasmBinary: readFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm')) };
await Parser.init(module);
/** The binding's cursor functions, or null when this version of web-tree-sitter does not have them all (then TreeCursor). */
const binding: CursorBinding | null = CURSOR_FUNCTIONS.every((f) => typeof module[f] === 'function') ? (module as unknown as CursorBinding) : null;
const bash = await Language.load(readFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm')));
const parser = new Parser();
parser.setLanguage(bash);

// Type and field names by id, and which types are named, read once: a cursor getter is a call into wasm each time.
const TYPES: readonly string[] = Array.from({ length: bash.nodeTypeCount }, (_, id) => bash.nodeTypeForId(id) ?? 'ERROR');
const NAMED: readonly boolean[] = TYPES.map((_, id) => bash.nodeTypeIsNamed(id));
const FIELDS: readonly (string | null)[] = bash.fields;

/** The binding's handle of a tree (its first slot, as web-tree-sitter's own classes pass it). */
const handleOf = (tree: Tree): number => (tree as unknown as { readonly 0: number })[0];

export function parseCst(text: string): CstNode {
  return parseWith(text, binding !== null);
}

/** parseCst through web-tree-sitter's TreeCursor only (`direct` false): for the test that both read the same tree. */
export function parseWith(text: string, direct: boolean): CstNode {
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    // MISSING tokens only exist in a tree with errors; asking every node costs a call. Asked before the walk, which
    // then owns the transfer buffer.
    const checkMissing = tree.rootNode.hasError;
    const cur = tree.walk();
    if (direct && binding !== null) return readDirect(binding, handleOf(tree), checkMissing);
    try {
      return readCursor(cur, checkMissing);
    } finally {
      cur.delete();
    }
  } finally {
    tree.delete();
  }
}

/**
 * How deep a tree is read. Reading it, converting it and every walk of the analysis recurse once per level, so a
 * hostile text nested a thousand levels deep (`((((...`, `$($($(...`) would overflow the stack; hand-written scripts
 * stay far below (the fixtures' deepest is 12 levels).
 */
export const MAX_CST_DEPTH = 256;

/** A text nested deeper than MAX_CST_DEPTH: not read (the caller makes it a parse error of that text). */
export class TooDeepError extends Error {
  override name = 'TooDeepError';
}

/** The children of every leaf: one shared array (about half the nodes of a tree are leaves). */
export const NO_KIDS: readonly CstNode[] = Object.freeze([]);

function node(id: number, field: number, start: number, end: number, missing: boolean, kids: readonly CstNode[]): CstNode {
  const type = TYPES[id] ?? 'ERROR';
  return { type, named: NAMED[id] ?? true, field: FIELDS[field] ?? null, start, end, kids, error: type === 'ERROR' || missing };
}

/** The walk through the binding, from the cursor tree.walk() left in the transfer buffer; frees that cursor. */
function readDirect(b: CursorBinding, t: number, checkMissing: boolean): CstNode {
  const read = (depth: number): CstNode => {
    if (depth > MAX_CST_DEPTH) throw new TooDeepError(`nested more than ${MAX_CST_DEPTH} levels deep`);
    const id = b._ts_tree_cursor_current_node_type_id_wasm(t);
    const field = b._ts_tree_cursor_current_field_id_wasm(t);
    const start = b._ts_tree_cursor_start_index_wasm(t);
    const end = b._ts_tree_cursor_end_index_wasm(t);
    const missing = checkMissing && b._ts_tree_cursor_current_node_is_missing_wasm(t) === 1;
    let kids = NO_KIDS;
    if (b._ts_tree_cursor_goto_first_child_wasm(t) === 1) {
      const list: CstNode[] = [];
      do list.push(read(depth + 1));
      while (b._ts_tree_cursor_goto_next_sibling_wasm(t) === 1);
      b._ts_tree_cursor_goto_parent_wasm(t);
      kids = list;
    }
    return node(id, field, start, end, missing, kids);
  };
  try {
    return read(1);
  } finally {
    // The cursor as the walk left it (its stack may have moved as it grew), not the TreeCursor's stale copy.
    b._ts_tree_cursor_delete_wasm(t);
  }
}

// ---- the tree as numbers, for another thread ----
// A worker thread can parse while this one analyses (cli/parallel-proofs.ts): it sends each tree as one Int32Array
// (moved, not copied), six numbers a node in document order: type id, field id, start, end, missing, child count.
// The ids are the grammar's own, the same in every thread that loads it.
const SLOTS = 6;

/** True when parseFlat can be used (it reads the tree through the binding's cursor functions). */
export const FLAT_TREES: boolean = binding !== null;

/** parseCst's tree as numbers (see above); throws TooDeepError as parseCst does. Needs FLAT_TREES. */
export function parseFlat(text: string): Int32Array {
  if (binding === null) throw new Error('internal error: parseFlat needs the cursor functions of web-tree-sitter');
  const b = binding;
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const checkMissing = tree.rootNode.hasError;
    tree.walk();
    const t = handleOf(tree);
    let buf = new Int32Array(64 * SLOTS);
    let len = 0;
    const read = (depth: number): void => {
      if (depth > MAX_CST_DEPTH) throw new TooDeepError(`nested more than ${MAX_CST_DEPTH} levels deep`);
      if (len + SLOTS > buf.length) {
        const bigger = new Int32Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const at = len;
      len += SLOTS;
      buf[at] = b._ts_tree_cursor_current_node_type_id_wasm(t);
      buf[at + 1] = b._ts_tree_cursor_current_field_id_wasm(t);
      buf[at + 2] = b._ts_tree_cursor_start_index_wasm(t);
      buf[at + 3] = b._ts_tree_cursor_end_index_wasm(t);
      buf[at + 4] = checkMissing && b._ts_tree_cursor_current_node_is_missing_wasm(t) === 1 ? 1 : 0;
      if (b._ts_tree_cursor_goto_first_child_wasm(t) === 1) {
        let count = 0;
        do {
          read(depth + 1);
          count++;
        } while (b._ts_tree_cursor_goto_next_sibling_wasm(t) === 1);
        b._ts_tree_cursor_goto_parent_wasm(t);
        buf[at + 5] = count;
      }
    };
    try {
      read(1);
    } finally {
      b._ts_tree_cursor_delete_wasm(t);
    }
    return buf.slice(0, len);
  } finally {
    tree.delete();
  }
}

/** The tree parseFlat numbered, as parseCst gives it. */
export function inflateCst(flat: Int32Array): CstNode {
  let p = 0;
  const read = (): CstNode => {
    const at = p;
    p += SLOTS;
    const count = flat[at + 5];
    let kids = NO_KIDS;
    if (count > 0) {
      const list: CstNode[] = [];
      for (let k = 0; k < count; k++) list.push(read());
      kids = list;
    }
    return node(flat[at], flat[at + 1], flat[at + 2], flat[at + 3], flat[at + 4] === 1, kids);
  };
  if (flat.length < SLOTS) throw new Error('internal error: an empty flat tree');
  return read();
}

function readCursor(cur: TreeCursor, checkMissing: boolean): CstNode {
  const read = (depth: number): CstNode => {
    if (depth > MAX_CST_DEPTH) throw new TooDeepError(`nested more than ${MAX_CST_DEPTH} levels deep`);
    const [id, field, start, end] = [cur.nodeTypeId, cur.currentFieldId, cur.startIndex, cur.endIndex];
    const missing = checkMissing && cur.nodeIsMissing;
    let kids = NO_KIDS;
    if (cur.gotoFirstChild()) {
      const list: CstNode[] = [];
      do list.push(read(depth + 1));
      while (cur.gotoNextSibling());
      cur.gotoParent();
      kids = list;
    }
    return node(id, field, start, end, missing, kids);
  };
  return read(1);
}
