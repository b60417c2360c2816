"""Stepwise: a web playground that shows how a machine learns."""

import os

# All training runs on one thread (app/sessions/worker.py). Left to itself, numpy's BLAS starts
# a thread per core for every matrix product, and those threads spin against the training
# thread, the event loop and each other: on a busy 2-core machine one step of the largest
# network took 60 ms instead of 5, and measuring it 250 ms instead of 3. Set before numpy loads;
# an operator's own value wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

__version__ = "0.1.0"
