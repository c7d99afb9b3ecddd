// Build the installable package into dist/ (npm pack runs this first, through "prepack"):
//   1. the TypeScript compiler writes JavaScript and .d.ts for src/, apps/ and the commands of
//      scripts/ (tsconfig.build.json; relative imports rewritten from .ts to .js);
//   2. the files the compiler does not copy (plain JavaScript such as the wasm kernel's worker
//      threads, hand-written .d.ts, the playground's index.html) are copied beside them;
//   3. the playground page is bundled once into dist/site/, which the installed `play` command
//      serves (esbuild is a development tool, not a dependency of the package).
// The wasm kernel is not built here: the library emits it from TypeScript when it starts.
//
//   npx tsx scripts/build.ts          # or: npm run build
//   npx tsx scripts/build.ts --help
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '../apps/cli/errors.ts';
import { helpText, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { bundlePlayground } from '../apps/play/bundle.ts';
import { pageFiles, readSite, writeSite } from '../apps/play/site.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(REPO, 'dist');

const USAGE = `Usage: npx tsx scripts/build.ts

Compiles the package into dist/ (JavaScript and type declarations), copies the worker threads'
JavaScript and bundles the playground page into dist/site/. npm pack runs it ("prepack").`;

const FLAGS: Record<string, FlagSpec> = { help: { field: null, kind: 'boolean', help: 'print this help and exit' } };

/** Every file under `dir` whose name passes `keep`, as paths relative to REPO. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .map((p) => join(dir, p)).filter((p) => keep(p) && statSync(join(REPO, p)).isFile());
}

async function main(): Promise<void> {
  if (parseFlags(process.argv.slice(2), FLAGS).help) {
    process.stdout.write(helpText(USAGE, FLAGS));
    return;
  }
  rmSync(OUT, { recursive: true, force: true });

  // 1. JavaScript and declarations.
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(REPO, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`build: the TypeScript compiler failed (exit ${r.status ?? r.signal})`);

  // 2. Files the compiler leaves alone: plain JavaScript, hand-written declarations, the page.
  const asset = (p: string): boolean => !p.endsWith('.ts') || p.endsWith('.d.ts');
  const copies = [...filesUnder('src', asset), ...filesUnder('apps', (p) => asset(p) && !/^apps\/(bench|play\/node-shims)\//.test(p))];
  for (const p of copies) {
    mkdirSync(dirname(join(OUT, p)), { recursive: true });
    copyFileSync(join(REPO, p), join(OUT, p));
  }

  // 3. The playground page, bundled.
  writeSite(join(OUT, 'site'), pageFiles(await bundlePlayground()));

  const js = filesUnder('dist', (p) => p.endsWith('.js')).length, dts = filesUnder('dist', (p) => p.endsWith('.d.ts')).length;
  console.log(`dist/: ${js} JavaScript files, ${dts} declaration files, ${copies.length} copied, ` +
    `the playground page in ${relative(REPO, join(OUT, 'site'))}/ (${readSite(join(OUT, 'site')).size} files)`);
}

await runMain(main);
