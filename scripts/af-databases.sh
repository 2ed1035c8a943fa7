#!/bin/sh
# The rhythm pathway judged as EC57 judges AF detectors on the AF databases whose beat
# times and rhythm labels are in HARESNET_DATA (afdb-ann, ltafdb-ann: no signals), every
# patient by a pathway that never saw them: five folds of each database's patients, each
# held out of one pathway trained with the shipped 5 s recipe (MIT-BIH's 44 records
# included), that pathway's calls on its held-out records written as `.hrs` annotations
# (consecutive 5 s windows from each record's first sample, causal 60 s context, 5 s
# smoothing), then `haresnet eval-af` on each database.
#
#   scripts/af-databases.sh OUT
#
# Writes OUT/f<K>/ (the pathways), OUT/hrs/<database>/ (the annotations and RECORDS) and
# OUT/<database>.json and .txt (EC57 episode and duration Se/+P, gross and per record). A
# pathway that exists is not trained again.
#
# HARESNET_DATA holds afdb-ann/, ltafdb-ann/ and mitdb/; HARESNET names the binary to run
# (default: built and run through cargo).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
out=$1
data=${HARESNET_DATA:?set HARESNET_DATA to the directory holding afdb-ann, ltafdb-ann and mitdb}
folds=5
. "$(dirname "$0")/haresnet-command.sh"
models=
k=0
while [ $k -lt $folds ]; do
    if [ ! -f "$out/f$k/rhythm.bpk" ]; then
        echo "== fold $k of $folds"
        haresnet rr-pretrain --data "$data/afdb-ann" --data "$data/ltafdb-ann" --context 60 \
            --mitdb "$data/mitdb" --segment 5 --protocol all --class-weight-power 0 \
            --annotated-fold "$k" --annotated-folds "$folds" --out "$out/f$k"
    fi
    models="$models --rr-model $out/f$k"
    k=$((k + 1))
done
# shellcheck disable=SC2086 # one word per model option
haresnet rr-annotate $models --data "$data/afdb-ann" --data "$data/ltafdb-ann" \
    --smoothing-half-life 5 --out "$out/hrs"
for db in afdb-ann ltafdb-ann; do
    echo "== $db"
    haresnet eval-af --data "$data/$db" --records "$out/hrs/$db/RECORDS" \
        --test-dir "$out/hrs/$db" --json > "$out/$db.json"
    haresnet eval-af --data "$data/$db" --records "$out/hrs/$db/RECORDS" \
        --test-dir "$out/hrs/$db" | tee "$out/$db.txt"
done
