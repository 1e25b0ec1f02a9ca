"""Golden checksums: a few samples of every family and output format, byte for byte as fdsl made them
when the table was taken (fdsl 0.2.0, checked equal to the 0.2.0 release binary). A refactor must keep
every row; a change of output bytes is a new version (and a new row, with the reason in the commit)."""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

from testkit import check, finish

CLI = os.environ["FDSL_CLI"]

# name: (config, files, sha256 of (path, bytes) over the sample files, first 16 hex digits)
CASES = {
    'fractaldb_point': ('generator: fractaldb\ncategories: official\nclasses: 2\ninstances: 6\nsize: 64\npoints: 5000\nrender: point\n',
        12, 'e729fe0541ca551e'),
    'fractaldb_patch': ('generator: fractaldb\ncategories: official\nclasses: 2\ninstances: 6\nsize: 64\npoints: 5000\n',
        12, '377ccabd6db169d2'),
    'fractaldb_color_tar': ('generator: fractaldb\ncategories: official\nclasses: 2\ninstances: 6\nsize: 48\npoints: 5000\nrender: color\noutput_format: tar\nshard_samples: 5\nshuffle: true\n',
        3, 'cb07b1991dd8737c'),
    'fractaldb_official': ('generator: fractaldb\ncategories: official\nclasses: 2\ninstances: 4\nsize: 64\npoints: 5000\nrender: point\ncompat: official\n',
        8, '2810868eebb4b056'),
    'fractaldb_search': ('generator: fractaldb\ncategories: search\nclasses: 2\ninstances: 4\nsize: 48\npoints: 4000\nfill_points: 20000\nfill_size: 128\nfill_threshold: 0.1\n',
        8, 'df24b17fa69a77e6'),
    'fractaldb_libpng': ('generator: fractaldb\ncategories: official\nclasses: 1\ninstances: 4\nsize: 64\npoints: 5000\npng_encoder: libpng\npng_level: 6\n',
        4, '68b8f1658cfc6202'),
    'ifs_sigma': ('generator: ifs_sigma\nclasses: 3\ninstances: 3\nsize: 64\npoints: 5000\n',
        9, '7573169eb2ee1527'),
    'ifs_sigma_graded_multi': ('generator: ifs_sigma\nclasses: 3\ninstances: 3\nsize: 64\npoints: 5000\nrender: graded\nobjects_max: 3\n',
        9, '52228daab1a6aac5'),
    'ifs_sigma_gray_tar': ('generator: ifs_sigma\nclasses: 3\ninstances: 3\nsize: 40\npoints: 5000\ncolor: false\nbackground: false\noutput_format: tar\nshard_samples: 4\n',
        3, 'd319168075ad7949'),
    'one_frac': ('generator: one_frac\nclasses: 3\ninstances: 2\nsize: 64\npoints: 20000\n',
        6, '646308a84157d35f'),
    'visual_atom': ('generator: visual_atom\nclasses: 2\ninstances: 2\nsize: 64\n',
        4, '9d4615e0b9d4863d'),
    'visual_atom_aa': ('generator: visual_atom\nclasses: 2\ninstances: 2\nsize: 64\nantialias: true\nstroke_width: 1.5\n',
        4, 'a65a2d6c2b493134'),
    'visual_atom_official': ('generator: visual_atom\nclasses: 4\ninstances: 2\nsize: 64\ncompat: official\nworkers: 2\n',
        8, '62dc7720e1fdf2ca'),
    'rcdb': ('generator: rcdb\nclasses: 2\ninstances: 2\nsize: 64\n',
        4, '22e903853008f90d'),
    'rcdb_official': ('generator: rcdb\nclasses: 4\ninstances: 2\nsize: 64\ncompat: official\nworkers: 2\n',
        8, '68d772c1392dee58'),
    'pc_ply': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\n',
        6, '7c0989d6edab3045'),
    'pc_ply_ascii_normals': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\ncloud_format: ply_ascii\nnormals: true\n',
        6, 'ccf0feb0d4476b81'),
    'pc_pcd': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\ncloud_format: pcd\n',
        6, 'f492c8906ca68a14'),
    'pc_pcd_ascii_fps': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\ncloud_format: pcd_ascii\nfps_points: 100\n',
        6, 'd764c1db5f531950'),
    'pc_npy_mv': ('generator: pc_fractal\nclasses: 3\ninstances: 3\npoints: 500\ncloud_format: npy\ninstance_mode: mv_weights\n',
        9, '56f09bf1d90cf5a7'),
    'pc_hdf5': ('generator: pc_fractal\nclasses: 3\ninstances: 4\npoints: 256\ncloud_format: hdf5\nh5_clouds_per_file: 5\n',
        5, '2549da7799a7f853'),
    'pc_tar': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 300\noutput_format: tar\nshard_samples: 4\ncloud_format: npy\n',
        2, 'e4a188019d348129'),
    'pc_scenes': ('generator: pc_scenes\nclasses: 3\ninstances: 2\nobject_instances: 3\npoints: 200\ncloud_format: npy\n',
        10, '76442d345024b758'),
    'vg_paired': ('generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 1000\nsize: 48\ncloud_format: npy\n',
        12, 'e6be57f3a6242800'),
    'vg_views_depth': ('generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 1000\nsize: 48\nlayout: views\nviews: 3\nshading: depth\nsplat_radius: 1\n',
        20, 'b356d85861904b11'),
    'vg_map_tar': ('generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 1000\nsize: 40\nshading: map\nsupersample: 2\nviews: 2\noutput_format: tar\nshard_samples: 3\n',
        2, '8f51435397faf0da'),
}

# The sample files; bookkeeping (manifest, config, category listings, journals) may change form.
SKIP = ("manifest.json", "fdsl.yaml", "categories.json", "categories.csv", "_info.json")


def digest(folder):
    h = hashlib.sha256()
    n = 0
    for path, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(path, f), folder)
            if f.startswith(".fdsl") or rel in SKIP or rel.startswith("param/"):
                continue
            with open(os.path.join(path, f), "rb") as fh:
                h.update(rel.encode() + b"\0" + fh.read())
            n += 1
    return n, h.hexdigest()[:16]


tmp = tempfile.mkdtemp(prefix="fdsl-golden-")
for name, (text, files, want) in CASES.items():
    cfg = os.path.join(tmp, name + ".yaml")
    with open(cfg, "w") as f:
        f.write(text)
    out = os.path.join(tmp, name)
    for threads in ("1", "2"):
        shutil.rmtree(out, ignore_errors=True)
        r = subprocess.run([CLI, "generate", cfg, "-o", out, "--progress", "quiet", "--threads", threads],
                           capture_output=True, text=True)
        if r.returncode != 0:
            check(False, f"{name}: generate exit {r.returncode}: {r.stderr}")
            continue
        got = digest(out)
        check(got == (files, want), f"{name} ({threads} threads): {got} != {(files, want)}")
shutil.rmtree(tmp, ignore_errors=True)
finish()
