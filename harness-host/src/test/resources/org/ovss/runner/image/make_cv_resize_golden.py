# Writes cv-resize-golden.txt: images and their cv2.resize(..., INTER_LINEAR) results, planar RGB.
# Run with OpenCV 4.6 (Debian python3-opencv): /usr/bin/python3 make_cv_resize_golden.py > cv-resize-golden.txt
import cv2
import numpy as np


def emit(name, a):
    h, w, _ = a.shape
    print(name, h, w, " ".join(str(int(v)) for v in a.transpose(2, 0, 1).flatten()))


for seed, (h, w), sizes in [(5, (7, 9), [(5, 12), (13, 4), (3, 3)]),
                            (9, (37, 50), [(33, 45), (50, 67), (90, 120)]),
                            (6, (8, 10), [(4, 5)])]:
    img = np.random.RandomState(seed).randint(0, 256, size=(h, w, 3)).astype(np.uint8)
    emit("src%d" % seed, img)
    for oh, ow in sizes:
        emit("out%d" % seed, cv2.resize(img, (ow, oh), interpolation=cv2.INTER_LINEAR))
