#!/usr/bin/env python3
"""SCLIP's inference pipeline in PyTorch eager, as the reference code runs it, for timing against `ovss bench`.

Same settings as `ovss bench --method sclip --protocol sclip`: mmcv resize (cv2 INTER_LINEAR) to short side 336,
CLIP normalisation, slide 224/112 with windows one at a time, each window's logits upsampled to the crop and
padded to the full canvas (clip_segmentor.py forward_slide), count division, bilinear resize to the original
size, logit scale and softmax over queries, argmax, and mmseg's IoU histograms. The image tower is OpenAI's
ViT with SCLIP's correlative self-attention in the last block, loaded from the random weights `ovss bench`
writes (OpenAI names, safetensors). Query embeddings are random unit vectors: SCLIP encodes the vocabulary once
at start-up, so text encoding is outside the per-image time on both sides.

usage: sclip_reference.py WEIGHTS.safetensors [--classes 21] [--images 5] [--warmup 1] [--threads 2]
       [--image-size 375x500] [--short-side 336] [--json]
"""
import argparse
import json
import struct
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}
CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)


def read_safetensors(path, prefix):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for name, info in header.items():
            if name == "__metadata__" or not name.startswith(prefix):
                continue
            start, end = info["data_offsets"]
            f.seek(base + start)
            a = np.frombuffer(f.read(end - start), dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
            out[name[len(prefix):]] = torch.from_numpy(a.copy()).float()
        return out


class VisionTower(torch.nn.Module):
    """OpenAI CLIP VisionTransformer (batch-first) with SCLIP's custom_attn in the last block."""

    def __init__(self, sd):
        super().__init__()
        self.sd = sd
        self.width = sd["conv1.weight"].shape[0]
        self.patch = sd["conv1.weight"].shape[2]
        self.layers = 1 + max(int(k.split(".")[2]) for k in sd if k.startswith("transformer.resblocks."))
        self.heads = self.width // 64

    def positions(self, gh, gw):
        pos = self.sd["positional_embedding"]
        n = int(round((pos.shape[0] - 1) ** 0.5))
        if gh == n and gw == n:
            return pos
        grid = pos[1:].reshape(1, n, n, -1).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, scale_factor=((gh + 0.1) / n, (gw + 0.1) / n), mode="bicubic")
        return torch.cat([pos[:1], grid.reshape(self.width, -1).t()], 0)

    def block(self, i, x, csa):
        p = "transformer.resblocks.%d." % i
        sd = self.sd
        h = F.layer_norm(x, (self.width,), sd[p + "ln_1.weight"], sd[p + "ln_1.bias"], 1e-5)
        qkv = F.linear(h, sd[p + "attn.in_proj_weight"], sd[p + "attn.in_proj_bias"])
        b, n, _ = qkv.shape
        q, k, v = qkv.reshape(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        scale = q.shape[-1] ** -0.5
        if csa:
            w = (q @ q.transpose(-2, -1) * scale).softmax(-1) + (k @ k.transpose(-2, -1) * scale).softmax(-1)
        else:
            w = (q * scale @ k.transpose(-2, -1)).softmax(-1)
        a = (w @ v).transpose(1, 2).reshape(b, n, self.width)
        x = x + F.linear(a, sd[p + "attn.out_proj.weight"], sd[p + "attn.out_proj.bias"])
        h = F.layer_norm(x, (self.width,), sd[p + "ln_2.weight"], sd[p + "ln_2.bias"], 1e-5)
        h = F.linear(h, sd[p + "mlp.c_fc.weight"], sd[p + "mlp.c_fc.bias"])
        h = h * torch.sigmoid(1.702 * h)
        return x + F.linear(h, sd[p + "mlp.c_proj.weight"], sd[p + "mlp.c_proj.bias"])

    def forward(self, img):
        sd = self.sd
        x = F.conv2d(img, sd["conv1.weight"], stride=self.patch)
        b, w, gh, gw = x.shape
        x = x.reshape(b, w, -1).permute(0, 2, 1)
        cls = sd["class_embedding"].expand(b, 1, w)
        x = torch.cat([cls, x], 1) + self.positions(gh, gw)
        x = F.layer_norm(x, (w,), sd["ln_pre.weight"], sd["ln_pre.bias"], 1e-5)
        for i in range(self.layers):
            x = self.block(i, x, csa=i == self.layers - 1)
        x = F.layer_norm(x, (w,), sd["ln_post.weight"], sd["ln_post.bias"], 1e-5)
        return x @ sd["proj"], gh, gw


TOWER_SECONDS = [0.0]


def forward_feature(tower, queries, crop):
    """clip_segmentor.py forward_feature: patch tokens . queries, upsampled to the crop."""
    t0 = time.perf_counter()
    tokens, gh, gw = tower(crop)
    TOWER_SECONDS[0] += time.perf_counter() - t0
    tokens = tokens[:, 1:]
    tokens = tokens / tokens.norm(dim=-1, keepdim=True)
    logits = (tokens @ queries.t()).permute(0, 2, 1).reshape(1, -1, gh, gw)
    return F.interpolate(logits, size=crop.shape[-2:], mode="bilinear")


def forward_slide(tower, queries, img, crop=224, stride=112):
    _, _, h, w = img.shape
    q = queries.shape[0]
    h_grids = max(h - crop + stride - 1, 0) // stride + 1
    w_grids = max(w - crop + stride - 1, 0) // stride + 1
    preds = img.new_zeros((1, q, h, w))
    count = img.new_zeros((1, 1, h, w))
    for hi in range(h_grids):
        for wi in range(w_grids):
            y1, x1 = hi * stride, wi * stride
            y2, x2 = min(y1 + crop, h), min(x1 + crop, w)
            y1, x1 = max(y2 - crop, 0), max(x2 - crop, 0)
            logit = forward_feature(tower, queries, img[:, :, y1:y2, x1:x2])
            preds += F.pad(logit, (int(x1), int(w - x2), int(y1), int(h - y2)))
            count[:, :, y1:y2, x1:x2] += 1
    return preds / count


def iou_histograms(pred, label, classes, ignore=255):
    mask = label != ignore
    pred, label = pred[mask], label[mask]
    inter = pred[pred == label]
    hist = lambda t: torch.histc(t.float(), bins=classes, min=0, max=classes - 1)
    return hist(inter), hist(pred), hist(label)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("--classes", type=int, default=21)
    ap.add_argument("--images", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--image-size", default="375x500")
    ap.add_argument("--short-side", type=int, default=336)
    ap.add_argument("--logit-scale", type=float, default=40.0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    h, w = (int(v) for v in a.image_size.lower().split("x"))
    tower = VisionTower(read_safetensors(a.weights, "visual."))
    embed = tower.sd["proj"].shape[1]
    queries = torch.randn(a.classes, embed)
    queries = queries / queries.norm(dim=-1, keepdim=True)
    rng = np.random.default_rng(0)
    sums = [torch.zeros(a.classes) for _ in range(3)]
    times = []
    tower_times = []
    with torch.no_grad():
        for i in range(a.warmup + a.images):
            bgr = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
            label = torch.from_numpy(rng.integers(0, a.classes, (h, w))).long()
            t0 = time.perf_counter()
            TOWER_SECONDS[0] = 0.0
            f = min(2048 / max(h, w), a.short_side / min(h, w))
            resized = cv2.resize(bgr, (int(w * f + 0.5), int(h * f + 0.5)), interpolation=cv2.INTER_LINEAR)
            rgb = (resized[:, :, ::-1].astype(np.float32) / 255.0 - CLIP_MEAN) / CLIP_STD
            img = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))[None]
            preds = forward_slide(tower, queries, img)
            logits = F.interpolate(preds, size=(h, w), mode="bilinear")[0]
            probs = (logits * a.logit_scale).softmax(0)
            pred = probs.argmax(0)
            for s, v in zip(sums, iou_histograms(pred, label, a.classes)):
                s += v
            if i >= a.warmup:
                times.append(time.perf_counter() - t0)
                tower_times.append(TOWER_SECONDS[0])
    report = {
        "pipeline": "SCLIP reference (PyTorch %s eager, windows one at a time, padded full-size logits)" % torch.__version__,
        "threads": torch.get_num_threads(),
        "classes": a.classes,
        "imageSize": [h, w],
        "images": a.images,
        "secondsPerImage": sum(times) / len(times),
        "imagesPerSecond": len(times) / sum(times),
        # the image tower's forwards alone; the rest is the pipeline around them (resize, per-window upsampling and
        # padding to the canvas, count division, resize, softmax, argmax, histograms)
        "towerSecondsPerImage": sum(tower_times) / len(tower_times),
        "pipelineSecondsPerImage": (sum(times) - sum(tower_times)) / len(times),
        "p50Seconds": sorted(times)[len(times) // 2],
    }
    print(json.dumps(report, indent=2) if a.json else
          "reference: %.3f images/s (%.3f s per image), %d classes, %d threads"
          % (report["imagesPerSecond"], report["secondsPerImage"], a.classes, report["threads"]))


if __name__ == "__main__":
    main()
