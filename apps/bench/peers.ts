// The peer benchmarks, scripts/peers/np_matmul.py (numpy's matrix products) and torch_ff.py
// (PyTorch's FF step and evaluation), run as child processes in the same benchmark run so that
// ratios to them are measured under the same conditions. Each prints a last line 'JSON {...}';
// this file runs them and parses that line. A missing python, numpy or torch is reported as 'not
// installed', never as a failure of ours.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** np_matmul.py's result: GFLOP/s keyed '<threads>t <case name>'. */
export interface NumpyResult { engine: 'numpy'; core: string; gflops: Record<string, number> }

/** torch_ff.py's result, per thread count (keys are thread counts as strings). */
export interface TorchResult {
  engine: 'pytorch-ff';
  dims: number[];
  batch: number;
  blas: string;
  results: Record<string, { step_s: number; eval_1000_s: number; examples_per_s: number; images_per_s: number }>;
}

export interface PeerRun<T> {
  name: string; // 'numpy' | 'pytorch'
  command: string; // what was run, for the report
  status: 'ok' | 'not installed' | 'failed';
  note: string; // one line: the reason when not ok, '' otherwise
  output: string[]; // its stdout and stderr lines (printed in the report)
  result: T | null;
}

function runPeer<T>(
  name: string, dir: string, script: string, cmd: string, args: string[], maxWaitS: number, extra: Record<string, string>,
): PeerRun<T> {
  const env = peerEnv(maxWaitS, extra);
  const shown = [...Object.keys(extra), 'GUARD_MAX_WAIT_S', 'GUARD']
    .filter((k) => env[k] !== undefined && env[k] !== process.env[k])
    .map((k) => `${k}=${env[k]} `)
    .join('');
  const command = `cd ${dir} && ${shown}${cmd} ${args.join(' ')}`;
  if (!existsSync(join(dir, script))) {
    return { name, command, status: 'not installed', note: `${join(dir, script)} not found`, output: [], result: null };
  }
  const r = spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').filter((l) => l.trim() !== '');
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { name, command, status: code === 'ENOENT' ? 'not installed' : 'failed', note: r.error.message, output, result: null };
  }
  // Exit 127: `env` found no such python; an ImportError: python has no numpy or torch.
  if (r.status === 127) {
    const note = `${args.find((a) => /python/.test(a)) ?? cmd} not found (exit 127)`;
    return { name, command, status: 'not installed', note, output, result: null };
  }
  const missing = output.find((l) => /ModuleNotFoundError|No module named|ImportError/.test(l));
  if (r.status !== 0 && missing) return { name, command, status: 'not installed', note: missing.trim(), output, result: null };
  const last = (r.stdout ?? '').trimEnd().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('JSON ')) {
    return { name, command, status: 'failed', note: `exit ${r.status ?? r.signal}: ${output[output.length - 1] ?? ''}`, output, result: null };
  }
  return { name, command, status: 'ok', note: '', output: output.filter((l) => !l.startsWith('JSON ')), result: JSON.parse(last.slice(5)) as T };
}

/** Environment of a peer: ours, with its guard's max wait (and GUARD=off when we do not wait). */
function peerEnv(maxWaitS: number, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GUARD_MAX_WAIT_S: String(maxWaitS), ...extra };
  if (maxWaitS <= 0) env.GUARD = 'off';
  return env;
}

/** numpy/OpenBLAS GFLOP/s on 1 and 2 threads, without the OpenBLAS core overrides. */
export function runNumpy(dir: string, python: string, maxWaitS: number, reps: number): PeerRun<NumpyResult> {
  return runPeer<NumpyResult>('numpy', dir, 'np_matmul.py', 'env', ['-u', 'OPENBLAS_CORETYPE', '-u', 'OPENBLAS_L2_SIZE', python, 'np_matmul.py'],
    maxWaitS, { REPS: String(reps) });
}

/** PyTorch's FF layers step and 10-label evaluation for `dims` at `batch`, on each thread count. */
export function runTorch(
  dir: string, python: string, maxWaitS: number, threads: number[], dims: number[], batch: number, steps: number,
): PeerRun<TorchResult> {
  return runPeer<TorchResult>('pytorch', dir, 'torch_ff.py', python, ['torch_ff.py', ...threads.map(String)],
    maxWaitS, { DIMS: dims.join(','), BATCH: String(batch), STEPS: String(steps) });
}
