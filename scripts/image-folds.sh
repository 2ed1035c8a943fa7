#!/bin/sh
# The image network judged patient-wise over every MIT-BIH patient, beside the rhythm
# pathway alone on the same folds. The records of the `all` protocol are dealt into FOLDS
# leave-patients-out folds (`haresnet dataset --folds FOLDS --json` lists them; 201 and
# 202, one patient, in one fold), and for each fold K:
#
# 1. the rhythm pathway pre-trained without the fold's patients (`rr-pretrain --protocol
#    all --fold K`, the shipped recipe, one seed), exported as OUT/rhythm/f<K>.hrn;
# 2. the whole network, image and rhythm branch, trained with the improved recipe on the
#    same records, its rhythm branch starting from that pathway (`train --protocol all
#    --fold K --recipe improved --rr-context 60 --rr-init ...`): OUT/image/f<K>/model.hrn;
# 3. both scored on the fold's records (`eval --protocol all --fold K --folds FOLDS --save`).
#
# Then every patient is classified by the files of their own fold and the results pooled
# (`haresnet eval --lopo`, OUT/<rhythm|image>/lopo/ holding one copy per patient, named by
# the patient's first record): OUT/<rhythm|image>/lopo/lopo.{json,csv}. At 5 s on two
# cores a fold takes about 11 min with EPOCHS=10 SAMPLES=5000 (65 s per epoch; the full
# recipe's 14 epochs of every segment, about 130 s each, half an hour); a fold stopped
# midway resumes (`train --resume`), and finished steps are not redone.
#
#   scripts/image-folds.sh OUT
#
# SEGMENT is the segment length (default 5), FOLDS the number of folds (default 5), SEED
# the seed of both trainings (default 1); EPOCHS and SAMPLES, when set, shorten the image
# network's training (`--epochs`, `--samples-per-epoch`; default: the improved recipe's 14
# epochs of every training segment); AUGMENT, when set, its training views (`--augment`,
# e.g. `patients`; default: the improved recipe's `signal`); SEMI_SYNTHETIC=1 adds
# semi-synthetic records on afdb-ann's and ltafdb-ann's beat times (`--semi-synthetic`,
# each fold's from its own training patients). The smoothing half-life of every file is
# 5 s, as shipped at 5 and 10 s (1 s at 2 s). HARESNET_DATA holds afdb-ann/, ltafdb-ann/
# and mitdb/; HARESNET names the binary to run (default: built and run through cargo).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
out=$1
data=${HARESNET_DATA:?set HARESNET_DATA to the directory holding afdb-ann, ltafdb-ann and mitdb}
segment=${SEGMENT:-5}
folds=${FOLDS:-5}
seed=${SEED:-1}
image_args=""
[ -n "${EPOCHS:-}" ] && image_args="--epochs $EPOCHS"
[ -n "${SAMPLES:-}" ] && image_args="$image_args --samples-per-epoch $SAMPLES"
[ -n "${AUGMENT:-}" ] && image_args="$image_args --augment $AUGMENT"
[ -n "${SEMI_SYNTHETIC:-}" ] &&
    image_args="$image_args --semi-synthetic $data/afdb-ann --semi-synthetic $data/ltafdb-ann"
half_life=5
[ "$segment" = 2 ] && half_life=1
. "$(dirname "$0")/haresnet-command.sh"
mkdir -p "$out/rhythm" "$out/image"
k=0
while [ "$k" -lt "$folds" ]; do
    rr=$out/rhythm/f$k
    if [ ! -f "$rr/rhythm.bpk" ]; then
        echo "== fold $k of $folds: rhythm pathway"
        haresnet rr-pretrain --data "$data/afdb-ann" --data "$data/ltafdb-ann" --context 60 \
            --mitdb "$data/mitdb" --segment "$segment" --protocol all --class-weight-power 0 \
            --fold "$k" --folds "$folds" --seed "$seed" --out "$rr"
    fi
    [ -f "$rr.hrn" ] || haresnet rr-export --rr-model "$rr" --set all \
        --smoothing-half-life "$half_life" --out "$rr.hrn"
    image=$out/image/f$k
    if [ ! -f "$image/model.hrn" ]; then
        echo "== fold $k of $folds: image network"
        if [ -f "$image/commands.txt" ]; then
            haresnet train --data "$data/mitdb" --resume "$image"
        else
            haresnet train --data "$data/mitdb" --segment "$segment" --protocol all \
                --recipe improved --rr-context 60 --rr-init "$rr" --fold "$k" \
                --folds "$folds" --seed "$seed" $image_args --out "$image"
        fi
        haresnet card "$image/model.hrn" --smoothing-half-life "$half_life" > /dev/null
    fi
    for kind in rhythm image; do
        file=$rr.hrn
        [ "$kind" = image ] && file=$image/model.hrn
        calls=$out/$kind/fold$k
        [ -f "$calls.csv" ] || haresnet eval --data "$data/mitdb" --weights "$file" \
            --protocol all --fold "$k" --folds "$folds" --save "$calls"
        # Every record of the fold gets the fold's file under its name; `eval --lopo` reads
        # those named by a patient's first record (201 for 202; none for paced records).
        mkdir -p "$out/$kind/lopo"
        for record in $(cut -d, -f1 "$calls.csv" | sed 1d | sort -u); do
            cp "$file" "$out/$kind/lopo/$record.hrn"
        done
    done
    k=$((k + 1))
done
for kind in rhythm image; do
    echo "== every patient by their fold's $kind file"
    haresnet eval --data "$data/mitdb" --lopo "$out/$kind/lopo" --save "$out/$kind/lopo/lopo"
done
