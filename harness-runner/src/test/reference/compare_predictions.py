#!/usr/bin/python3
"""Compares the label maps of `ovss eval --save-predictions` with those of sclip_reference.py.

Reads OURS/predictions/<id>.png (the harness's palette PNGs: raw palette index = class) and
REF/predictions/<id>.png (grey PNGs), for every id of the split, and reports:
  - the share of pixels with identical labels, overall and per image;
  - the mIoU of each set of predictions, both recomputed here the mmseg way from the same ground
    truth and as stated in each side's results.json, and their difference;
  - the class histogram of both sides, so a trivial comparison (everything one class) shows.
Exit status 1 if the agreement is below --min-agreement (default 98.5 %) or the mIoU differs by more
than --max-miou-diff (default 0.5), the issue's acceptance criterion.

Usage: /usr/bin/python3 compare_predictions.py --dataset voc21 --data-root VOC2012 --ours OUT --ref REF [--json FILE]
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sclip_reference as ref  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--data-root", required=True)
    ap.add_argument("--ours", required=True, help="the --out directory of ovss eval")
    ap.add_argument("--ref", required=True, help="the --out directory of sclip_reference.py")
    ap.add_argument("--spec", help="dataset spec JSON (default: the harness's datasets-spec resource)")
    ap.add_argument("--min-agreement", type=float, default=98.5)
    ap.add_argument("--max-miou-diff", type=float, default=0.5)
    ap.add_argument("--json", help="also write the comparison as JSON here")
    args = ap.parse_args()
    with open(args.spec or os.path.join(ref.DEFAULT_SPECS, args.dataset + ".json"), encoding="utf-8") as f:
        spec = json.load(f)
    names = [c["name"] for c in spec["classes"]]
    n = len(names)
    layout = spec["layout"]
    with open(os.path.join(args.data_root, layout["splitFile"])) as f:
        ids = [line.strip() for line in f if line.strip()]
    ids = [i for i in ids if os.path.exists(os.path.join(args.ref, "predictions", i + ".png"))]
    m_ours, m_ref = ref.IoU(n), ref.IoU(n)
    h_ours, h_ref = np.zeros(n + 1, np.int64), np.zeros(n + 1, np.int64)  # last bin: out of range
    same = total = 0
    per_image = {}
    for sid in ids:
        po = ref.read_png_indices(os.path.join(args.ours, "predictions", sid + ".png")).astype(np.int64)
        pr = ref.read_png_indices(os.path.join(args.ref, "predictions", sid + ".png")).astype(np.int64)
        if po.shape != pr.shape:
            raise SystemExit("%s: prediction shapes differ: ours %s, reference %s" % (sid, po.shape, pr.shape))
        gt = ref.load_label(os.path.join(args.data_root, layout["labelDir"], sid + layout["labelSuffix"]),
                            spec.get("reduceZeroLabel", False))
        m_ours.add(po, gt)
        m_ref.add(pr, gt)
        h_ours += np.bincount(np.minimum(po.ravel(), n), minlength=n + 1)
        h_ref += np.bincount(np.minimum(pr.ravel(), n), minlength=n + 1)
        eq = int((po == pr).sum())
        same += eq
        total += po.size
        per_image[sid] = 100.0 * eq / po.size
    r_ours, r_ref = m_ours.result(), m_ref.result()
    agreement = 100.0 * same / total
    stated = {}
    for side, d in (("ours", args.ours), ("ref", args.ref)):
        try:
            with open(os.path.join(d, "results.json")) as f:
                stated[side] = json.load(f)["metrics"]["mIoU"]
        except (OSError, KeyError, ValueError):
            stated[side] = None
    diff = abs(r_ours["mIoU"] - r_ref["mIoU"])
    print("%s: %d images, %d pixels" % (args.dataset, len(ids), total))
    print("  pixel agreement       %.4f %%" % agreement)
    for sid, a in per_image.items():
        print("    %-20s %.4f %%" % (sid, a))
    print("  mIoU ours %.4f  ref %.4f  |diff| %.4f   (results.json: ours %s, ref %s)"
          % (r_ours["mIoU"], r_ref["mIoU"], diff, stated["ours"], stated["ref"]))
    print("  predicted-class histogram (pixels), ours / ref:")
    for c in range(n + 1):
        if h_ours[c] or h_ref[c]:
            print("    %2s %-14s %9d %9d" % (c if c < n else ">", names[c] if c < n else "out of range",
                                            h_ours[c], h_ref[c]))
    ok = agreement >= args.min_agreement and diff <= args.max_miou_diff
    print("  criterion (>= %.1f %% identical, |dmIoU| <= %.2f): %s"
          % (args.min_agreement, args.max_miou_diff, "PASS" if ok else "FAIL"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(dataset=args.dataset, images=len(ids), pixels=total, agreement=agreement,
                           per_image=per_image, miou_ours=r_ours["mIoU"], miou_ref=r_ref["mIoU"], miou_diff=diff,
                           stated=stated, histogram_ours=h_ours.tolist(), histogram_ref=h_ref.tolist(), passed=ok),
                      f, indent=1)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
