#!/bin/sh
# The signal-quality models of the shipped weights: for each segment length, fitted on
# DS1 (for the `ds1` weights) and on all 44 MIT-BIH records with MLII (for the `all`
# weights), with the threshold flagging at most 0.3 % of clean training segments (chosen
# on the held-out DS1 folds of the 5 s fit: 1 % flagged up to 3.7 % of a fold's clean
# segments). Then `haresnet card plugin/weights/rhythm-<s>s-<set>.hrn --quality
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
      --max-clean-flagged 0.003 --out ${OUT:-runs/quality}/q$s-$set.json > ${OUT:-runs/quality}/q$s-$set.log 2>&1
  done
done
