#!/usr/bin/env bash
# Loading benchmark: LoadNifti cold (empty cache) and warm throughput on synthetic 2 mm cohorts of 50, 200 and 800
# subjects, with peak RSS per cohort size, and the nibabel + NumPy equivalent on the 200-subject cohort.
# Needs Debian's python3-nibabel. Results: bench/results/loading.md
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
mkdir -p bench/data bench/results
dotnet build tools/Xai4Mri.Cli -c Release -v q -nologo >/dev/null
dotnet build bench/Xai4Mri.Bench -c Release -v q -nologo >/dev/null
CLI=tools/Xai4Mri.Cli/bin/Release/net10.0/linux-x64/xai4mri.dll
BENCH=bench/Xai4Mri.Bench/bin/Release/net10.0/linux-x64/Xai4Mri.Bench.dll
for n in 50 200 800; do
  [ -f "bench/data/cohort$n/participants.tsv" ] || dotnet "$CLI" synth --out "bench/data/cohort$n" --subjects "$n" --seed 1 >/dev/null
done
cache=$(mktemp -d)
{
  echo "# Loading benchmark ($(date -u +%F), $(nproc) cores)"
  echo
  for threads in 1 2; do
    rm -rf "$cache"/*
    dotnet "$BENCH" loading --cohort bench/data/cohort200 --cache "$cache/c" --threads "$threads"
  done
  for n in 50 800; do
    rm -rf "$cache"/*
    dotnet "$BENCH" loading --cohort "bench/data/cohort$n" --cache "$cache/c" --threads 2
  done
  echo
  echo "nibabel + NumPy (1 thread), 200 subjects:"
  "$PY" bench/nibabel_loading.py 86 74 106 bench/data/cohort200/sub-*/anat/*_T1w.nii.gz
} | tee bench/results/loading.md
rm -rf "$cache"
