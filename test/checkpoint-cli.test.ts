// Nothing lost, as a user meets it (scripts/train.ts as a subprocess):
// - a run killed with SIGKILL at seeded random points and resumed with --resume ends with the
//   uninterrupted run's model bytes, in every mode, resumed with another thread count;
// - SIGINT / SIGTERM stop between steps, write a checkpoint, print one line with the command that
//   resumes (which then gives the same bytes) and exit 130 / 143;
// - a diverging run exits 3 with one line, writes no model, and leaves the last good checkpoint;
// - a checkpoint of another config is refused naming the flag, exit 2.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng } from '../src/rng.ts';
import { CHECKPOINT_FILE, readCheckpoint } from '../src/model/checkpoint.ts';
import { tempDir, writeFixtureDataset } from './idx-fixtures.ts';

const TRAIN = join('scripts', 'train.ts');

function runSync(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', TRAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Steps done according to the checkpoint in dir (read from its header only), or -1 if there is none yet. */
function checkpointSteps(dir: string, perEpoch: number, epochs: number): number {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return -1;
  const fd = openSync(path, 'r');
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const header = Buffer.alloc(Number(len.readBigUInt64LE(0)));
    readSync(fd, header, 0, header.length, 8);
    const c = JSON.parse(JSON.parse(header.toString('utf8')).__metadata__.state) as { phase: number; epoch: number; step: number };
    return (c.phase * epochs + c.epoch) * perEpoch + c.step;
  } finally {
    closeSync(fd);
  }
}

/** Start a run and SIGKILL it once its checkpoint shows at least `k` steps; resolves to how it ended. */
function killAfter(
  args: string[], dir: string, k: number, perEpoch: number, epochs: number,
): Promise<{ signal: string | null; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', TRAIN, ...args], { stdio: 'ignore' });
    const poll = setInterval(() => {
      try {
        if (checkpointSteps(dir, perEpoch, epochs) >= k) child.kill('SIGKILL');
      } catch {
        // the file is being replaced; try again
      }
    }, 2);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal });
    });
  });
}

/** Start a run and send `signal` once its checkpoint shows at least one step; resolves to its exit and stderr. */
function signalAfterFirstCheckpoint(args: string[], dir: string, signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', TRAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '', sent = false;
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const poll = setInterval(() => {
      if (!sent && existsSync(join(dir, CHECKPOINT_FILE))) {
        sent = true;
        child.kill(signal);
      }
    }, 2);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
  });
}

// 1000 fixture images of 28×28 (faster to load than MNIST) in batches of 50: 20 steps per
// epoch, 2 epochs; a checkpoint after every step.
const data = tempDir('ckcli-data');
writeFixtureDataset(data.dir, { trainCount: 1000, testCount: 200, rows: 28, cols: 28 });
after(() => data.cleanup());
const PER_EPOCH = 20, EPOCHS = 2;
const BASE = ['--data-dir', data.dir, '--batch-size', '50', '--epochs', String(EPOCHS), '--quiet', '--seed', '3'];
const MODES: Record<string, { args: string[]; killThreads: string; resumeThreads: string; points: number }> = {
  supervised: { args: ['--layers', '784,200,200'], killThreads: '1', resumeThreads: '2', points: 3 },
  unsupervised: { args: ['--mode', 'unsupervised', '--layers', '784,100,100,100'], killThreads: '2', resumeThreads: '1', points: 1 },
  recurrent: {
    args: ['--mode', 'recurrent', '--layers', '784,100,100', '--iterations', '4', '--score-iterations', '2,3'],
    killThreads: '1', resumeThreads: '2', points: 1,
  },
};

for (const [mode, m] of Object.entries(MODES)) {
  test(`SIGKILL at ${m.points} seeded point(s), then --resume: the uninterrupted run's model bytes ` +
    `(${mode}, ${m.killThreads} → ${m.resumeThreads} threads)`, async (t) => {
    const { dir, cleanup } = tempDir(`kill-${mode}`);
    try {
      const whole = runSync([...BASE, ...m.args, '--threads', '2', '--save', join(dir, 'whole.safetensors')]);
      assert.equal(whole.code, 0, whole.stderr);
      const rng = makeRng(3, `kill-points:${mode}`);
      for (let p = 0; p < m.points; p++) {
        const k = 1 + rng.int(PER_EPOCH * EPOCHS / 2); // in the first half, so the kill lands before the end
        const ck = join(dir, `ck${p}`), model = join(dir, `resumed${p}.safetensors`);
        const args = [...BASE, ...m.args, '--checkpoint', ck, '--checkpoint-every', '1', '--save', model];
        const killed = await killAfter([...args, '--threads', m.killThreads], ck, k, PER_EPOCH, EPOCHS);
        assert.equal(killed.signal, 'SIGKILL', `the run ended before the kill after step ${k}`);
        assert.ok(!existsSync(model), 'a killed run wrote no model');
        const at = checkpointSteps(ck, PER_EPOCH, EPOCHS);
        assert.ok(at >= k && at < PER_EPOCH * EPOCHS, `checkpoint at step ${at}`);
        const resumed = runSync([...args, '--threads', m.resumeThreads, '--resume', ck]);
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(resumed.stdout, new RegExp(`resuming from ${ck}`));
        assert.ok(readFileSync(model).equals(readFileSync(join(dir, 'whole.safetensors'))),
          `${mode}: killed at step ${at} (k = ${k}), resumed: the model differs`);
        assert.deepStrictEqual(readdirSync(ck), [CHECKPOINT_FILE], 'no temporary file is left in the checkpoint folder');
        t.diagnostic(`${mode}: kill asked after step ${k}, checkpoint at step ${at} of ${PER_EPOCH * EPOCHS}; resumed model identical`);
      }
    } finally {
      cleanup();
    }
  });
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal}: one line with the command that resumes, exit ${code}` +
    (signal === 'SIGINT' ? '; that command gives the uninterrupted bytes' : ''), async () => {
    const { dir, cleanup } = tempDir(`sig-${signal}`);
    try {
      const args = [...BASE, '--layers', '784,200,200', '--threads', '1'];
      const ck = join(dir, 'ck'), model = join(dir, 'm.safetensors');
      const r = await signalAfterFirstCheckpoint([...args, '--checkpoint', ck, '--checkpoint-every', '2', '--save', model], ck, signal);
      assert.equal(r.code, code, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, new RegExp(`^interrupted: ${signal} at epoch \\d, step \\d+ \\(\\d+ of 40 steps\\); checkpoint in ${ck}; ` +
        `resume with: npx tsx scripts/train.ts .* --resume ${ck}$`));
      assert.ok(!existsSync(model), 'an interrupted run wrote no model');
      assert.ok(readCheckpoint(ck).counters.step > 0, 'the checkpoint was written where the run stopped');
      if (signal === 'SIGTERM') return; // the resume command is run once, for SIGINT
      const command = lines[0]!.split('resume with: npx tsx scripts/train.ts ')[1]!.split(' ');
      const resumed = runSync(command);
      assert.equal(resumed.code, 0, resumed.stderr);
      const whole = runSync([...args, '--save', join(dir, 'whole.safetensors')]);
      assert.equal(whole.code, 0, whole.stderr);
      assert.ok(readFileSync(model).equals(readFileSync(join(dir, 'whole.safetensors'))), 'the resumed model differs');
    } finally {
      cleanup();
    }
  });
}

test('--lr 1e30: exit 3, one line naming layer, epoch and step; no model; the last good checkpoint is intact', () => {
  const { dir, cleanup } = tempDir('diverge');
  try {
    const ck = join(dir, 'ck'), model = join(dir, 'm.safetensors');
    const r = runSync([
      '--data-dir', data.dir, '--layers', '784,32', '--epochs', '1', '--test-limit', '100', '--lr', '1e30', '--quiet', '--save', model,
      '--checkpoint', ck, '--checkpoint-every', '1',
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.deepStrictEqual(r.stderr.trim().split('\n'),
      ['diverged: layer 1 has a non-finite loss (Infinity) at epoch 1, step 2; lower --lr (or --head-lr)']);
    assert.ok(!existsSync(model), 'no model from a diverged run');
    assert.equal(readCheckpoint(ck).counters.step, 1, 'the checkpoint of step 1, the last good one, is there and reads');
  } finally {
    cleanup();
  }
});

test('a checkpoint of another config is refused naming the flag; a missing one; --checkpoint-every alone', () => {
  const { dir, cleanup } = tempDir('refuse');
  try {
    const ck = join(dir, 'ck');
    const args = [
      '--data-dir', data.dir, '--layers', '784,16', '--epochs', '2', '--train-limit', '200', '--test-limit', '50', '--batch-size', '50', '--quiet',
      '--checkpoint', ck,
    ];
    assert.equal(runSync([...args, '--epochs', '1']).code, 0);
    const other = runSync([...args, '--epochs', '1', '--lr', '0.003', '--resume', ck]);
    assert.equal(other.code, 2);
    assert.deepStrictEqual(other.stderr.trim().split('\n'), [
      `error: --resume ${ck}: the checkpoint was made with --lr 0.002, this run has 0.003; only flags that cannot change a weight may differ`,
    ]);
    const missing = runSync([...args, '--resume', join(dir, 'nowhere')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: --resume .*nowhere: .*nowhere\/checkpoint\.safetensors: cannot read file \(ENOENT/);
    const every = runSync(['--checkpoint-every', '5']);
    assert.equal(every.code, 2);
    assert.match(every.stderr, /^error: --checkpoint-every: needs --checkpoint DIR\n$/);
  } finally {
    cleanup();
  }
});
