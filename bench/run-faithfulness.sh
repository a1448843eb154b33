#!/usr/bin/env bash
# Faithfulness of every relevance method on synthetic ground truth (docs/explanations.md): (a) brain age from the
# quickstart's pretrained MRInet on new site-A subjects, regions ventricles and cortex + CSF; (b) a planted-lesion
# detector, a fresh MRInet with batch norm trained on 4 mm FLAIR (site-d) subjects, region the lesion. Region share
# against volume share, AOPC against random orders and seconds per map; the tables go to
# bench/results/faithfulness-{age,lesion}.md, the figures to docs/images/faithfulness-*.png.
# SCENARIOS=age or SCENARIOS=lesion runs one of them (the page's lesion table came from SCENARIOS=lesion, 2026-12-03).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-bench/data/faithfulness}
SCENARIOS=${SCENARIOS:-age,lesion}
mkdir -p "$WORK" bench/results docs/images
BIN=$(mktemp -d)
# A private copy of the binaries: a rebuild of the solution while this runs must not replace them underneath.
dotnet publish bench/Xai4Mri.Bench -c Release -o "$BIN" -v q -nologo >/dev/null
RUN="dotnet $BIN/Xai4Mri.Bench.dll faithfulness --work $WORK --steps 30 --seeds 3 --threads 2 --figures docs/images"
if [[ ",$SCENARIOS," == *,age,* ]]; then
  $RUN --scenarios age --age-subjects 10 | tee bench/results/faithfulness-age.md
fi
if [[ ",$SCENARIOS," == *,lesion,* ]]; then
  # One thread: with two, TorchSharp aborted twice in training ("Unknown scalar type"; docs/explanations.md).
  dotnet "$BIN/Xai4Mri.Bench.dll" faithfulness --work "$WORK" --steps 30 --seeds 3 --threads 1 --figures docs/images \
    --scenarios lesion --lesion-site site-d --lesion-voxel 4 --lesion-model fresh --lesion-train 160 --lesion-test 40 \
    --lesion-radius 12 --epochs 16 --patience 0 --learning-rate 5e-4 | tee bench/results/faithfulness-lesion.md
fi
