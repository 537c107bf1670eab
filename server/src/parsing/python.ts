// Loads web-tree-sitter and the Python grammar once per process; everything else asks here for a parser.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, Query } from 'web-tree-sitter';

export type { Node, Tree, Query, QueryMatch, Edit, Point } from 'web-tree-sitter';

let loading: Promise<PythonGrammar> | undefined;

export interface PythonGrammar {
  language: Language;
  /** A parser bound to Python; parsers are cheap, but keep one per thread of work. */
  newParser(): Parser;
  /** Compiles a query; throws QueryError on a bad query. */
  query(source: string): Query;
}

/** Directories that may hold the two wasm files: beside the bundle, or in node_modules when run from source. */
function wasmDirs(): { runtime: string; grammar: string } {
  const here = __dirname;
  if (fs.existsSync(path.join(here, 'tree-sitter-python.wasm'))) return { runtime: here, grammar: here };
  const runtime = path.dirname(require.resolve('web-tree-sitter/web-tree-sitter.wasm'));
  const grammar = path.dirname(require.resolve('tree-sitter-python/package.json'));
  return { runtime, grammar };
}

export function loadPython(): Promise<PythonGrammar> {
  loading ??= (async () => {
    const dirs = wasmDirs();
    await Parser.init({ locateFile: (name: string) => path.join(dirs.runtime, name) });
    const language = await Language.load(path.join(dirs.grammar, 'tree-sitter-python.wasm'));
    return {
      language,
      newParser() {
        const p = new Parser();
        p.setLanguage(language);
        return p;
      },
      query(source: string) {
        return new Query(language, source);
      },
    };
  })();
  return loading;
}
