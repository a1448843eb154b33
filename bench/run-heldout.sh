#!/usr/bin/env bash
# The held-out test of docs/analysis-validation.md (issue 17): the 24 scenarios of bench/heldout-scenarios.json, each
# with its own cohort, every strategy 5-fold cross-validated by subject with the development set's budget (12 + 8
# epochs), and the analysis with default options; then the summary (table, Spearman and Kendall's tau, regret,
# 'too little signal', calibration). Hours on 2 cores: run it with nohup. Resumable: every finished step is a line
# of WORK/heldout-results.jsonl, and a rerun skips it. Extra arguments go to analysis-heldout (e.g. --scenarios ID,ID).
# The pretrained model (the transfer study's v2 MRInet) is made first when WORK lacks it, as bench/run-transfer.sh does;
# PRETRAIN_SUBJECTS / PRETRAIN_EPOCHS shrink that pretraining for a smoke run only.
# The whole run outlasts one working session on a machine that does not keep bench/data, so a run of the whole
# manifest keeps its state where git tracks it, in bench/reference-results/heldout-partial/: the pretrained model
# (made once, so every session judges the same network) and the results so far, copied there every few minutes.
# A later run on a fresh checkout starts from them and goes on where the last one stopped.
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
PARTIAL=bench/reference-results/heldout-partial
FULL=0
if [ $# -eq 0 ]; then FULL=1; fi
if [ $FULL = 1 ] && [ -d "$PARTIAL" ]; then
  for f in pretrained-mrinet-bn.x4m pretrain-bn.log heldout-results.jsonl; do
    [ -f "$WORK/$f" ] || [ ! -f "$PARTIAL/$f" ] || cp "$PARTIAL/$f" "$WORK/$f"
  done
fi
[ -f "$WORK/pretrained-mrinet-bn.x4m" ] || $RUN transfer-pretrain --work "$WORK" --subjects "$PRETRAIN_SUBJECTS" --epochs "$PRETRAIN_EPOCHS" \
  --learning-rate 5e-4 --patience 12 --batch-norm --augment --name pretrained-mrinet-bn | tee -a "$WORK/pretrain-bn.log"
if [ $FULL = 1 ]; then
  mkdir -p "$PARTIAL"
  cp "$WORK/pretrained-mrinet-bn.x4m" "$PARTIAL/"
  [ ! -f "$WORK/pretrain-bn.log" ] || cp "$WORK/pretrain-bn.log" "$PARTIAL/"
  # Whole lines only (a copy taken mid-append would end in half a line), renamed into place.
  ( while sleep 300; do
      [ ! -f "$WORK/heldout-results.jsonl" ] || { grep -a '}$' "$WORK/heldout-results.jsonl" > "$PARTIAL/.results.tmp" && mv "$PARTIAL/.results.tmp" "$PARTIAL/heldout-results.jsonl"; }
    done ) &
  KEEPER=$!
  trap 'kill $KEEPER 2>/dev/null || true' EXIT
fi
$RUN analysis-heldout --work "$WORK" --results "$WORK/heldout-results.jsonl" --summary "$WORK/heldout-summary.md" "$@" | tee -a "$WORK/heldout.log"
# The files docs/analysis-validation.md cites, where git tracks them (bench/results is ignored): only from a run of the
# whole manifest with the documented settings, never from a subset or a smoke run.
# Issue 17 item 3, after the documented run: the transfer strategies with a fixed epoch budget (no validation split,
# no early stopping) on the held-out scenarios of N <= 120 listed here, against their 10 % runs above.
SMALL=f-age-20,b-age2-30,c-age-40,b-age-60,c-age3-noise50-60,e-age-100,b-lesion8-100,c-age4-120
if [ $# -eq 0 ] || [ "$*" = "--summary-only" ]; then
  $RUN analysis-heldout --work "$WORK" --results "$WORK/heldout-results.jsonl" --summary "$WORK/heldout-validation-summary.md" \
    --validation-fraction 0 --scenarios "$SMALL" --strategies probe,mono,dual "$@" | tee -a "$WORK/heldout.log"
  cp "$WORK/heldout-results.jsonl" "$WORK/heldout-summary.md" "$WORK/heldout-validation-summary.md" bench/reference-results/
  cp "$WORK/heldout-results.jsonl" "$PARTIAL/"
fi
