#!/usr/bin/python3
"""Checks sclip_reference.py against the PyTorch parity fixtures bundled in the repository (fixtures/parity/clip-tiny), so the
yardstick itself is known to be right: tokenizer ids, dense CSA / vanilla tokens (with and without
positional-embedding interpolation), text embeddings, slide averaging, and SCLIP's postprocess.

Usage: /usr/bin/python3 check_reference.py [PARITY_DIR]   (default: fixtures/parity/clip-tiny of the repository)
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sclip_reference as R  # noqa: E402


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(R.REPO, "fixtures", "parity", "clip-tiny")
    torch.set_grad_enabled(False)
    worst = {}
    tok = R.ClipBpe(R.DEFAULT_BPE)
    with open(os.path.join(d, "tokenizer-cases.json")) as f:
        cases = json.load(f)["cases"]
    bad = [c["text"] for c in cases
           if tok.tokenize([c["text"]])[0].tolist() != (c["ids"] + [0] * 77)[:77]]
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    m = R.Clip(os.path.join(d, "weights-openai.safetensors"), cfg["vision_heads"], cfg["text_heads"])
    io, _ = R.read_safetensors(os.path.join(d, "io.safetensors"))
    worst["dense_csa"] = (m.encode_image_dense(io["images"], csa=True) - io["dense_csa"]).abs().max().item()
    worst["dense_vanilla"] = (m.encode_image_dense(io["images"], csa=False) - io["dense_vanilla"]).abs().max().item()
    worst["dense_csa_large"] = (m.encode_image_dense(io["images_large"], csa=True)
                                - io["dense_csa_large"]).abs().max().item()
    worst["text_embeds"] = (m.encode_text(io["text_ids"].long()) - io["text_embeds"]).abs().max().item()
    s, _ = R.read_safetensors(os.path.join(d, "slide-io.safetensors"))
    with open(os.path.join(d, "slide-config.json")) as f:
        sc = json.load(f)
    avg, logits = R.forward_slide(m, s["image"], s["queries"], tuple(sc["output_size"]), sc["crop"], sc["stride"])
    worst["window_logits_avg"] = (avg - s["window_logits_avg"]).abs().max().item()
    worst["logits"] = (logits - s["logits"]).abs().max().item()
    qc = s["query_class"].long().tolist()
    nc = max(qc) + 1
    p1, c1 = R.postprocess(s["logits"], qc, nc, sc["logit_scale"], sc["prob_thd"], None)
    p2, c2 = R.postprocess(s["logits"], qc, nc, sc["logit_scale"], sc["prob_thd"], sc["area_thd"])
    worst["class_probs"] = (c1 - s["class_probs"]).abs().max().item()
    worst["class_probs_area"] = (c2 - s["class_probs_area"]).abs().max().item()
    worst["pred_prob_thd (pixels differing)"] = int((p1 != s["pred_prob_thd"][0].long()).sum())
    worst["pred (pixels differing)"] = int((p2 != s["pred"][0].long()).sum())
    print("tokenizer: %d cases, %d mismatches %s" % (len(cases), len(bad), bad))
    for k, v in worst.items():
        print("  %-34s %g" % (k, v))
    ok = not bad and all(v <= (1e-3 if "large" in k else 1e-4) for k, v in worst.items())
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
