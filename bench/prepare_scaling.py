#!/usr/bin/env python3
"""Runs K concurrent `xai4mri prepare` processes (shards 0..K-1 of K) on one study into one empty cache, K = each
value given, and prints per K the wall time, volumes/s over all processes, the CPU time of all processes (user +
system) per volume, and each process's peak RSS (both from wait4's rusage; CPU time holds when the machine is busy,
wall time does not). Usage: prepare_scaling.py CLI_DLL TABLE CACHE_ROOT VOXEL_MM K..."""
import json, os, shutil, subprocess, sys, time

cli, table, root, voxel = sys.argv[1:5]
ks = [int(k) for k in sys.argv[5:]]
rows = sum(1 for _ in open(table)) - 1
results = []
for k in ks:
    cache = os.path.join(root, f"cache-{k}")
    shutil.rmtree(cache, ignore_errors=True)
    start = time.monotonic()
    procs = [subprocess.Popen(["dotnet", cli, "prepare", "--data", table, "--cache", cache, "--shard", f"{i}/{k}", "--voxel-size", voxel],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) for i in range(k)]
    rss, outs, cpu = [], [], 0.0
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        outs.append(p.stdout.read().strip())
        rss.append(usage.ru_maxrss / 1024)   # KiB -> MiB
        cpu += usage.ru_utime + usage.ru_stime
        if p.returncode != 0:
            raise SystemExit(f"shard failed: {outs[-1]}")
    wall = time.monotonic() - start
    entries = [os.path.join(d, f) for d, _, fs in os.walk(cache) for f in fs if f.endswith(".x4mc")]
    size = sum(os.path.getsize(e) for e in entries)
    results.append({"processes": k, "volumes": rows, "seconds": round(wall, 2), "volumes_per_second": round(rows / wall, 2),
                    "cpu_seconds_per_volume": round(cpu / rows, 3),
                    "peak_rss_mib": [round(r) for r in rss], "entries": len(entries), "cache_bytes": size, "outputs": outs})
    print(json.dumps(results[-1]), flush=True)
