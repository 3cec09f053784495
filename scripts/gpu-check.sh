#!/usr/bin/env bash
# Parity tests and the bench table on a GPU machine (see README, "Engines and devices"). Untested so far: no GPU
# was available when it was written. Needs the GPU runtimes the README names: libtorch with CUDA for the pytorch
# engine (PYTORCH_LIBRARY_PATH or a pytorch-native-cu* jar) and onnxruntime_gpu with CUDA/cuDNN (and TensorRT for
# --ep tensorrt) for the onnxruntime engine.
#
#   scripts/gpu-check.sh [gpu|gpu:N] [cuda|tensorrt]    (defaults: gpu cuda)
#
# Writes gpu-check/ (test logs, bench JSON) and prints the bench table.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
device="${1:-gpu}"
ep="${2:-cuda}"
out="$root/gpu-check"
mkdir -p "$out"
cd "$root"
command -v nvidia-smi >/dev/null && nvidia-smi | tee "$out/nvidia-smi.txt" || echo "gpu-check: no nvidia-smi" >&2

echo "== parity tests on $device (onnxruntime with --ep $ep) ==" >&2
mvn -o -B -pl plugins/clip-core,harness-runner -am test \
  -Dtest='ClipImageParityTest,ClipTextParityTest,OnnxParityTest,OnnxInt8Test,SlideParityTest' \
  -Dsurefire.failIfNoSpecifiedTests=false -Dovss.test.device="$device" -Dovss.test.ep="$ep" 2>&1 | tee "$out/parity.log" \
  | grep -E "parity|int8 vs fp32|Tests run|FAIL" || true

echo "== bench: sclip, random ViT-B/16, 375x500, protocol sclip ==" >&2
printf "%-28s %8s %12s %10s %10s\n" "execution" "classes" "s/image" "bare s" "overhead"
for classes in 21 171; do
  for run in "pytorch fp32" "onnxruntime fp32" "onnxruntime int8"; do
    set -- $run
    extra=()
    [[ "$1" == onnxruntime ]] && extra=(--ep "$ep")
    json="$out/bench-$1-$2-$classes.json"
    ./ovss bench --method sclip --random-weights vit-b16 --protocol sclip --prompts a-photo-of --images 10 \
      --classes "$classes" --engine "$1" --precision "$2" --device "$device" "${extra[@]}" --json > "$json"
    python3 - "$json" "$1 $2" "$classes" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("%-28s %8s %12.3f %10.3f %10.3f" % (sys.argv[2], sys.argv[3], r["secondsPerImage"], r["bareForwardSeconds"], r["overheadRatio"]))
PY
  done
done
