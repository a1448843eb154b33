#!/usr/bin/env bash
# Faithfulness of every relevance method on synthetic ground truth (docs/explanations.md): (a) brain age from the
# quickstart's pretrained MRInet on new site-A subjects, regions ventricles and cortex + CSF; (b) a planted-lesion
# detector fine-tuned from it, region the lesion. Region share against volume share, AOPC against random orders and
# seconds per map; the table goes to bench/results/faithfulness.md, the figures to docs/images/faithfulness-*.png.
# The committed run is the small one (about 20 min on 2 shared cores); FULL=1 runs the larger one of the page.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-bench/data/faithfulness}
mkdir -p "$WORK" bench/results docs/images
BIN=$(mktemp -d)
# A private copy of the binaries: a rebuild of the solution while this runs must not replace them underneath.
dotnet publish bench/Xai4Mri.Bench -c Release -o "$BIN" -v q -nologo >/dev/null
RUN="dotnet $BIN/Xai4Mri.Bench.dll"
if [ "${FULL:-0}" = 1 ]; then
  SIZE="--age-subjects 48 --lesion-train 400 --lesion-test 96 --lesion-radius 12 --epochs 30 --steps 60 --seeds 5"
else
  SIZE="--age-subjects 10 --lesion-train 120 --lesion-test 20 --lesion-radius 12 --epochs 15 --steps 30 --seeds 3"
fi
# shellcheck disable=SC2086
$RUN faithfulness --work "$WORK" $SIZE --threads 2 --figures docs/images | tee bench/results/faithfulness.md
