"""compat: official oracle for VisualAtom and RCDB.

Re-states the official VisualAtom and RCDB scripts with Python's `random`, `noise.pnoise1` and
Pillow's ImageDraw, exactly as the official scripts do them (worker t seeded with
random.seed(t + 1) renders classes [t C/W, (t+1) C/W), every draw in the listed order), and
compares the images pixel for pixel, and the category parameters (RCDB: the param CSV bytes),
with `fdsl generate ... compat: official`. Small settings the spec allows: 6 classes on 3
workers, 4 instances, full 512 px canvases and the best-practice category ranges.

Run by ctest with /usr/bin/python3; FDSL_CLI is set.
"""
import csv
import io
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import noise
import numpy as np
from PIL import Image, ImageDraw

SIZE = 512
CLASSES = 6
WORKERS = 3
INSTANCES = 4


def visual_atom_worker(t):
    """Worker t of the official VisualAtom run: {(cat, inst): image}, {cat: params}."""
    random.seed(t + 1)
    images, params = {}, {}
    per = CLASSES // WORKERS
    for cat in range(t * per, (t + 1) * per):
        q = random.randint(200, 1000)
        K = random.randint(1, 200)
        eta = random.uniform(0, 4)
        w = random.uniform(0.0, 0.1)
        r0 = random.randint(10, 60)
        n1 = random.randint(0, 20)
        while True:
            n2 = random.randint(0, 20)
            if n1 != n2 or n1 == 0:
                break
        ox = random.uniform(1, 2)
        oy = random.uniform(1, 2)
        cy = (SIZE + random.randint(-512, 512)) / 2
        cx = (SIZE + random.randint(-512, 512)) / 2
        params[cat] = dict(vertices=q, orbits=K, perlin=eta, line_width=w, radius=r0, n1=n1, n2=n2,
                           oval_x=ox, oval_y=oy, center_y=cy, center_x=cx)
        step = (math.pi * 2) / q
        for inst in range(INSTANCES):
            im = Image.new("RGB", (SIZE, SIZE), (0, 0, 0))
            draw = ImageDraw.Draw(im)
            x = [math.cos(step * v) * r0 * ox + cx for v in range(q)]
            y = [math.sin(step * v) * r0 * oy + cy for v in range(q)]
            x.append(x[0])
            y.append(y[0])
            for _ in range(K):
                gray = random.randint(0, 255)
                px = [random.uniform(0, 10000) for _ in range(q)]
                px = [noise.pnoise1(px[v]) * eta - eta - 0.5 * math.sin(step * v * n1) - 0.5 * math.sin(step * v * n2)
                      for v in range(q)]
                py = [random.uniform(0, 10000) for _ in range(q)]
                py = [noise.pnoise1(py[v]) * eta - eta - 0.5 * math.sin(step * v * n1) - 0.5 * math.sin(step * v * n2)
                      for v in range(q)]
                for v in range(q):
                    x[v] -= math.cos(step * v) * (px[v] - w)
                    y[v] -= math.sin(step * v) * (py[v] - w)
                x[q] = x[0]
                y[q] = y[0]
                for i in range(q):
                    draw.line((x[i], y[i], x[i + 1], y[i + 1]), fill=(gray, gray, gray), width=1)
            images[(cat, inst)] = np.asarray(im)
            cy = (SIZE + random.randint(-512, 512)) / 2
            cx = (SIZE + random.randint(-512, 512)) / 2
    return images, params


def rcdb_worker(t):
    """Worker t of the official RCDB run: images, params and the param CSV texts."""
    random.seed(t + 1)
    images, params, csvs = {}, {}, {}
    per = CLASSES // WORKERS
    for cat in range(t * per, (t + 1) * per):
        while True:
            q = int(random.expovariate(1 / 100))
            if 2 < q <= 200:
                break
        K = random.randint(1, 200)
        eta = random.uniform(0, 4)
        w = random.uniform(0.0, 0.1)
        r0 = random.randint(0, 100)
        ox = random.uniform(1, 2)
        oy = random.uniform(1, 2)
        cy = (SIZE + random.randint(-400, 400)) / 2
        cx = (SIZE + random.randint(-400, 400)) / 2
        params[cat] = dict(vertices=q, orbits=K, perlin=eta, line_width=w, radius=r0, oval_x=ox, oval_y=oy,
                           center_y=cy, center_x=cx)
        text = io.StringIO()
        writer = csv.writer(text)
        for k, v in {"Vertex": q, "Perlin_noise": eta, "line_width": w, "Center_rad": r0, "Line_num": K,
                     "Oval_rate_x": ox, "Oval_rate_y": oy, "start_pos_h": cy, "start_pos_w": cx}.items():
            writer.writerow([k, v])
        csvs[cat] = text.getvalue()
        step = (math.pi * 2) / q
        for inst in range(INSTANCES):
            im = Image.new("RGB", (SIZE, SIZE), (255, 255, 255))
            draw = ImageDraw.Draw(im)
            x = [math.cos(step * v) * r0 * ox for v in range(q)]
            y = [math.sin(step * v) * r0 * oy for v in range(q)]
            x.append(x[0])
            y.append(y[0])
            for _ in range(K):
                gray = random.randint(0, 256)
                px = [noise.pnoise1(random.uniform(0, 10000)) * eta * 2 - eta for _ in range(q)]
                py = [noise.pnoise1(random.uniform(0, 10000)) * eta * 2 - eta for _ in range(q)]
                for v in range(q):
                    x[v] -= math.cos(step * v) * (px[v] - w)
                    y[v] -= math.sin(step * v) * (py[v] - w)
                x[q] = x[0]
                y[q] = y[0]
                for i in range(q):
                    draw.line((x[i] + cx, y[i] + cy, x[i + 1] + cx, y[i + 1] + cy), fill=(gray, gray, gray), width=1)
            images[(cat, inst)] = np.asarray(im)
            ox = random.uniform(1, 2)
            oy = random.uniform(1, 2)
            r0 = random.randint(0, 100)
            cy = (SIZE + random.randint(-400, 400)) / 2
            cx = (SIZE + random.randint(-400, 400)) / 2
    return images, params, csvs


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print("ok: " + what)
        else:
            self.failed += 1
            print("FAIL: " + what + (": " + detail if detail else ""))


def generate(cli, cfg, out, *extra):
    cmd = [cli, "generate", cfg, "-o", out, "--progress", "quiet"] + list(extra)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print("FAIL: %s exited with %d:\n%s" % (" ".join(cmd), r.returncode, r.stdout))
        sys.exit(1)


def compare_image(report, path, expected, what):
    if not os.path.exists(path):
        report.check(False, what, "%s was not written" % path)
        return
    got = np.asarray(Image.open(path))
    if got.ndim == 2:  # a gray PNG: compare with one channel of the official RGB image
        if not (np.array_equal(expected[:, :, 0], expected[:, :, 1]) and
                np.array_equal(expected[:, :, 0], expected[:, :, 2])):
            report.check(False, what, "the reference image is not gray")
            return
        expected = expected[:, :, 0]
    if got.shape != expected.shape:
        report.check(False, what, "shape %s, expected %s" % (got.shape, expected.shape))
        return
    diff = np.argwhere(got != expected)
    background = expected.flat[0]
    inked = int((expected != background).sum())
    if len(diff):
        p = tuple(diff[0])
        report.check(False, what, "%d values differ; first at %s: fdsl %d, official %d"
                     % (len(diff), p, got[p], expected[p]))
    elif inked < 200:
        report.check(False, what, "the reference image is nearly empty (%d values)" % inked)
    else:
        report.check(True, "%s (%d inked values)" % (what, inked))


def compare_params(report, out, expected, family):
    with open(os.path.join(out, "categories.json")) as f:
        cats = json.load(f)["categories"]
    for cat, want in expected.items():
        got = {k: cats[cat][k] for k in want}
        report.check(got == want, "%s category %d parameters" % (family, cat), "fdsl %s, official %s" % (got, want))


def main():
    cli = os.environ.get("FDSL_CLI")
    if not cli:
        print("FAIL: FDSL_CLI must be set")
        sys.exit(1)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="fdsl-contours-") as tmp:
        # VisualAtom
        va_images, va_params = {}, {}
        for t in range(WORKERS):
            im, pa = visual_atom_worker(t)
            va_images.update(im)
            va_params.update(pa)
        cfg = os.path.join(tmp, "va.yaml")
        with open(cfg, "w") as f:
            f.write("generator: visual_atom\ncompat: official\nclasses: %d\nworkers: %d\ninstances: %d\nsize: %d\n"
                    "channels: 3\n" % (CLASSES, WORKERS, INSTANCES, SIZE))
        out = os.path.join(tmp, "va")
        generate(cli, cfg, out, "--threads", "2")
        for (cat, inst), expected in sorted(va_images.items()):
            q = va_params[cat]["vertices"]
            path = os.path.join(out, "%05d" % cat, "vertex_%04d_instance_%04d.png" % (q, inst))
            compare_image(report, path, expected, "VisualAtom class %d instance %d (RGB)" % (cat, inst))
        compare_params(report, out, va_params, "VisualAtom")
        # One class and one instance on their own: the worker's stream replayed up to them.
        part = os.path.join(tmp, "va-part")
        generate(cli, cfg, part, "--classes", "5:6", "--instances", "2:3", "--set", "channels=1")
        q = va_params[5]["vertices"]
        compare_image(report, os.path.join(part, "00005", "vertex_%04d_instance_0002.png" % q), va_images[(5, 2)],
                      "VisualAtom class 5 instance 2 alone (gray)")
        files = [os.path.join(d, n) for d, _, ns in os.walk(part) for n in ns if n.endswith(".png")]
        report.check(len(files) == 1, "VisualAtom partial run wrote only the requested image", str(files))

        # RCDB
        rc_images, rc_params, rc_csvs = {}, {}, {}
        for t in range(WORKERS):
            im, pa, cs = rcdb_worker(t)
            rc_images.update(im)
            rc_params.update(pa)
            rc_csvs.update(cs)
        cfg = os.path.join(tmp, "rcdb.yaml")
        with open(cfg, "w") as f:
            f.write("generator: rcdb\ncompat: official\nclasses: %d\nworkers: %d\ninstances: %d\nsize: %d\n"
                    % (CLASSES, WORKERS, INSTANCES, SIZE))
        out = os.path.join(tmp, "rcdb")
        generate(cli, cfg, out, "--threads", "2")
        for (cat, inst), expected in sorted(rc_images.items()):
            path = os.path.join(out, "image", "%05d" % cat, "%05d_%04d.png" % (cat, inst))
            compare_image(report, path, expected, "RCDB class %d instance %d (gray)" % (cat, inst))
        compare_params(report, out, rc_params, "RCDB")
        for cat, text in sorted(rc_csvs.items()):
            path = os.path.join(out, "param", "%05d.csv" % cat)
            got = open(path, newline="").read() if os.path.exists(path) else None
            report.check(got == text, "RCDB param/%05d.csv equals the official csv.writer bytes" % cat,
                         "fdsl %r, official %r" % (got, text))
        part = os.path.join(tmp, "rcdb-part")
        generate(cli, cfg, part, "--classes", "3:5", "--instances", "1:3", "--set", "channels=3")
        for cat in (3, 4):
            for inst in (1, 2):
                compare_image(report, os.path.join(part, "image", "%05d" % cat, "%05d_%04d.png" % (cat, inst)),
                              rc_images[(cat, inst)], "RCDB class %d instance %d alone (RGB)" % (cat, inst))

    print("%d passed, %d failed" % (report.passed, report.failed))
    sys.exit(1 if report.failed else 0)


if __name__ == "__main__":
    main()
