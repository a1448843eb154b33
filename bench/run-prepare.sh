#!/usr/bin/env bash
# Sharded preparation: 1, 2 and 4 concurrent `xai4mri prepare` processes on one synthetic 2 mm cohort of 200
# subjects into one empty cache (volumes/s, CPU seconds per volume, peak RSS per process), and the per-volume cost and entry size of 1 mm
# scans (182x218x182-like synthetic heads) kept at 1 mm and resampled to 2 mm, for the cluster cost table in docs/cluster.md.
# Results: bench/results/prepare.md
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/data bench/results
dotnet build tools/Xai4Mri.Cli -c Release -v q -nologo >/dev/null
CLI=tools/Xai4Mri.Cli/bin/Release/net10.0/linux-x64/xai4mri.dll
[ -f bench/data/cohort200/participants.tsv ] || dotnet "$CLI" synth --out bench/data/cohort200 --subjects 200 --seed 1 >/dev/null
[ -f bench/data/cohort1mm/participants.tsv ] || dotnet "$CLI" synth --out bench/data/cohort1mm --subjects 24 --seed 1 --voxel-size 1 >/dev/null
work=$(mktemp -d)
{
  echo "# Sharded preparation ($(date -u +%F), $(nproc) cores)"
  echo
  echo "2 mm cohort, 200 subjects, kept at 2 mm (voxel size 2):"
  /usr/bin/python3 bench/prepare_scaling.py "$CLI" bench/data/cohort200/participants.tsv "$work" 2 1 2 4
  echo
  echo "1 mm cohort, 24 subjects, kept at 1 mm (voxel size 1), one process:"
  /usr/bin/python3 bench/prepare_scaling.py "$CLI" bench/data/cohort1mm/participants.tsv "$work" 1 1
  echo
  echo "The same 1 mm cohort resampled to 2 mm, one process:"
  /usr/bin/python3 bench/prepare_scaling.py "$CLI" bench/data/cohort1mm/participants.tsv "$work" 2 1
} | tee bench/results/prepare.md
rm -rf "$work"
