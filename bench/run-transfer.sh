#!/usr/bin/env bash
# The transfer experiment of docs/transfer-results.md: pretrain MRInet for age on a synthetic 1,000-subject site-A
# cohort (T1w, 4 mm), then 5-fold cross-validate on site-D target cohorts (FLAIR, 3 mm, PSR, other noise) of N = 60 and
# 120: from scratch, frozen features + FastTree, mono-phase, dual-phase and linear probe then fine-tune, all with the
# same epoch budget; for age (regression) and group (patient vs control). Then the data-path benchmark.
# WORK defaults to bench/data/transfer; everything is cached there, so a rerun skips finished steps.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-bench/data/transfer}
mkdir -p "$WORK" bench/results
BIN=$(mktemp -d)
# A private copy of the binaries: a rebuild of the solution while this runs must not replace them underneath.
dotnet publish bench/Xai4Mri.Bench -c Release -o "$BIN" -v q -nologo >/dev/null
RUN="dotnet $BIN/Xai4Mri.Bench.dll"
# v1 source: MRInet without batch norm, learning rate 1e-3.
[ -f "$WORK/pretrained-mrinet.x4m" ] || $RUN transfer-pretrain --work "$WORK" --subjects 1000 --epochs 30 | tee "$WORK/pretrain.log"
# v2 source: batch norm, flips and shifts, learning rate 5e-4.
[ -f "$WORK/pretrained-mrinet-bn.x4m" ] || $RUN transfer-pretrain --work "$WORK" --subjects 1000 --epochs 40 --learning-rate 5e-4 --patience 12 \
  --batch-norm --augment --name pretrained-mrinet-bn | tee "$WORK/pretrain-bn.log"
$RUN transfer-compare --work "$WORK" --target age --n 60,120 | tee bench/results/transfer-age.md
$RUN transfer-compare --work "$WORK" --target group --n 60,120 --strategies scratch,features,mono,dual | tee bench/results/transfer-group.md
$RUN transfer-compare --work "$WORK" --target age --n 60,120 --pretrained pretrained-mrinet-bn --strategies features,mono,dual | tee bench/results/transfer-age-v2.md
$RUN datapath --work "$WORK" --subjects 200 --epochs 4 --repeats 3 | tee bench/results/datapath.md
