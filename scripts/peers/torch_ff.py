"""PyTorch's time for the work of this project's FF step and evaluation, on the CPU: the peer of
the 'FF layers step' and '10-label evaluation' rows of `npx tsx scripts/bench.ts --peers`.

The same work as src/bench/training-cases.ts (the PyTorch reference FF's semantics): per layer,
an L2-normalised input, Linear + ReLU, goodness = mean of squares, θ = 2, softplus loss on
B positive and B negative rows, Adam lr 0.03, each layer trained on the layer below's detached
output. Random images of MNIST's shape; the negatives carry a random wrong label. Evaluation:
1000 images, 10 label passes, goodness summed over the layers, argmax.

Needs PyTorch on a real BLAS. On Debian:  apt-get install -y python3-torch libopenblas0-pthread
(without libopenblas0-pthread Debian's torch runs on the reference BLAS and the ratios mean
nothing; the first line says which BLAS the products ran on).
Run:  python3 scripts/peers/torch_ff.py [threads ...]       (default: 1 2)
Env:  DIMS=784,2000,2000,2000,2000  BATCH=1000  STEPS=7
Last line: 'JSON {"engine": "pytorch-ff", "dims", "batch", "blas", "results": {threads: {...}}}'.
"""
import ctypes
import json
import os
import sys

if __name__ == '__main__' and any(not a.isdigit() or int(a) < 1 for a in sys.argv[1:]):  # before importing torch
    asked = sys.argv[1] in ('-h', '--help')
    print(__doc__.strip(), file=sys.stdout if asked else sys.stderr)
    sys.exit(0 if asked else 2)

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guard import median, time_clean  # noqa: E402

CLASSES = 10


class DlInfo(ctypes.Structure):
    _fields_ = [('dli_fname', ctypes.c_char_p), ('dli_fbase', ctypes.c_void_p),
                ('dli_sname', ctypes.c_char_p), ('dli_saddr', ctypes.c_void_p)]


def blas():
    """(OpenBLAS handle or None, one line naming the library whose sgemm_ libtorch calls)."""
    with open('/proc/self/maps') as f:
        torch_libs = [line.split()[-1] for line in f if 'libtorch_cpu' in line]
    if not torch_libs:
        return None, 'BLAS unknown (libtorch_cpu not mapped)'
    try:
        sgemm = ctypes.CDLL(torch_libs[0]).sgemm_
    except AttributeError:
        return None, 'BLAS built into libtorch (no sgemm_ symbol)'
    info = DlInfo()
    if ctypes.CDLL(None).dladdr(ctypes.cast(sgemm, ctypes.c_void_p), ctypes.byref(info)) == 0:
        return None, 'BLAS unknown (dladdr failed)'
    path = os.path.realpath(info.dli_fname.decode())
    try:
        lib = ctypes.CDLL(path)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib, f'sgemm_ from {path} (OpenBLAS, core {lib.openblas_get_corename().decode()})'
    except (OSError, AttributeError):
        return None, f'sgemm_ from {path} (not OpenBLAS: probably the single-threaded reference BLAS)'


def with_label(images, labels):
    """The images with pixels 0..9 replaced by a one-hot of each row's label (at the image's max)."""
    out = images.clone()
    out[:, :CLASSES] = 0.0
    out[torch.arange(images.shape[0]), labels] = images.max()
    return out


class Layer(torch.nn.Module):
    def __init__(self, fan_in, width):
        super().__init__()
        self.linear = torch.nn.Linear(fan_in, width)
        self.adam = torch.optim.Adam(self.linear.parameters(), lr=0.03)

    def forward(self, x):
        return torch.relu(self.linear(x / (x.norm(dim=1, keepdim=True) + 1e-4)))

    def step(self, pos, neg):
        theta = 2.0
        good_pos, good_neg = self(pos).square().mean(1), self(neg).square().mean(1)
        loss = torch.nn.functional.softplus(torch.cat([theta - good_pos, good_neg - theta])).mean()
        self.adam.zero_grad()
        loss.backward()  # pos and neg are detached: only this layer's weights get a gradient
        self.adam.step()


def predict(layers, images):
    with torch.no_grad():
        scores = []
        for label in range(CLASSES):
            h = with_label(images, torch.full((images.shape[0],), label))
            total = torch.zeros(images.shape[0])
            for layer in layers:
                h = layer(h)
                total += h.square().mean(1)
            scores.append(total)
        return torch.stack(scores, 1).argmax(1)


def main():
    dims = [int(d) for d in os.environ.get('DIMS', '784,2000,2000,2000,2000').split(',')]
    batch = int(os.environ.get('BATCH', '1000'))
    steps = int(os.environ.get('STEPS', '7'))
    thread_counts = [int(t) for t in sys.argv[1:]] or [1, 2]
    torch.manual_seed(0)
    images = torch.rand(batch, dims[0])
    labels = torch.randint(0, CLASSES, (batch,))
    wrong = (labels + torch.randint(1, CLASSES, (batch,))) % CLASSES
    pos, neg = with_label(images, labels), with_label(images, wrong)
    test = torch.rand(1000, dims[0])
    layers = [Layer(a, b) for a, b in zip(dims[:-1], dims[1:])]
    openblas, blas_line = blas()
    print(f'torch {torch.__version__} | {blas_line} | dims={dims} batch={batch}', flush=True)
    results = {}
    for threads in thread_counts:
        torch.set_num_threads(threads)
        if openblas is not None:  # Debian's torch does not pass its thread count on to OpenBLAS
            openblas.openblas_set_num_threads(threads)
        x_pos, x_neg, layer_s = pos, neg, []
        for i, layer in enumerate(layers):
            layer.step(x_pos, x_neg)  # untimed: creates Adam's state
            seconds, load, _ = time_clean(lambda: layer.step(x_pos, x_neg), reps=steps, warm=0)
            layer_s.append(median(seconds))
            print(f'threads={threads} layer {i + 1} {dims[i]}->{dims[i + 1]}: step {layer_s[-1] * 1e3:.1f} ms '
                  f'(other processes: {load:.2f} cores)', flush=True)
            with torch.no_grad():
                x_pos, x_neg = layer(x_pos), layer(x_neg)
        seconds, _, _ = time_clean(lambda: predict(layers, test), reps=max(3, steps // 2), warm=1)
        step_s, eval_s = sum(layer_s), median(seconds)
        print(f'threads={threads} all layers step {step_s * 1e3:.1f} ms = {batch / step_s:.0f} examples/s | '
              f'evaluation of 1000 images × 10 labels {eval_s * 1e3:.1f} ms = {1000 / eval_s:.0f} images/s', flush=True)
        results[threads] = {'step_s': step_s, 'layer_step_s': layer_s, 'eval_1000_s': eval_s,
                            'examples_per_s': batch / step_s, 'images_per_s': 1000 / eval_s}
    print('JSON ' + json.dumps({'engine': 'pytorch-ff', 'dims': dims, 'batch': batch, 'blas': blas_line, 'results': results}))


if __name__ == '__main__':
    main()
