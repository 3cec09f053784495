#!/usr/bin/python3
"""Independent PyTorch re-implementation of the SCLIP evaluation pipeline (wangf3014/SCLIP), end to end.

It is the yardstick for `ovss eval --method sclip`: the same weights file and dataset go in, label maps
and the mmseg mIoU come out, and `compare_predictions.py` measures how closely the harness agrees.
Written from the SCLIP paper (Wang, Mei, Yuille. ECCV 2024, arXiv:2312.01597), wangf3014/SCLIP@b56bd30 and
open-mmlab/mmsegmentation (slide_inference, IoUMetric), not from the harness's Java code; it needs only numpy, torch (1.13 is enough) and OpenCV, plus PIL to read
palette PNG ground truth (falls back to a minimal PNG reader).

Pipeline, step by step (the SCLIP repository's code path, fp32 on CPU):

  weights   OpenAI-named safetensors (visual.conv1.weight, visual.transformer.resblocks.N..., ...), parsed
            with numpy: 8-byte little-endian header length, JSON header, raw little-endian data.
            Head counts from the file's metadata (vision_heads / text_heads), else width // 64 (OpenAI).
  text      CLIP's byte-level BPE (bpe_simple_vocab_16e6.txt.gz), <start> ids <end>, zero-padded to the
            context length; OpenAI text transformer (causal mask, QuickGELU, ln_final, end-of-text token =
            argmax of the ids, @ text_projection). Per query: the 80 OpenAI ImageNet templates, each
            embedding L2-normalised, mean over templates, L2-normalised (SCLIP clip_segmentor.__init__).
            Queries are the dataset spec's classes[].queries (SCLIP's cls_*.txt synonyms).
  image     cv2.imread (BGR, 8-bit) -> mmcv imrescale to scale (2048, 336): f = min(2048/long, 336/short),
            new size int(x*f + 0.5), cv2.resize INTER_LINEAR -> BGR->RGB -> float32, (x - mean) / std with
            mean [122.771, 116.746, 104.094], std [68.501, 66.632, 70.323] (SegDataPreProcessor).
  windows   mmseg slide inference, crop 224, stride 112: grids = max(H - crop + stride - 1, 0) // stride + 1,
            last window shifted back inside the image, never padded. Per window (SCLIP forward_feature):
            OpenAI ViT, positional embedding interpolated DINO-style when the token count differs
            (bicubic, scale_factor = (grid + 0.1) / sqrt(N)); every block standard except the last, whose
            attention is SCLIP's correlative self-attention softmax(q q^T s) + softmax(k k^T s) (per head,
            s = head_dim^-0.5, biases included, residual and FFN kept); ln_post @ proj for all tokens, CLS
            dropped, L2-normalised, @ queries^T, reshaped to (H/p, W/p), bilinearly upsampled to the window
            (align_corners=False). Summed on a canvas, divided by the per-pixel window count.
  output    bilinear (align_corners=False) to the original size; x logit_scale; softmax over queries; max
            over each class's synonyms; area threshold (foreground classes whose argmax area is not above
            area_thd x the total foreground area are zeroed); argmax; pixels whose top probability is below
            prob_thd -> class 0 (SCLIP postprocess_result).
            voc21: logit_scale 65, prob_thd 0.1, area_thd 0.1.  voc20: logit_scale 40, no thresholds.
  metric    mmseg IoUMetric: per image, pixels whose label is 255 are ignored; intersection / prediction /
            label areas are histogrammed over [0, C-1] (out-of-range values dropped) and summed over the
            dataset; IoU = I / U, mIoU = nanmean * 100. voc20 applies reduce_zero_label to the ground truth
            (0 -> 255, k -> k - 1).

Writes OUT/predictions/<id>.png (8-bit grey PNG, pixel = class index, as the model predicts it: 0..20 for
voc21, 0..19 for voc20) and OUT/results.json (mIoU, per-class IoU/Acc, prediction histogram, timings).
With --dump, also OUT/dump/<id>/*.npy intermediates and OUT/dump/queries.npy, for locating a divergence.

Usage:
  /usr/bin/python3 sclip_reference.py --weights tiny.safetensors --dataset voc21 \
      --data-root VOCdevkit/VOC2012 --out ref21 [--dump] [--threads N]
"""
import argparse
import gzip
import html
import json
import math
import os
import re
import struct
import sys
import time
import zlib
from functools import lru_cache

import cv2
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
DEFAULT_SPECS = os.path.join(REPO, "datasets-spec", "src", "main", "resources", "org", "ovss", "datasets", "specs")
DEFAULT_TEMPLATES = os.path.join(REPO, "harness-api", "src", "main", "resources", "org", "ovss", "api", "prompts",
                                 "openai-imagenet-80.txt")
DEFAULT_BPE = os.path.join(REPO, "plugins", "clip-core", "src", "main", "resources", "org", "ovss", "clip", "tokenizer", "bpe_simple_vocab_16e6.txt.gz")

# wangf3014/SCLIP@b56bd30 configs/cfg_*.py.
PROTOCOLS = {
    "voc21": dict(logit_scale=65.0, prob_thd=0.1, area_thd=0.1),
    "voc20": dict(logit_scale=40.0, prob_thd=0.0, area_thd=None),
}
SHORT_SIDE, LONG_SIDE, CROP, STRIDE = 336, 2048, 224, 112
MEAN = [122.771, 116.746, 104.094]  # RGB, CLIP's mean x 255
STD = [68.501, 66.632, 70.323]


# ----------------------------------------------------------------------------------------------------------
# safetensors
# ----------------------------------------------------------------------------------------------------------
_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32,
           "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path):
    """Tensors (as float32 torch tensors) and the metadata dict of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        if info["dtype"] == "BF16":
            begin, end = info["data_offsets"]
            raw = np.frombuffer(data, dtype="<u2", count=(end - begin) // 2, offset=base + begin)
            arr = (raw.astype(np.uint32) << 16).view(np.float32)
        else:
            dt = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
            begin, end = info["data_offsets"]
            arr = np.frombuffer(data, dtype=dt, count=(end - begin) // dt.itemsize, offset=base + begin)
        arr = arr.reshape(info["shape"]).astype(np.float32)
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, meta


# ----------------------------------------------------------------------------------------------------------
# CLIP BPE tokenizer (byte-level BPE of OpenAI CLIP's simple_tokenizer)
# ----------------------------------------------------------------------------------------------------------
def bytes_to_unicode():
    """Reversible map of the 256 byte values to printable unicode characters (GPT-2 / CLIP)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) \
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


class ClipBpe:
    """CLIP's tokenizer. Text cleaning: html-unescape twice, collapse whitespace, lower-case (ftfy's
    fix_text is a no-op on plain ASCII, so it is not applied). The pre-tokenising pattern is CLIP's
    with \\p{L} / \\p{N} written for Python's re (exact for ASCII text)."""

    START, END = "<|startoftext|>", "<|endoftext|>"
    PATTERN = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+",
                         re.IGNORECASE)

    def __init__(self, bpe_gz):
        with gzip.open(bpe_gz, "rt", encoding="utf-8") as f:
            merges = f.read().split("\n")
        merges = merges[1:49152 - 256 - 2 + 1]
        merges = [tuple(m.split()) for m in merges]
        self.byte_encoder = bytes_to_unicode()
        vocab = list(self.byte_encoder.values())
        vocab = vocab + [v + "</w>" for v in vocab]
        vocab += ["".join(m) for m in merges]
        vocab += [self.START, self.END]
        self.encoder = {tok: i for i, tok in enumerate(vocab)}
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.cache = {self.START: self.START, self.END: self.END}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = list(token[:-1]) + [token[-1] + "</w>"]
        while len(word) > 1:
            pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            first, second = best
            merged = []
            i = 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == first and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        out = " ".join(word)
        self.cache[token] = out
        return out

    def encode(self, text):
        text = html.unescape(html.unescape(text)).strip()
        text = re.sub(r"\s+", " ", text).strip().lower()
        ids = []
        for piece in self.PATTERN.findall(text):
            piece = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self.bpe(piece).split(" "))
        return ids

    def tokenize(self, texts, context_length=77):
        out = torch.zeros(len(texts), context_length, dtype=torch.long)
        for i, t in enumerate(texts):
            ids = [self.encoder[self.START]] + self.encode(t) + [self.encoder[self.END]]
            if len(ids) > context_length:
                raise ValueError("prompt too long for context %d: %r" % (context_length, t))
            out[i, :len(ids)] = torch.tensor(ids)
        return out


# ----------------------------------------------------------------------------------------------------------
# OpenAI CLIP with SCLIP's last block
# ----------------------------------------------------------------------------------------------------------
def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class Clip:
    def __init__(self, weights, vision_heads=None, text_heads=None):
        self.p, meta = read_safetensors(weights)
        p = self.p
        self.patch = p["visual.conv1.weight"].shape[-1]
        self.vision_width = p["visual.conv1.weight"].shape[0]
        self.vision_layers = len({k.split(".")[3] for k in p if k.startswith("visual.transformer.resblocks.")})
        self.text_width = p["ln_final.weight"].shape[0]
        self.text_layers = len({k.split(".")[2] for k in p if k.startswith("transformer.resblocks.")})
        self.context = p["positional_embedding"].shape[0]
        self.vision_heads = vision_heads or int(meta.get("vision_heads", max(1, self.vision_width // 64)))
        self.text_heads = text_heads or int(meta.get("text_heads", max(1, self.text_width // 64)))
        self.grid = int(round(math.sqrt(p["visual.positional_embedding"].shape[0] - 1)))
        self.meta = meta

    # -- shared pieces ------------------------------------------------------------------------------------
    def ln(self, x, name):
        return F.layer_norm(x, (x.shape[-1],), self.p[name + ".weight"], self.p[name + ".bias"], 1e-5)

    def attention(self, x, pre, heads, csa=False, mask=None):
        """nn.MultiheadAttention (self-attention, batch first here) or SCLIP's custom_attn(csa=True)."""
        b, n, d = x.shape
        hd = d // heads
        scale = hd ** -0.5
        q, k, v = F.linear(x, self.p[pre + ".in_proj_weight"], self.p[pre + ".in_proj_bias"]).chunk(3, dim=-1)
        q, k, v = (t.reshape(b, n, heads, hd).transpose(1, 2) for t in (q, k, v))  # [B, H, N, hd]
        if csa:
            attn = F.softmax(q @ q.transpose(-1, -2) * scale, dim=-1) + F.softmax(k @ k.transpose(-1, -2) * scale, dim=-1)
        else:
            s = (q * scale) @ k.transpose(-1, -2)
            if mask is not None:
                s = s + mask
            attn = F.softmax(s, dim=-1)
        out = (attn @ v).transpose(1, 2).reshape(b, n, d)
        return F.linear(out, self.p[pre + ".out_proj.weight"], self.p[pre + ".out_proj.bias"])

    def mlp(self, x, pre):
        x = F.linear(x, self.p[pre + ".c_fc.weight"], self.p[pre + ".c_fc.bias"])
        return F.linear(quick_gelu(x), self.p[pre + ".c_proj.weight"], self.p[pre + ".c_proj.bias"])

    def block(self, x, pre, heads, csa=False, mask=None):
        x = x + self.attention(self.ln(x, pre + ".ln_1"), pre + ".attn", heads, csa=csa, mask=mask)
        return x + self.mlp(self.ln(x, pre + ".ln_2"), pre + ".mlp")

    # -- image tower --------------------------------------------------------------------------------------
    def interpolate_pos_encoding(self, n_tokens, h, w):
        """SCLIP / DINO: bicubic, scale-factor based (the +0.1 guards the floor of the output size)."""
        pos = self.p["visual.positional_embedding"]
        npatch = n_tokens - 1
        n = pos.shape[0] - 1
        if npatch == n and w == h:
            return pos
        dim = pos.shape[-1]
        h0, w0 = h // self.patch + 0.1, w // self.patch + 0.1
        g = int(math.sqrt(n))
        grid = pos[1:].reshape(1, g, g, dim).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, scale_factor=(h0 / math.sqrt(n), w0 / math.sqrt(n)), mode="bicubic")
        assert int(h0) == grid.shape[-2] and int(w0) == grid.shape[-1]
        return torch.cat([pos[:1], grid.permute(0, 2, 3, 1).reshape(-1, dim)], dim=0)

    def encode_image_dense(self, img, csa=True):
        """ln_post(x) @ proj for every token, CLS first: [B, 1 + h*w, E] (SCLIP encode_image(return_all=True))."""
        b, _, h, w = img.shape
        x = F.conv2d(img, self.p["visual.conv1.weight"], stride=self.patch)  # [B, D, h/p, w/p]
        x = x.reshape(b, x.shape[1], -1).permute(0, 2, 1)
        cls = self.p["visual.class_embedding"].reshape(1, 1, -1).expand(b, 1, -1)
        x = torch.cat([cls, x], dim=1)
        pos = self.p["visual.positional_embedding"]
        x = x + (self.interpolate_pos_encoding(x.shape[1], h, w) if x.shape[1] != pos.shape[0] else pos)
        x = self.ln(x, "visual.ln_pre")
        last = self.vision_layers - 1
        for i in range(last):
            x = self.block(x, "visual.transformer.resblocks.%d" % i, self.vision_heads)
        x = self.block(x, "visual.transformer.resblocks.%d" % last, self.vision_heads, csa=csa)
        return self.ln(x, "visual.ln_post") @ self.p["visual.proj"]

    # -- text tower ---------------------------------------------------------------------------------------
    def encode_text(self, ids):
        n = ids.shape[1]
        x = self.p["token_embedding.weight"][ids] + self.p["positional_embedding"]
        mask = torch.full((n, n), float("-inf")).triu_(1)
        for i in range(self.text_layers):
            x = self.block(x, "transformer.resblocks.%d" % i, self.text_heads, mask=mask)
        x = self.ln(x, "ln_final")
        return x[torch.arange(x.shape[0]), ids.argmax(dim=-1)] @ self.p["text_projection"]


# ----------------------------------------------------------------------------------------------------------
# Text queries
# ----------------------------------------------------------------------------------------------------------
def load_templates(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]


def query_embeddings(model, tok, queries, templates, batch=1000):
    """[Q, E]: per query, the templates' embeddings L2-normalised, averaged, L2-normalised."""
    out = []
    for q in queries:
        ids = tok.tokenize([t.replace("{}", q) for t in templates], model.context)
        feats = torch.cat([model.encode_text(ids[i:i + batch]) for i in range(0, len(ids), batch)])
        feats = feats / feats.norm(dim=-1, keepdim=True)
        mean = feats.mean(dim=0)
        out.append(mean / mean.norm())
    return torch.stack(out)


# ----------------------------------------------------------------------------------------------------------
# Image side
# ----------------------------------------------------------------------------------------------------------
def mmcv_rescale_size(h, w, scale=(LONG_SIDE, SHORT_SIDE)):
    f = min(max(scale) / max(h, w), min(scale) / min(h, w))
    return int(h * f + 0.5), int(w * f + 0.5)


def preprocess(path):
    """Decoded BGR uint8, resized BGR uint8, normalised RGB float tensor [1, 3, h, w]."""
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise IOError("cannot decode " + path)
    nh, nw = mmcv_rescale_size(*bgr.shape[:2])
    resized = cv2.resize(bgr, (nw, nh), interpolation=cv2.INTER_LINEAR)
    rgb = torch.from_numpy(resized[..., ::-1].copy()).permute(2, 0, 1).float()
    x = (rgb - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1)
    return bgr, resized, x.unsqueeze(0)


def slide_windows(h, w, crop=CROP, stride=STRIDE):
    """mmseg slide_inference window placement: (y1, y2, x1, x2) per window."""
    h_grids = max(h - crop + stride - 1, 0) // stride + 1
    w_grids = max(w - crop + stride - 1, 0) // stride + 1
    out = []
    for hi in range(h_grids):
        for wi in range(w_grids):
            y1, x1 = hi * stride, wi * stride
            y2, x2 = min(y1 + crop, h), min(x1 + crop, w)
            y1, x1 = max(y2 - crop, 0), max(x2 - crop, 0)
            out.append((y1, y2, x1, x2))
    return out


def forward_feature(model, crop, queries):
    """SCLIP forward_feature: cosine logits of one window, upsampled to the window: [1, Q, ch, cw]."""
    feats = model.encode_image_dense(crop, csa=True)
    feats = feats / feats.norm(dim=-1, keepdim=True)
    logits = feats[:, 1:] @ queries.T  # [1, h*w, Q]
    gh, gw = crop.shape[-2] // model.patch, crop.shape[-1] // model.patch
    logits = logits.permute(0, 2, 1).reshape(-1, logits.shape[-1], gh, gw)
    return F.interpolate(logits, size=crop.shape[-2:], mode="bilinear", align_corners=False)


def forward_slide(model, img, queries, ori_hw, crop=CROP, stride=STRIDE):
    """SCLIP forward_slide: window-averaged logits [1, Q, h, w] and those resized to ori_hw [1, Q, H, W]."""
    _, _, h, w = img.shape
    preds = img.new_zeros((1, queries.shape[0], h, w))
    count = img.new_zeros((1, 1, h, w))
    for y1, y2, x1, x2 in slide_windows(h, w, crop, stride):
        logit = forward_feature(model, img[:, :, y1:y2, x1:x2], queries)
        preds += F.pad(logit, (x1, w - x2, y1, h - y2))
        count[:, :, y1:y2, x1:x2] += 1
    assert (count == 0).sum() == 0
    avg = preds / count
    return avg, F.interpolate(avg, size=ori_hw, mode="bilinear", align_corners=False)


def postprocess(logits, query_class, num_classes, logit_scale, prob_thd, area_thd):
    """SCLIP postprocess_result on [1, Q, H, W] logits: label map [H, W] and class probabilities [C, H, W]."""
    probs = (logits[0] * logit_scale).softmax(0)  # [Q, H, W]
    if num_classes != len(query_class):
        qc = torch.tensor(query_class)
        # max over each class's synonyms (SCLIP multiplies by a one-hot and takes the max; probs >= 0)
        probs = torch.stack([probs[qc == c].max(0)[0] for c in range(num_classes)])
    if area_thd is not None:
        pred = probs.argmax(0)
        area = torch.bincount(pred.flatten(), minlength=num_classes)[1:].to(probs.dtype)
        keep = (area > area_thd * area.sum()).to(probs.dtype)
        probs[1:] *= keep.view(-1, 1, 1)
    pred = probs.argmax(0)
    pred[probs.max(0)[0] < prob_thd] = 0
    return pred, probs


# ----------------------------------------------------------------------------------------------------------
# Ground truth and metric
# ----------------------------------------------------------------------------------------------------------
def read_png_indices(path):
    """Raw pixel values of an 8-bit palette or grey PNG (mmseg reads label maps 'unchanged')."""
    try:
        from PIL import Image
        with Image.open(path) as im:
            if im.mode not in ("P", "L"):
                raise ValueError("%s: label maps must be palette or grey PNGs, got mode %s" % (path, im.mode))
            return np.array(im)
    except ImportError:
        return _read_png_minimal(path)


def _read_png_minimal(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    assert depth == 8 and ctype in (0, 3) and interlace == 0, "%s: only 8-bit grey/palette PNGs" % path
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, w + 1)
    out = np.zeros((h, w), np.int32)
    prev = np.zeros(w, np.int32)
    for y in range(h):
        ft, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        cur = np.zeros(w, np.int32)
        for x in range(w):
            a = cur[x - 1] if x else 0
            b, c = prev[x], (prev[x - 1] if x else 0)
            if ft == 0:
                pred = 0
            elif ft == 1:
                pred = a
            elif ft == 2:
                pred = b
            elif ft == 3:
                pred = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[x] = (line[x] + pred) & 0xFF
        out[y] = prev = cur
    return out.astype(np.uint8)


def load_label(path, reduce_zero_label):
    gt = read_png_indices(path).astype(np.uint8)
    if reduce_zero_label:  # mmseg LoadAnnotations on a uint8 map
        gt = gt.copy()
        gt[gt == 0] = 255
        gt = gt - 1
        gt[gt == 254] = 255
    return gt.astype(np.int64)


class IoU:
    """mmseg IoUMetric: dataset-level histograms, ignore index 255, nanmean."""

    def __init__(self, num_classes, ignore=255):
        self.c, self.ignore = num_classes, ignore
        self.inter, self.union, self.pred, self.label = (np.zeros(num_classes) for _ in range(4))

    def add(self, pred, label):
        mask = label != self.ignore
        pred, label = pred[mask], label[mask]
        inter = pred[pred == label]
        hist = lambda v: np.histogram(v, bins=self.c, range=(0, self.c - 1))[0]  # as torch.histc
        ai, ap, al = hist(inter), hist(pred), hist(label)
        self.inter += ai
        self.pred += ap
        self.label += al
        self.union += ap + al - ai

    def result(self):
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = self.inter / self.union
            acc = self.inter / self.label
        return dict(mIoU=float(np.nanmean(iou) * 100), mAcc=float(np.nanmean(acc) * 100),
                    aAcc=float(self.inter.sum() / self.label.sum() * 100), IoU=iou, Acc=acc)


# ----------------------------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", required=True, help="OpenAI-named CLIP safetensors")
    ap.add_argument("--dataset", required=True, choices=sorted(PROTOCOLS))
    ap.add_argument("--data-root", required=True, help="directory holding JPEGImages, SegmentationClass, ImageSets")
    ap.add_argument("--out", required=True)
    ap.add_argument("--spec", help="dataset spec JSON (default: the harness's datasets-spec resource)")
    ap.add_argument("--templates", default=DEFAULT_TEMPLATES)
    ap.add_argument("--bpe", default=DEFAULT_BPE, help="bpe_simple_vocab_16e6.txt.gz")
    ap.add_argument("--vision-heads", type=int)
    ap.add_argument("--text-heads", type=int)
    ap.add_argument("--logit-scale", type=float, help="override the dataset's logit scale")
    ap.add_argument("--prob-thd", type=float, help="override the dataset's probability threshold")
    ap.add_argument("--area-thd", help="override the dataset's area threshold ('off' to disable)")
    ap.add_argument("--limit", type=int, help="first N images only")
    ap.add_argument("--threads", type=int, help="torch intra-op threads")
    ap.add_argument("--dump", action="store_true", help="also write intermediates under OUT/dump/")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.set_grad_enabled(False)

    proto = dict(PROTOCOLS[args.dataset])
    if args.logit_scale is not None:
        proto["logit_scale"] = args.logit_scale
    if args.prob_thd is not None:
        proto["prob_thd"] = args.prob_thd
    if args.area_thd is not None:
        proto["area_thd"] = None if args.area_thd == "off" else float(args.area_thd)
    with open(args.spec or os.path.join(DEFAULT_SPECS, args.dataset + ".json"), encoding="utf-8") as f:
        spec = json.load(f)
    classes = spec["classes"]
    queries, query_class = [], []
    for c, cls in enumerate(classes):
        for q in cls["queries"]:
            queries.append(q)
            query_class.append(c)
    reduce_zero = bool(spec.get("reduceZeroLabel", False))
    layout = spec["layout"]

    t0 = time.time()
    model = Clip(args.weights, args.vision_heads, args.text_heads)
    tok = ClipBpe(args.bpe)
    templates = load_templates(args.templates)
    q_emb = query_embeddings(model, tok, queries, templates)
    t_text = time.time() - t0

    with open(os.path.join(args.data_root, layout["splitFile"])) as f:
        ids = [line.strip() for line in f if line.strip()]
    if args.limit:
        ids = ids[:args.limit]
    pred_dir = os.path.join(args.out, "predictions")
    os.makedirs(pred_dir, exist_ok=True)
    dump_dir = os.path.join(args.out, "dump") if args.dump else None
    if dump_dir:
        os.makedirs(dump_dir, exist_ok=True)
        np.save(os.path.join(dump_dir, "queries.npy"), q_emb.numpy())
    metric = IoU(len(classes))
    hist = np.zeros(len(classes), np.int64)
    t1 = time.time()
    per_image = {}
    for sid in ids:
        ts = time.time()
        bgr, resized, img = preprocess(os.path.join(args.data_root, layout["imageDir"], sid + layout["imageSuffix"]))
        h, w = bgr.shape[:2]
        avg, logits = forward_slide(model, img, q_emb, (h, w))
        pred, probs = postprocess(logits, query_class, len(classes), **proto)
        pred = pred.numpy().astype(np.uint8)
        cv2.imwrite(os.path.join(pred_dir, sid + ".png"), pred)
        gt = load_label(os.path.join(args.data_root, layout["labelDir"], sid + layout["labelSuffix"]), reduce_zero)
        if gt.shape != pred.shape:
            raise ValueError("%s: label map %s vs image %s" % (sid, gt.shape, pred.shape))
        metric.add(pred.astype(np.int64), gt)
        hist += np.bincount(pred.ravel(), minlength=len(classes))[:len(classes)]
        per_image[sid] = dict(height=h, width=w, resized=list(resized.shape[:2]), seconds=time.time() - ts)
        if dump_dir:
            d = os.path.join(dump_dir, sid)
            os.makedirs(d, exist_ok=True)
            np.save(os.path.join(d, "decoded_rgb.npy"), bgr[..., ::-1].copy())
            np.save(os.path.join(d, "resized_rgb.npy"), resized[..., ::-1].copy())
            np.save(os.path.join(d, "window_avg.npy"), avg[0].numpy())  # [Q, h, w] at the resized size
            np.save(os.path.join(d, "logits.npy"), logits[0].numpy())  # [Q, H, W] at the original size
            np.save(os.path.join(d, "class_probs.npy"), probs.numpy())  # after the area threshold
        print("%s %dx%d -> %dx%d  %.1fs" % (sid, h, w, resized.shape[0], resized.shape[1], time.time() - ts),
              file=sys.stderr)
    t_img = time.time() - t1
    r = metric.result()
    results = dict(
        method="sclip-reference", dataset=args.dataset, weights=os.path.abspath(args.weights), images=len(ids),
        protocol=dict(short_side=SHORT_SIDE, long_side=LONG_SIDE, crop=CROP, stride=STRIDE, **proto,
                      templates=len(templates), queries=len(queries)),
        model=dict(patch=model.patch, grid=model.grid, vision_layers=model.vision_layers,
                   vision_heads=model.vision_heads, text_layers=model.text_layers, text_heads=model.text_heads),
        metrics=dict(mIoU=r["mIoU"], mIoU_mmseg=round(r["mIoU"], 2), mAcc=r["mAcc"], aAcc=r["aAcc"]),
        classes=[dict(name=c["name"], IoU=None if np.isnan(i) else float(i * 100),
                      Acc=None if np.isnan(a) else float(a * 100), predicted_pixels=int(n))
                 for c, i, a, n in zip(classes, r["IoU"], r["Acc"], hist)],
        seconds=dict(text=t_text, images=t_img, total=time.time() - t0), per_image=per_image,
        torch=torch.__version__, opencv=cv2.__version__, threads=torch.get_num_threads())
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("sclip-reference on %s (%d images): mIoU %.2f  mAcc %.2f  aAcc %.2f  (text %.1fs, images %.1fs)"
          % (args.dataset, len(ids), r["mIoU"], r["mAcc"], r["aAcc"], t_text, t_img))


if __name__ == "__main__":
    main()
