#!/usr/bin/env bash
# Reading benchmark: our NIfTI reader vs raw GZipStream inflate vs nibabel, on the same files, in one run.
# Needs Debian's python3-nibabel (apt-get install python3-nibabel). Results: bench/results/reading.md
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
REPS=${REPS:-21}
mkdir -p bench/data bench/results
[ -f bench/data/brain_int16.nii.gz ] || "$PY" bench/make_bench_data.py bench/data
dotnet build bench/Xai4Mri.Bench -c Release -v q -nologo >/dev/null
files=(bench/data/brain_float32.nii.gz bench/data/brain_int16.nii.gz)
"$PY" bench/nibabel_read.py "$REPS" "${files[@]}" > bench/results/nibabel.json
{
  echo "# Reading benchmark ($(date -u +%F), $(nproc) cores)"
  echo
  echo "nibabel: $("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["nibabel"], "numpy", d["numpy"])' bench/results/nibabel.json)"
  echo
  dotnet bench/Xai4Mri.Bench/bin/Release/net10.0/linux-x64/Xai4Mri.Bench.dll reading --reps "$REPS" --nibabel-json bench/results/nibabel.json "${files[@]}"
} | tee bench/results/reading.md
