#!/usr/bin/env bash
# MRInet training-step throughput: TorchSharp (ours) vs PyTorch 1.13 (Debian's python3-torch), same machine, same
# thread count, batch 4, inputs 45x54x45 and 91x109x91; and inference, TorchSharp vs ONNX Runtime on the exported
# graph. Results: bench/results/training.md
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=${THREADS:-$(nproc)}
mkdir -p bench/results
dotnet build bench/Xai4Mri.Bench -c Release -v q -nologo >/dev/null
{
  echo "# Training benchmark ($(date -u +%F), $(nproc) cores, $THREADS threads)"
  dotnet bench/Xai4Mri.Bench/bin/Release/net10.0/linux-x64/Xai4Mri.Bench.dll training --threads "$THREADS" --shape 45x54x45 --shape 91x109x91
  /usr/bin/python3 bench/pytorch_training.py "$THREADS" 45x54x45 91x109x91
  dotnet bench/Xai4Mri.Bench/bin/Release/net10.0/linux-x64/Xai4Mri.Bench.dll inference --threads "$THREADS" --shape 45x54x45 --shape 91x109x91
} | tee bench/results/training.md
