#!/usr/bin/python3
"""Writes a small, seeded VOC-layout dataset for end-to-end parity runs of `ovss eval`.

Layout (mmseg's VOC convention; pass DIR as --data-root):

    DIR/JPEGImages/<id>.jpg                  cv2.imwrite, JPEG quality 90 (4:2:0 chroma)
    DIR/SegmentationClass/<id>.png           palette PNG (PIL) holding class indices 0..20, 255 = boundary;
                                             8-bit grey PNG (cv2) if PIL is missing
    DIR/ImageSets/Segmentation/val.txt       the ids, one per line

Images have smooth structure (colour gradients, soft blobs, low-frequency waves, a little noise) so
that sliding windows and resizes see different content everywhere. The labels are the blobs, each
drawn with a random VOC class (0 = background elsewhere) and a 255 "void" ring around it, as in VOC.

With --stress the images also vary in how they are stored and shaped: a 1-channel (greyscale) JPEG, a
progressive JPEG, 4:4:4 and 4:2:2 chroma (PIL's encoder), quality 75 and 100, a very wide image whose
resized height (99) is below the 224 window, a small one that is upscaled, a large one, and one whose
resize is an exact 2x reduction (OpenCV's area fast path).

Usage: /usr/bin/python3 make_voc_fixture.py DIR [--seed N] [--stress]
"""
import argparse
import os

import cv2
import numpy as np

# (height, width): VOC-like shapes, both orientations, odd sizes included.
SIZES = [(375, 500), (500, 375), (500, 333), (480, 640), (281, 500), (366, 500)]

# --stress: (height, width, encoder, options)
STRESS = [(375, 500, "cv2-grey", 90), (500, 375, "cv2-progressive", 90), (333, 500, "pil-444", 90),
          (480, 640, "pil-422", 95), (97, 1999, "cv2", 90), (211, 333, "cv2", 75), (1200, 1600, "cv2", 100),
          (672, 896, "cv2", 90)]


def write_jpeg(path, rgb, encoder, quality):
    if encoder == "cv2":
        cv2.imwrite(path, rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    elif encoder == "cv2-grey":
        cv2.imwrite(path, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), [cv2.IMWRITE_JPEG_QUALITY, quality])
    elif encoder == "cv2-progressive":
        cv2.imwrite(path, rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    elif encoder.startswith("pil-"):
        from PIL import Image
        Image.fromarray(rgb).save(path, quality=quality, subsampling={"pil-444": 0, "pil-422": 1}[encoder])
    else:
        raise ValueError(encoder)


# mmseg's VOC colour map (index -> RGB); only used to make the PNGs viewable.
def voc_palette():
    pal = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        pal += [r, g, b]
    return pal


def render(rng, h, w):
    """A float RGB image in [0, 255] and its label map (uint8)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    u, v = xx / w, yy / h
    c0, c1, c2 = rng.uniform(0, 255, (3, 3))
    img = (c0[None, None] * (1 - u)[..., None] + c1[None, None] * u[..., None]) * (1 - v)[..., None] \
        + c2[None, None] * v[..., None]
    for _ in range(3):  # low-frequency waves
        fx, fy = rng.uniform(1, 6, 2)
        phase = rng.uniform(0, 2 * np.pi)
        amp = rng.uniform(10, 35, 3)
        img += amp[None, None] * np.sin(2 * np.pi * (fx * u + fy * v) + phase)[..., None]
    label = np.zeros((h, w), np.uint8)
    void = np.zeros((h, w), bool)
    for _ in range(int(rng.integers(3, 7))):  # soft elliptic blobs, later ones on top
        cy, cx = rng.uniform(0.1, 0.9) * h, rng.uniform(0.1, 0.9) * w
        ry, rx = rng.uniform(0.08, 0.35) * h, rng.uniform(0.08, 0.35) * w
        theta = rng.uniform(0, np.pi)
        dy, dx = yy - cy, xx - cx
        a = (dx * np.cos(theta) + dy * np.sin(theta)) / rx
        b = (-dx * np.sin(theta) + dy * np.cos(theta)) / ry
        d = np.sqrt(a * a + b * b)
        alpha = np.clip((1.15 - d) / 0.3, 0, 1)[..., None]  # soft edge
        colour = rng.uniform(0, 255, 3)
        shade = 1 + 0.3 * (a[..., None] * rng.uniform(-1, 1))  # a gradient inside the blob
        img = img * (1 - alpha) + colour[None, None] * shade * alpha
        inside = d < 1.0
        ring = (d >= 1.0) & (d < 1.0 + 3.0 / min(rx, ry))
        label[inside] = int(rng.integers(1, 21))
        void[inside] = False
        void |= ring
    label[void] = 255
    img += rng.normal(0, 4, img.shape)  # mild sensor noise
    return np.clip(img, 0, 255).astype(np.uint8), label


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--stress", action="store_true", help="storage and shape variants instead of the plain set")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    for sub in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        os.makedirs(os.path.join(args.root, sub), exist_ok=True)
    try:
        from PIL import Image
    except ImportError:
        Image = None
    ids = []
    items = STRESS if args.stress else [(h, w, "cv2", 90) for h, w in SIZES]
    for i, (h, w, encoder, quality) in enumerate(items):
        sid = "%s_%06d" % ("2098" if args.stress else "2099", i + 1)
        rgb, label = render(rng, h, w)
        write_jpeg(os.path.join(args.root, "JPEGImages", sid + ".jpg"), rgb, encoder, quality)
        png = os.path.join(args.root, "SegmentationClass", sid + ".png")
        if Image is not None:
            im = Image.fromarray(label, mode="P")
            im.putpalette(voc_palette())
            im.save(png)
        else:
            cv2.imwrite(png, label)
        ids.append(sid)
    with open(os.path.join(args.root, "ImageSets", "Segmentation", "val.txt"), "w") as f:
        f.write("\n".join(ids) + "\n")
    print("wrote %d images to %s" % (len(ids), args.root))


if __name__ == "__main__":
    main()
