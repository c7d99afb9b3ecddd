"""numpy's float32 matrix products at the shapes of an FF step of [784, 2000, ...] at batch 1000,
on 1 and 2 OpenBLAS threads: the peer of the wasm kernel in `npx tsx scripts/bench.ts --peers`.

Run:  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 scripts/peers/np_matmul.py
      (those variables would pin OpenBLAS to another CPU's kernel; REPS=9 repetitions per case)
Needs numpy built on OpenBLAS (the wheels from PyPI are). The thread count is set inside the
process through OpenBLAS' own set_num_threads, found next to numpy. Prints one line per case and
a last line 'JSON {"engine": "numpy", "core": ..., "gflops": {"<threads>t <case>": GFLOP/s}}'.
The case names are the keys src/bench/ratios.ts looks up: keep them in step.
"""
import ctypes
import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guard import median, time_clean  # noqa: E402


def openblas():
    """(get_corename, set_num_threads) of the OpenBLAS numpy links, under whichever symbol prefix it uses."""
    root = os.path.dirname(np.__file__)
    libs = glob.glob(os.path.join(root, '..', 'numpy.libs', '*openblas*.so*')) + glob.glob(os.path.join(root, '.libs', '*openblas*.so*'))
    if not libs:
        sys.exit('np_matmul.py: this numpy does not ship OpenBLAS (no numpy.libs/*openblas*.so*); cannot set its thread count')
    lib = ctypes.CDLL(libs[0])
    for prefix in ('scipy_openblas_', 'openblas_'):
        for suffix in ('64_', ''):
            name = prefix + 'get_corename' + suffix
            if hasattr(lib, name):
                corename = getattr(lib, name)
                corename.restype = ctypes.c_char_p
                set_threads = getattr(lib, prefix + 'set_num_threads' + suffix)
                set_threads.argtypes = [ctypes.c_int]
                return (lambda: corename().decode()), set_threads
    sys.exit(f'np_matmul.py: {libs[0]} has no OpenBLAS symbols')


def main():
    if len(sys.argv) > 1:
        print(__doc__.strip())
        sys.exit(0 if sys.argv[1] in ('-h', '--help') else 2)
    corename, set_threads = openblas()
    reps = int(os.environ.get('REPS', '9'))
    rng = np.random.default_rng(0)
    f32 = lambda *shape: rng.standard_normal(shape, dtype=np.float32)  # noqa: E731
    x784, x2000, w784, w2000, dy = f32(1000, 784), f32(1000, 2000), f32(784, 2000), f32(2000, 2000), f32(1000, 2000)
    x500, w500 = f32(2000, 500), f32(500, 500)
    # (name, product, flops). gradW multiplies a transposed VIEW, as dW = x̂ᵀ·dZ does in a step.
    cases = [
        ('fwd 1000x784 @ 784x2000', lambda: x784 @ w784, 2 * 1000 * 784 * 2000),
        ('fwd 1000x2000 @ 2000x2000', lambda: x2000 @ w2000, 2 * 1000 * 2000 * 2000),
        ('gradW X.T @ G (transposed view)', lambda: x2000.T @ dy, 2 * 2000 * 1000 * 2000),
        ('small 2000x500 @ 500x500', lambda: x500 @ w500, 2 * 2000 * 500 * 500),
    ]
    print(f'numpy {np.__version__} | OpenBLAS core {corename()}', flush=True)
    gflops = {}
    for threads in (1, 2):
        set_threads(threads)
        for name, product, flops in cases:
            seconds, load, _ = time_clean(product, reps=reps, warm=2)
            rate = flops / median(seconds) / 1e9
            gflops[f'{threads}t {name}'] = rate
            print(f'threads={threads} {name:34s} median {median(seconds) * 1e3:8.1f} ms {rate:7.1f} GFLOP/s '
                  f'(other processes: {load:.2f} cores)', flush=True)
    print('JSON ' + json.dumps({'engine': 'numpy', 'core': corename(), 'gflops': gflops}))


if __name__ == '__main__':
    main()
