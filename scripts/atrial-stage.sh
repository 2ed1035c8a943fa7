#!/bin/sh
# The atrial stage (P waves against fibrillation, flutter against fibrillation, unconducted P
# waves against sinus rhythm, wide complexes at a fast rate against any call) fitted on the calls of a leave-one-patient-out run, judged
# with the whole classifier, and written into a card.
#
#   scripts/atrial-stage.sh LOPO OUT
#
# LOPO is the folder of scripts/lopo.sh (OUT/<patient>.hrn and OUT/lopo.csv: each MIT-BIH
# patient's segments called by the pathway trained without them). Writes, under OUT:
#
# - features.csv: the atrial features of every segment (`haresnet atrial-features`);
# - stage.json: the stage fitted on every patient's calls, and patients/<patient>.json,
#   each fitted without that patient (`haresnet atrial-fit`, which prints the recipe's
#   leave-one-patient-out figures from the CSVs);
# - lopo/<patient>.hrn: LOPO's weights with their patient's stage, then lopo/lopo.{json,csv}
#   from `haresnet eval --lopo` (the whole classifier, each patient by its own pathway and
#   stage).
#
# RULES, when set, lists the rules the recipe may fit (`haresnet atrial-fit --rules`; all
# of sinus, flutter, block and ventricular by default).
#
# CARD, when set, is a weights file (e.g. plugin/weights/rhythm-5s-all.hrn) that gets
# stage.json as its `atrial_stage` and the report as `metrics.lopo`.
#
# SEGMENT is read from LOPO's weights. HARESNET_DATA holds mitdb/; HARESNET names the binary
# to run (default: built and run through cargo).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 LOPO OUT" >&2; exit 2; }
lopo=$1
out=$2
data=${HARESNET_DATA:?set HARESNET_DATA to the directory holding mitdb}
. "$(dirname "$0")/haresnet-command.sh"
[ -f "$lopo/lopo.csv" ] || { echo "$lopo/lopo.csv is missing: run scripts/lopo.sh first" >&2; exit 2; }
segment=$(haresnet card "$lopo/100.hrn" | sed -n 's/.*"segment_seconds": \([0-9.]*\).*/\1/p' | head -1)
segment=${segment%.0}
mkdir -p "$out/lopo"
[ -f "$out/features.csv" ] ||
    haresnet atrial-features --data "$data/mitdb" --records all --segment "$segment" \
        --out "$out/features.csv"
haresnet atrial-fit --calls "$lopo/lopo.csv" --features "$out/features.csv" \
    --rules "${RULES:-sinus,flutter,block,ventricular}" --out "$out/stage.json" --per-patient "$out/patients"
for f in "$lopo"/*.hrn; do
    p=$(basename "$f" .hrn)
    cp "$f" "$out/lopo/$p.hrn"
    haresnet card "$out/lopo/$p.hrn" --atrial-stage "$out/patients/$p.json" > /dev/null
done
set -- --data "$data/mitdb" --lopo "$out/lopo" --save "$out/lopo/lopo"
if [ -n "${CARD:-}" ]; then
    haresnet card "$CARD" --atrial-stage "$out/stage.json" > /dev/null
    set -- "$@" --record lopo --card "$CARD"
fi
haresnet eval "$@"
