"""fdsl preview: contact sheets (geometry, tiles equal the generator's images), sweeps (rows change
with the parameter), and the interactive explorer under Xvfb (a screenshot shows the trackbars and
the rendered fractal; scripted keys save an image and a config snippet)."""
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np
from PIL import Image

from testkit import check, finish, run_cli

CLI = os.environ["FDSL_CLI"]
SRC = os.environ["FDSL_SOURCE_DIR"]


def wait_for(condition, seconds):
    """Polls `condition` until it holds or `seconds` pass (a deadline, not a timing)."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def tile(sheet, row, col, tile_px, title=True, row_labels=0, width=None):
    # The layout of dataset/preview.cpp: margin 4, label 14, title 24; tiles `width` wide
    # (default tile_px; a pair's tile is twice as wide).
    width = width or tile_px
    x = row_labels + 4 + col * (width + 4)
    y = (24 if title else 0) + 4 + row * (tile_px + 14 + 4)
    return sheet[y:y + tile_px, x:x + width]


with tempfile.TemporaryDirectory() as tmp:
    cfg = os.path.join(tmp, "small.yaml")
    with open(cfg, "w") as f:
        f.write("generator: fractaldb\ncategories: official\nsize: 64\npoints: 6000\npatch_draws: 2\nflips: 2\n")

    # A sheet: 3 categories x 4 instances of 64 px tiles; each tile is the generator's own image.
    sheet_png = os.path.join(tmp, "sheet.png")
    r = run_cli(["preview", cfg, "-o", sheet_png, "--categories", "2:5", "--instances", "1:5", "--tile", "64"])
    check(r.returncode == 0, f"preview exit {r.returncode}: {r.stderr}")
    sheet = np.asarray(Image.open(sheet_png).convert("RGB"))
    check(sheet.shape == (24 + 4 + 3 * (64 + 14 + 4), 320, 3), f"sheet shape {sheet.shape}")
    out = os.path.join(tmp, "data")
    r = run_cli(["generate", cfg, "-o", out, "--classes", "2:5", "--instances", "1:5", "--progress", "quiet"])
    check(r.returncode == 0, f"generate exit {r.returncode}: {r.stderr}")
    names = {1: "00_count_0_flip1", 2: "00_count_1_flip0", 3: "00_count_1_flip1", 4: "01_count_0_flip0"}
    for row, cat in enumerate(range(2, 5)):
        for col, inst in enumerate(range(1, 5)):
            img = np.asarray(Image.open(os.path.join(out, f"{cat:05d}", f"{cat:05d}_{names[inst]}.png")))
            t = tile(sheet, row, col, 64)
            check(np.array_equal(t[:, :, 0], img) and np.array_equal(t[:, :, 1], img),
                  f"tile ({row},{col}) equals category {cat} instance {inst}")

    # Paired samples (image and cloud): each tile is the image beside a rendering of its cloud.
    vg = os.path.join(tmp, "vg.yaml")
    with open(vg, "w") as f:
        f.write("generator: vg_fractal\nclasses: 2\ninstances: 2\nsize: 48\npoints: 2000\ncloud_format: npy\n")
    vg_png = os.path.join(tmp, "vg.png")
    r = run_cli(["preview", vg, "-o", vg_png, "--categories", "0:2", "--instances", "0:2", "--tile", "48"])
    check(r.returncode == 0, f"paired preview exit {r.returncode}: {r.stderr}")
    pv = np.asarray(Image.open(vg_png).convert("RGB"))
    check(pv.shape == (24 + 4 + 2 * (48 + 14 + 4), 320, 3), f"paired sheet shape {pv.shape}")
    vg_out = os.path.join(tmp, "vg-data")
    r = run_cli(["generate", vg, "-o", vg_out, "--progress", "quiet"])
    check(r.returncode == 0, f"paired generate exit {r.returncode}: {r.stderr}")
    for row in range(2):
        for col in range(2):
            pair = tile(pv, row, col, 48, width=96)
            img = np.asarray(Image.open(os.path.join(vg_out, f"{row:06d}", f"{row:06d}_{col:04d}.png")))
            check(np.array_equal(pair[:, :48, 0], img), f"paired tile ({row},{col}): left half is the image")
            check(pair[:, 48:].max() > 0 and (pair[:, 48:] > 0).sum() > 20,
                  f"paired tile ({row},{col}): right half draws the cloud")

    # A sweep: one row per value; rows differ as the parameter changes.
    sweep_png = os.path.join(tmp, "sweep.png")
    r = run_cli(["preview", cfg, "-o", sweep_png, "--sweep", "points=500:20000:3", "--categories", "0:3",
                 "--tile", "64"])
    check(r.returncode == 0, f"sweep exit {r.returncode}: {r.stderr}")
    sw = np.asarray(Image.open(sweep_png).convert("RGB"))
    check(sw.shape[0] == 24 + 4 + 3 * (64 + 14 + 4), f"sweep height {sw.shape}")
    rows = [tile(sw, r_, 0, 64, row_labels=150) for r_ in range(3)]
    ink = [int((t > 0).sum()) for t in rows]
    check(ink[0] < ink[1] < ink[2], f"more points, more ink along the sweep: {ink}")
    r = run_cli(["preview", cfg, "-o", sweep_png, "--sweep", "pointz=1:2:2"])
    check(r.returncode == 2 and "did you mean 'points'" in r.stderr, f"bad sweep key: {r.returncode} {r.stderr}")

    # The explorer needs a display, and says so.
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    r = run_cli(["preview", cfg, "--interactive", "--frames", "5"], env=env)
    check(r.returncode == 2 and "DISPLAY" in r.stderr, f"no display: {r.returncode} {r.stderr}")

    # The window is a module loaded for --interactive alone: the command links no GUI library.
    r = subprocess.run(["ldd", CLI], capture_output=True, text=True)
    gui = [l.split()[0] for l in r.stdout.splitlines() if "highgui" in l or "Qt" in l or "gtk" in l]
    check(r.returncode == 0 and "libopencv_core" in r.stdout and not gui, f"fdsl loads no GUI library: {gui}")
    # A display that nothing answers is an error, not Qt's abort.
    r = run_cli(["preview", cfg, "--interactive", "--frames", "5"], env={**env, "DISPLAY": ":4321"})
    check(r.returncode == 1 and "cannot open a window on display :4321" in r.stderr and "no X server" in r.stderr,
          f"a display nobody answers: exit {r.returncode} {r.stderr[-400:]}")
    # A command without its window module says which files it looked for.
    lone = os.path.join(tmp, "lone")
    os.makedirs(lone)
    shutil.copy(CLI, lone)
    r = subprocess.run([os.path.join(lone, "fdsl"), "preview", cfg, "--interactive", "--frames", "5"],
                       capture_output=True, text=True, env={**env, "DISPLAY": ":4321",
                                                           "FDSL_DATA_DIR": os.path.join(SRC, "data")})
    check(r.returncode == 2 and "window module is not installed" in r.stderr and "fdsl-window.so" in r.stderr,
          f"no window module: exit {r.returncode} {r.stderr[-400:]}")

    # The explorer under Xvfb: screenshot while it runs, then scripted keys.
    xvfb = shutil.which("Xvfb")
    check(xvfb is not None, "Xvfb is installed")
    if xvfb:
        display = ":%d" % (50 + os.getpid() % 40)
        server = subprocess.Popen([xvfb, display, "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # The server is up once its socket exists: wait for that, not for a time.
            sock = "/tmp/.X11-unix/X" + display[1:]
            check(wait_for(lambda: os.path.exists(sock), 30), f"Xvfb listens on {sock}")
            env = dict(os.environ, DISPLAY=display)
            onefrac = os.path.join(tmp, "onefrac.yaml")
            with open(onefrac, "w") as f:
                f.write("generator: one_frac\nclasses: 4\npoints: 20000\n")
            save = os.path.join(tmp, "saved")
            os.makedirs(save)
            log = open(os.path.join(tmp, "explorer.log"), "w+")
            # 400 frames of at least 30 ms: the window stays up while the screenshots are taken.
            proc = subprocess.Popen([CLI, "preview", onefrac, "--interactive", "--frames", "400", "--keys",
                                     "..........np" + "." * 20 + "s", "--save-dir", save],
                                    env=env, stdout=log, stderr=subprocess.STDOUT)

            def logged():
                log.seek(0)
                return log.read()

            check(wait_for(lambda: "explorer ready" in logged(), 60), "explorer reported ready")

            def screen():
                """A screenshot as an RGB array with the counts the checks want, or None."""
                shot = subprocess.run(f"xwd -root -silent -display {display} | xwdtopnm", shell=True,
                                      capture_output=True)
                if shot.returncode != 0 or len(shot.stdout) < 1000:
                    return None
                shot_path = os.path.join(tmp, "shot.ppm")
                open(shot_path, "wb").write(shot.stdout)
                px = np.asarray(Image.open(shot_path).convert("RGB")).astype(int)
                # Trackbars: the filled part of a slider's groove is a thin horizontal band of blue;
                # the knobs (sigma, delta, points, render) sit away from zero, so each shows one.
                blue = (px[:, :, 2] > 150) & (px[:, :, 2] > px[:, :, 0] + 40)
                bands, inside = 0, False
                for y in range(px.shape[0]):
                    row = blue[y].astype(np.int8)
                    edges = np.flatnonzero(np.diff(np.concatenate(([0], row, [0]))))
                    longest = int((edges[1::2] - edges[::2]).max()) if len(edges) else 0
                    if longest >= 60 and not inside:
                        bands += 1
                    inside = longest >= 60
                # The rendered fractal: 1p-frac ink (gray 127) on black, in quantity.
                ink = int(np.all(px == 127, axis=2).sum())
                black = int(np.all(px == 0, axis=2).sum())
                return bands, ink, black

            # The window is drawn some time after the first frame: take screenshots until it shows.
            seen = [None]

            def drawn():
                seen[0] = screen()
                return seen[0] is not None and seen[0][0] >= 3 and seen[0][1] > 2000 and seen[0][2] > 20000
            check(wait_for(drawn, 60), f"trackbar grooves and fractal pixels on screen (bands, ink, black: {seen[0]})")
            code = proc.wait(timeout=120)
            text = logged()
            check(code == 0, f"explorer exit {code}: {text}")
            check(os.path.exists(os.path.join(save, "fdsl-explorer.yaml")), "'p' saved a config snippet")
            saved = [f for f in os.listdir(save) if f.endswith(".png")]
            check(len(saved) == 1 and saved[0].startswith("fdsl-one_frac-1-"), f"'s' saved the image after 'n': {saved}")
            if os.path.exists(os.path.join(save, "fdsl-explorer.yaml")):
                r = run_cli(["preview", os.path.join(save, "fdsl-explorer.yaml"), "-o", os.path.join(tmp, "snip.png"),
                             "--categories", "0:2", "--instances", "0:1", "--tile", "32"])
                check(r.returncode == 0, f"the snippet is a valid config: {r.stderr}")
        finally:
            server.terminate()
            server.wait()

finish()
