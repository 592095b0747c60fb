#!/usr/bin/env python3
"""Runs a command with stdin/stdout redirected, prints wall seconds and peak RSS (KiB) of the process.

usage: measure.py INPUT OUTPUT -- CMD ARGS...
"""
import os
import sys
import time

inp, out = sys.argv[1], sys.argv[2]
cmd = sys.argv[sys.argv.index("--") + 1:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    fi = os.open(inp, os.O_RDONLY)
    fo = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fi, 0)
    os.dup2(fo, 1)
    os.execvp(cmd[0], cmd)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.exit(f"command failed with {code}: {' '.join(cmd)}")
print(f"{elapsed:.4f} {usage.ru_maxrss}")
