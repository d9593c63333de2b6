/**
 * Which folder may import which (docs/architecture.md, "Layers"): read from the import
 * statements of every .ts file under edge/, drivers/ and protocols/, so a wrong import fails here
 * and names the file, the line and the import instead of surfacing later as a cycle or as an SDK
 * that cannot be published.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

interface ImportLine {
  /** Repo-relative, `/`-separated. */
  file: string;
  line: number;
  specifier: string;
  /** Repo-relative target of a relative specifier; undefined for a package. */
  target: string | undefined;
}

interface Rule {
  name: string;
  /** Files the rule applies to (repo-relative prefix). */
  from: string;
  /** Repo-relative prefixes they must not import. */
  forbidden: string[];
  /** Prefixes allowed although a forbidden prefix covers them. */
  except?: string[];
}

const RULES: Rule[] = [
  { name: 'the CLI does not reach into drivers', from: 'edge/cli/', forbidden: ['drivers/'] },
  // The SDK is a leaf that depends on nothing: anyone may use it, config included.
  {
    name: 'config is below the areas',
    from: 'edge/config/',
    forbidden: ['edge/host/', 'edge/cloud/', 'edge/access/', 'edge/console/'],
    except: ['edge/host/sdk/'],
  },
  { name: 'the driver SDK stands alone', from: 'edge/host/sdk/', forbidden: ['edge/'], except: ['edge/host/sdk/'] },
  { name: 'protocols import no runtime', from: 'protocols/', forbidden: ['edge/', 'drivers/'] },
  { name: 'drivers use only the SDK of edge/', from: 'drivers/', forbidden: ['edge/'], except: ['edge/host/sdk/'] },
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

const posix = (p: string): string => p.split(sep).join('/');

/** Static imports, re-exports, `import type` and `import('…')` with a literal, as TypeScript reads them. */
function importsOf(file: string, text: string): ImportLine[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => {
    const line = text.slice(0, f.pos).split('\n').length;
    const target = f.fileName.startsWith('.') ? posix(relative(ROOT, resolve(ROOT, dirname(file), f.fileName))) : undefined;
    return { file, line, specifier: f.fileName, target };
  });
}

function violations(imports: ImportLine[]): string[] {
  const out: string[] = [];
  for (const i of imports) {
    if (i.target === undefined) continue;
    // A folder import (`../x`) and a file import (`../x.js`) both count as inside `x/`.
    const target = `${i.target}/`;
    for (const r of RULES) {
      if (!i.file.startsWith(r.from)) continue;
      if (!r.forbidden.some((f) => target.startsWith(f))) continue;
      if (r.except?.some((e) => target.startsWith(e))) continue;
      out.push(`${i.file}:${i.line} imports '${i.specifier}' (${r.name})`);
    }
  }
  return out;
}

const all = ['edge', 'drivers', 'protocols'].flatMap((d) =>
  tsFiles(join(ROOT, d)).flatMap((abs) => {
    const file = posix(relative(ROOT, abs));
    return importsOf(file, readFileSync(abs, 'utf8'));
  }),
);

describe('layering', () => {
  it('reads the imports it checks (a scanner that sees nothing would pass everything)', () => {
    const from = (file: string): (string | undefined)[] => all.filter((i) => i.file === file).map((i) => i.target);
    expect(from('edge/runtime.ts')).toContain('edge/config/load.js');
    expect(from('drivers/bacnet-v3/index.ts')).toContain('protocols/bacnet/discover.js');
    const sample = importsOf(
      'drivers/x/a.ts',
      "import type { A } from '../../edge/errors.js';\nexport * from '../../edge/host/sdk/driver.js';\nconst m = await import('../../edge/log.js');\n",
    );
    expect(violations(sample)).toEqual([
      "drivers/x/a.ts:1 imports '../../edge/errors.js' (drivers use only the SDK of edge/)",
      "drivers/x/a.ts:3 imports '../../edge/log.js' (drivers use only the SDK of edge/)",
    ]);
  });

  it('every import follows the layer rules', () => {
    // toEqual([]) prints each offending file:line and import.
    expect(violations(all)).toEqual([]);
  });
});
