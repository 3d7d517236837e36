#!/usr/bin/env bash
# Recipe sweeps for the tiny model's guidance behaviour, run on a lent GPU (models/README.md, "How the recipe was
# chosen"). Trains one VAE per KL weight in KLS, then one UNet per variant in parallel, each with quick held-out
# evaluations at guidance 7.5, 3.0 and 1.0 every EVAL_EVERY steps.
#   models/trainer/sweep.sh OUT_DIR NAME:KL:TRAIN_ARGS...    e.g.  m0.7:1e-5:--caption-mismatch=0.7
# env: DEVICE (cuda), KLS ("1e-5"), VAE_STEPS, LATENTS, UNET_STEPS, EVAL_EVERY, T1/T2 (time limits per phase, s),
#      VAE_FROM (a folder with a trained vae.pt and merges.json: the VAE phase then only encodes the latents)
set -uo pipefail
OUT="$1"; shift; HERE="$(cd "$(dirname "$0")" && pwd)"; PY="${PYTHON:-python3}"
DEVICE="${DEVICE:-cuda}"; KLS="${KLS:-1e-5}"; VAE_STEPS="${VAE_STEPS:-1200}"; LATENTS="${LATENTS:-40000}"
UNET_STEPS="${UNET_STEPS:-4000}"; EVAL_EVERY="${EVAL_EVERY:-500}"; T1="${T1:-150}"; T2="${T2:-300}"
W="${SWEEP_WORK:-/tmp/sweep}"; mkdir -p "$W" "$OUT"; VAE_FROM="${VAE_FROM:-}"
export PYTHONUNBUFFERED=1
common=(--device "$DEVICE" --threads 2 --no-export)

for kl in $KLS; do
  mkdir -p "$W/vae-$kl"
  [ -n "$VAE_FROM" ] && cp "$VAE_FROM"/{vae.pt,merges.json} "$W/vae-$kl/"
  timeout "$T1" "$PY" "$HERE/train.py" "${common[@]}" --work "$W/vae-$kl" --vae-kl "$kl" --vae-steps "$VAE_STEPS" \
    --latent-images "$LATENTS" --unet-steps 0 --eval-guidances 7.5 >"$W/vae-$kl/log" 2>&1 &
done
wait
grep -h "reconstruction MAE\|scaling factor" "$W"/vae-*/log

for spec in "$@"; do
  IFS=: read -r name kl args <<<"$spec"
  mkdir -p "$W/v-$name" && cp "$W/vae-$kl"/{vae.pt,latents.pt,merges.json} "$W/v-$name/" || continue
  # shellcheck disable=SC2086  # args is a space-separated list of train.py options
  timeout "$T2" "$PY" "$HERE/train.py" "${common[@]}" --work "$W/v-$name" --vae-kl "$kl" --unet-steps "$UNET_STEPS" \
    --eval-every "$EVAL_EVERY" --eval-guidances 7.5,3.0,1.0 $args >"$W/v-$name/log" 2>&1 &
done
wait

# One summary line per (variant, step): the accuracies at each guidance scale.
for d in "$W"/v-*; do
  name="${d##*/v-}"
  [ -f "$d/quick-evals.jsonl" ] && sed "s/^{/{\"variant\": \"$name\", /" "$d/quick-evals.jsonl"
  [ -f "$d/final-eval.json" ] && "$PY" -c "import json,sys; print(json.dumps({'variant': sys.argv[1], 'step': 'final', **json.load(open(sys.argv[2]))}))" "$name" "$d/final-eval.json"
done >"$OUT/sweep.jsonl"
tail -n 3 "$W"/*/log >"$OUT/logs.txt" 2>&1
cut -c1-300 "$OUT/sweep.jsonl"
