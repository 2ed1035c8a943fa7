#!/bin/sh
# The signal-quality models of the shipped weights: for each segment length, fitted on
# DS1 (for the `ds1` weights) and on all 44 MIT-BIH records with MLII (for the `all`
# weights), with the threshold flagging at most 0.3 % of clean training segments (chosen
# on the held-out DS1 folds of the 5 s fit: 1 % flagged up to 3.7 % of a fold's clean
# segments), and a segment called AF reported as noisy below quality 0.5 (chosen with
# `haresnet eval-noise --data $HARESNET_DATA/mitdb --records ds1 --weights ds1 --segment 5
# --snr 6,0 --af-threshold 0.1,0.3,0.5,0.7,0.9`: the smallest value at which DS1's non-AF
# segments at 0 dB called AF fall below 1 %). Then `haresnet card plugin/weights/rhythm-<s>s-<set>.hrn --quality
# OUT/q<s>-<set>.json` puts each model into its weights' card.
#
#   HARESNET_DATA=... [HARESNET=binary] [OUT=runs/quality] scripts/quality-fit.sh
set -eu
: "${HARESNET_DATA:?set HARESNET_DATA to the directory holding mitdb}"
B=${HARESNET:-haresnet}
mkdir -p "${OUT:-runs/quality}"
for s in 2 5 10; do
  for set in ds1 all; do
    $B quality-fit --data $HARESNET_DATA/mitdb --records $set --segment $s \
      --max-clean-flagged 0.003 --af-threshold 0.5 --out ${OUT:-runs/quality}/q$s-$set.json > ${OUT:-runs/quality}/q$s-$set.log 2>&1
  done
done
