// The package as a user installs it: `npm pack` (which builds dist/ first: scripts/build.ts) makes
// the tarball; it is installed into an empty temporary folder with no network (npm --offline: the
// tarball, and its dependencies from npm's cache by the integrity this checkout's lockfile pins).
// There, with no tsx and no TypeScript sources: the README's library example runs as app.mjs on
// plain Node and learns; the same file type-checks as app.ts against the package's .d.ts (and a
// wrong call to the API fails to); and the `bin` does what the scripts do (train, eval, play, help,
// exit codes). Prints the tarball's size and file count and the example's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The first ```js block under the README's "Use it from a program" heading. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const m = /```js\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Use it from a program')));
  assert.ok(m, 'README: no ```js block under "## Use it from a program"');
  return m[1]!;
}

/** Run a command; its status must be `status` (default 0); returns stdout. */
function run(cmd: string, args: string[], opts: SpawnSyncOptions & { status?: number } = {}): { stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  assert.equal(r.status, opts.status ?? 0, `${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal}):\n${r.stderr}\n${r.stdout}`);
  return { stdout: String(r.stdout), stderr: String(r.stderr) };
}

interface LockEntry { version: string; dependencies?: Record<string, string>; dev?: boolean; [k: string]: unknown }

/**
 * The consumer's package.json and package-lock.json: the tarball, @types/node for its type check,
 * and every package they need at the version, address and integrity this checkout's lockfile
 * pins, so that npm installs from its cache alone.
 */
function writeConsumer(dir: string, tarball: string): void {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const ours = lock.packages['']! as unknown as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const manifest = {
    name: 'consumer', private: true, type: 'module',
    dependencies: { 'forward-forward-ts': `file:${tarball}` }, devDependencies: { '@types/node': ours.devDependencies['@types/node']! },
  };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: manifest.dependencies, devDependencies: manifest.devDependencies },
    'node_modules/forward-forward-ts': { version: '0.1.0', resolved: `file:${tarball}`, dependencies: ours.dependencies },
  };
  const visit = (name: string): void => {
    if (packages[`node_modules/${name}`]) return;
    const entry = lock.packages[`node_modules/${name}`];
    assert.ok(entry, `package-lock.json has no node_modules/${name}`);
    const { dev: _dev, ...kept } = entry;
    packages[`node_modules/${name}`] = kept;
    for (const d of Object.keys(entry.dependencies ?? {})) visit(d);
  };
  for (const name of [...Object.keys(ours.dependencies), '@types/node']) visit(name);
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2));
}

test('npm pack → install offline → the README example on plain Node, its types, and the bin', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-package-'));
  try {
    // The tarball: what it holds, and what it must not.
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: REPO }).stdout.replace(/^[^[]*/, '')) as
      { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
    const { filename, size, files } = packed[0]!;
    const paths = files.map((f) => f.path);
    for (const p of [
      'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/linalg/wasm/emit.js',
      'dist/src/linalg/wasm/worker.js', 'dist/src/linalg/wasm/worker-loop.js', 'dist/scripts/forward-forward-ts.js', 'dist/site/page.js',
      'docs/DEFINITIONS.md',
    ]) assert.ok(paths.includes(p), `the tarball lacks ${p}`);
    const stray = paths.filter((p) => /^(test|src|apps|scripts)\/|fixtures|\.safetensors$|\.wasm$|(?<!\.d)\.ts$/.test(p));
    assert.deepEqual(stray, [], 'no sources, tests, fixtures or binaries in the tarball');
    console.log(`# tarball ${filename}: ${(size / 1024).toFixed(0)} kB, ${files.length} files`);

    // Install it into an empty folder with no network.
    const app = join(dir, 'app');
    mkdirSync(app);
    writeConsumer(app, join(dir, filename));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, filename)], { cwd: app });
    assert.ok(!existsSync(join(app, 'node_modules', 'tsx')) && !existsSync(join(app, 'node_modules', 'typescript')), 'no tsx, no TypeScript');

    // The README's example, as app.mjs on plain Node.
    writeFileSync(join(app, 'app.mjs'), readmeExample());
    const out = run(process.execPath, ['app.mjs'], { cwd: app }).stdout;
    console.log(out.trimEnd().split('\n').map((l) => `# app.mjs: ${l}`).join('\n'));
    const errors = (label: string): [number, number] => {
      const m = new RegExp(`^${label} \\{ goodness: ([\\d.e-]+), softmax: ([\\d.e-]+) \\}$`, 'm').exec(out);
      assert.ok(m, `no '${label}' line in:\n${out}`);
      return [Number(m[1]), Number(m[2])];
    };
    const trained = errors('test error'), reloaded = errors('reloaded'), mnist = errors('MNIST test error');
    assert.ok(trained[0] < 0.1 && trained[1] < 0.1, `the example must learn its arrays (chance is 0.9): ${trained}`);
    assert.deepEqual(reloaded, trained, 'the reloaded model gives the trained one\'s errors');
    assert.ok(mnist[0] < 0.3 && mnist[1] < 0.3, `the example must learn MNIST from the installed loader: ${mnist}`);
    assert.ok(existsSync(join(app, 'model.safetensors')));

    // The same file as TypeScript, strict, against the package's declarations; a wrong call must fail.
    writeFileSync(join(app, 'app.ts'), readmeExample());
    writeFileSync(join(app, 'wrong.ts'), "import { train, DEFAULT_CONFIG } from 'forward-forward-ts';\n" +
      'train(DEFAULT_CONFIG, 42);\nexport const epochs: string = DEFAULT_CONFIG.epochs;\n');
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, types: ['node'] },
      files: ['app.ts', 'wrong.ts'],
    }));
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = run(process.execPath, [tsc, '-p', '.'], { cwd: app, status: 2 }).stdout;
    const flagged = checked.split('\n').filter((l) => /error TS\d+/.test(l));
    assert.deepEqual(flagged.map((l) => /^wrong\.ts\((\d+),/.exec(l)?.[1] ?? l), ['2', '3'],
      `app.ts must type-check, and both wrong lines of wrong.ts (a number for a dataset, a number for a string) must fail:\n${checked}`);

    // The bin: help, a training run that saves, eval of its model, a user mistake, the playground.
    const ff = (args: string[], status = 0): { stdout: string; stderr: string } =>
      run('npx', ['--offline', '--no-install', 'forward-forward-ts', ...args], { cwd: app, status });
    assert.match(ff(['--help']).stdout, /^Usage: npx forward-forward-ts COMMAND/);
    assert.match(ff(['train', '--help']).stdout, /^Usage: npx forward-forward-ts train/);
    const trainedOut = ff(['train', '--layers', '784,50', '--epochs', '1', '--train-limit', '1000', '--test-limit', '200',
      '--threads', '2', '--save', 'bin.safetensors', '--quiet']);
    assert.match(trainedOut.stdout, /^test error: goodness \d+\.\d\d%, softmax \d+\.\d\d% \(200 images/m);
    assert.equal(trainedOut.stderr, '', 'the worker threads load the compiled row tasks (no notice)');
    assert.match(ff(['eval', '--model', 'bin.safetensors', '--test-limit', '200']).stdout, /^test error: goodness/m);
    const wrong = ff(['train', '--epochs', 'x'], 2);
    assert.match(wrong.stderr, /^error: --epochs/);
    assert.equal(ff(['frob'], 2).stderr, "error: unknown command 'frob' (one of train, eval, readout, report, inspect, play; --help lists them)\n");
    await checkPlay(app);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `npx forward-forward-ts play --port 0` from the installed package serves the prebuilt page, isolated. */
async function checkPlay(app: string): Promise<void> {
  // Its own process group: npx runs the command in a child of its own, and both must stop.
  const child = spawn('npx', ['--offline', '--no-install', 'forward-forward-ts', 'play', '--port', '0'], {
    cwd: app, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '', err = '';
      child.stdout.on('data', (d) => {
        out += String(d);
        const m = /playground (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.stderr.on('data', (d) => { err += String(d); });
      child.on('exit', (code) => reject(new Error(`play exited with ${code}: ${err}`)));
    });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(await page.text(), /<title>Forward-Forward playground<\/title>/);
    for (const path of ['page.js', 'train-worker.js', 'matmul-worker.js', 'mnist/t10k-labels-idx1-ubyte']) {
      assert.equal((await fetch(url + path)).status, 200, path);
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
  }
}
