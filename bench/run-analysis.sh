#!/usr/bin/env bash
# The validation of docs/analysis-validation.md: target scenarios with known truth (site-A age, site-D age, group,
# shuffled ages, a random lesion, site-D age at N = 120), each fine-tuned for real with every strategy (5-fold CV),
# then the analysis on each, compared; then the 120-subject 2 mm timing. Needs the transfer study of
# bench/run-transfer.sh in WORK (its source cohort, target cohort and pretrained-mrinet-bn.x4m).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-bench/data/transfer}
mkdir -p bench/results bench/reference-results docs/images
BIN=$(mktemp -d)
# A private copy of the binaries: a rebuild of the solution while this runs must not replace them underneath.
dotnet publish bench/Xai4Mri.Bench -c Release -o "$BIN" -v q -nologo >/dev/null
RUN="dotnet $BIN/Xai4Mri.Bench.dll"
$RUN analysis-outcomes --work "$WORK" | tee "$WORK/outcomes.log"
$RUN analysis-validate --work "$WORK" | tee bench/results/analysis-validation.md
for f in label-distribution intensity-histograms feature-embedding probe-learning-curve; do
  cp "$WORK/report-b/$f.png" "docs/images/analysis-$f.png"
done
$RUN analysis-timing --work "$WORK" --subjects 120 | tee bench/results/analysis-timing.md
# The files docs/analysis-validation.md cites, where git tracks them (bench/results is ignored).
cp "$WORK/analysis-outcomes.tsv" bench/results/analysis-validation.md bench/results/analysis-timing.md bench/reference-results/
