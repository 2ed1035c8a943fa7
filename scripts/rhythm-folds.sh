#!/bin/sh
# The patient-wise check that chooses the rhythm pathway's recipe: for each of the three
# leave-patients-out folds of DS1, pre-train at 5 s with the fold's patients out of the
# MIT-BIH material, then score the pathway on them (what DS2 is never used for).
#
#   scripts/rhythm-folds.sh OUT [rr-pretrain options...]
#
# e.g. `scripts/rhythm-folds.sh runs/v8 --class-weight-power 0 --seed 2`. Writes
# OUT/f<K>/ (the pathway, its card with the held-out afdb/ltafdb patients' report) and
# OUT/f<K>/ds1-fold<K>.{json,csv} (the fold's report and per-segment predictions). A fold
# whose pathway exists is only scored again. Merge seeds with `haresnet rr-merge` and
# score the merged directories with the `eval` line below.
#
# HARESNET_DATA holds afdb-ann/, ltafdb-ann/ and mitdb/; HARESNET names the binary to run
# (default: built and run through cargo).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 OUT [rr-pretrain options...]" >&2; exit 2; }
out=$1
shift
data=${HARESNET_DATA:?set HARESNET_DATA to the directory holding afdb-ann, ltafdb-ann and mitdb}
haresnet() {
    if [ -n "${HARESNET:-}" ]; then
        "$HARESNET" "$@"
    else
        cargo haresnet "$@"
    fi
}
for k in 0 1 2; do
    dir=$out/f$k
    if [ ! -f "$dir/rhythm.json" ]; then
        haresnet rr-pretrain --data "$data/afdb-ann" --data "$data/ltafdb-ann" --segment 5 \
            --context 60 --mitdb "$data/mitdb" --protocol ds1 --fold $k --folds 3 "$@" \
            --out "$dir"
    fi
    echo "== fold $k: the fold's DS1 patients"
    haresnet eval --data "$data/mitdb" --rr-model "$dir" --fold $k --folds 3 \
        --save "$dir/ds1-fold$k"
done
