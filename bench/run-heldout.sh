#!/usr/bin/env bash
# The held-out test of docs/analysis-validation.md (issue 17): the 24 scenarios of bench/heldout-scenarios.json, each
# with its own cohort, every strategy 5-fold cross-validated by subject with the development set's budget (12 + 8
# epochs), and the analysis with default options; then the summary (table, Spearman and Kendall's tau, regret,
# 'too little signal', calibration). Hours on 2 cores: run it with nohup. Resumable: every finished step is a line
# of WORK/heldout-results.jsonl, and a rerun skips it. Extra arguments go to analysis-heldout (e.g. --scenarios ID,ID).
# The pretrained model (the transfer study's v2 MRInet) is made first when WORK lacks it, as bench/run-transfer.sh does;
# PRETRAIN_SUBJECTS / PRETRAIN_EPOCHS shrink that pretraining for a smoke run only.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-bench/data/transfer}
PRETRAIN_SUBJECTS=${PRETRAIN_SUBJECTS:-1000}
PRETRAIN_EPOCHS=${PRETRAIN_EPOCHS:-40}
mkdir -p "$WORK" bench/results bench/reference-results
BIN=$(mktemp -d)
# A private copy of the binaries: a rebuild of the solution while this runs must not replace them underneath.
dotnet publish bench/Xai4Mri.Bench -c Release -o "$BIN" -v q -nologo >/dev/null
RUN="dotnet $BIN/Xai4Mri.Bench.dll"
[ -f "$WORK/pretrained-mrinet-bn.x4m" ] || $RUN transfer-pretrain --work "$WORK" --subjects "$PRETRAIN_SUBJECTS" --epochs "$PRETRAIN_EPOCHS" \
  --learning-rate 5e-4 --patience 12 --batch-norm --augment --name pretrained-mrinet-bn | tee -a "$WORK/pretrain-bn.log"
$RUN analysis-heldout --work "$WORK" --results "$WORK/heldout-results.jsonl" --summary "$WORK/heldout-summary.md" "$@" | tee -a "$WORK/heldout.log"
# The files docs/analysis-validation.md cites, where git tracks them (bench/results is ignored): only from a run of the
# whole manifest with the documented settings, never from a subset or a smoke run.
if [ $# -eq 0 ] || [ "$*" = "--summary-only" ]; then
  cp "$WORK/heldout-results.jsonl" "$WORK/heldout-summary.md" bench/reference-results/
fi
