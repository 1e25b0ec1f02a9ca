"""Golden checksums: a few samples of every family and output format, byte for byte as fdsl made them
when the table was taken (fdsl 0.2.0, checked equal to the 0.2.0 release binary). A refactor must keep
every row; a change of output bytes is a new version (and a new row, with the reason in the commit).
0.3.0 changed the point clouds (and the views drawn from them): every chain of a cloud's chaos game
takes 16 unstored steps first (chains that chose the same first maps stored the same points), and
clouds are written in a seeded random point order (point_order: shuffled, the default; the rows
with point_order: generated keep the order made)."""
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
    'pc_ply': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\npoint_order: generated\n',
        6, '515dc66ebc722b5c'),
    'pc_ply_shuffled': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\n',
        6, 'e791542f8007858d'),
    'pc_ply_ascii_normals': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\ncloud_format: ply_ascii\nnormals: true\npoint_order: generated\n',
        6, '5eea9548d00b3a17'),
    'pc_ply_ascii_normals_shuffled': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\ncloud_format: ply_ascii\nnormals: true\n',
        6, 'b1a7516185370957'),
    'pc_pcd': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\ncloud_format: pcd\npoint_order: generated\n',
        6, '2f018a6e1812b9f5'),
    'pc_pcd_shuffled': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\ncloud_format: pcd\n',
        6, 'b7aeea5be2cf24e4'),
    'pc_pcd_ascii_fps': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\ncloud_format: pcd_ascii\nfps_points: 100\npoint_order: generated\n',
        6, '8b38c2a68d031000'),
    'pc_pcd_ascii_fps_shuffled': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 500\ncloud_format: pcd_ascii\nfps_points: 100\n',
        6, 'e3d4c722e96c1d0c'),
    'pc_npy_mv': ('generator: pc_fractal\nclasses: 3\ninstances: 3\npoints: 500\ncloud_format: npy\ninstance_mode: mv_weights\npoint_order: generated\n',
        9, 'e9ac143a2f1637e7'),
    'pc_npy_mv_shuffled': ('generator: pc_fractal\nclasses: 3\ninstances: 3\npoints: 500\ncloud_format: npy\ninstance_mode: mv_weights\n',
        9, '3549b5afdd3c6070'),
    'pc_hdf5': ('generator: pc_fractal\nclasses: 3\ninstances: 4\npoints: 256\ncloud_format: hdf5\nh5_clouds_per_file: 5\npoint_order: generated\n',
        4, 'e8ed57388a8a66f1'),
    'pc_hdf5_shuffled': ('generator: pc_fractal\nclasses: 3\ninstances: 4\npoints: 256\ncloud_format: hdf5\nh5_clouds_per_file: 5\n',
        4, 'd6fb7970c10e969b'),
    'pc_tar': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 300\noutput_format: tar\nshard_samples: 4\ncloud_format: npy\npoint_order: generated\n',
        2, '8b8be30ce4f03772'),
    'pc_tar_shuffled': ('generator: pc_fractal\nclasses: 3\ninstances: 2\npoints: 300\noutput_format: tar\nshard_samples: 4\ncloud_format: npy\n',
        2, 'b43b3db35aa9b9f7'),
    'pc_scenes': ('generator: pc_scenes\nclasses: 3\ninstances: 2\nobject_instances: 3\npoints: 200\ncloud_format: npy\npoint_order: generated\n',
        10, '765a624389bc37ec'),  # VoteNet rows padded to hold every point (issue 16.5)
    'pc_scenes_shuffled': ('generator: pc_scenes\nclasses: 3\ninstances: 2\nobject_instances: 3\npoints: 200\ncloud_format: npy\n',
        10, 'c3d65f08d752d106'),  # the same
    'pc_scenes_sunrgbd': ('generator: pc_scenes\nclasses: 3\ninstances: 2\nobject_instances: 3\npoints: 200\nscene_layout: sunrgbd\n',
        10, 'bb9e3713520f0e92'),
    'pc_scenes_scannet': ('generator: pc_scenes\nclasses: 3\ninstances: 2\nobject_instances: 3\npoints: 200\nscene_layout: scannet\n',
        13, '1d6b501467047435'),
    'vg_paired': ('generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 1000\nsize: 48\ncloud_format: npy\npoint_order: generated\n',
        12, 'a843d71e779b0113'),
    'vg_paired_shuffled': ('generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 1000\nsize: 48\ncloud_format: npy\n',
        12, '975e1471073538e8'),
    'vg_views_depth': ('generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 1000\nsize: 48\nlayout: views\nviews: 3\nshading: depth\nsplat_radius: 1\npoint_order: generated\n',
        20, '36f97a8ba5d5cd5d'),
    'vg_views_depth_shuffled': ('generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 1000\nsize: 48\nlayout: views\nviews: 3\nshading: depth\nsplat_radius: 1\n',
        20, 'e662679d6f3698cc'),
    'vg_map_tar': ('generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 1000\nsize: 40\nshading: map\nsupersample: 2\nviews: 2\noutput_format: tar\nshard_samples: 3\npoint_order: generated\n',
        2, '881d0753989a344f'),
    'vg_map_tar_shuffled': ('generator: vg_fractal\nclasses: 2\ninstances: 2\npoints: 1000\nsize: 40\nshading: map\nsupersample: 2\nviews: 2\noutput_format: tar\nshard_samples: 3\n',
        2, '3009256a8d4ff7bd'),
    # 0.3.x added the noise families (issue 21).
    'spectral_noise': ('generator: spectral_noise\nclasses: 2\ninstances: 2\nsize: 48\n',
        4, 'ca380e8cb41421bc'),
    'spectral_noise_gray_odd': ('generator: spectral_noise\ninstances: 3\nsize: 37\nchannels: 1\n',
        3, '627cc163076cb489'),
    'dead_leaves': ('generator: dead_leaves\ninstances: 4\nsize: 48\n',
        4, '6cc6d496871b21cf'),
    'dead_leaves_textured_tar': ('generator: dead_leaves\nclasses: 2\ninstances: 2\nsize: 40\nsigma_min: 2\nsigma_max: 4\ntexture: spectral\ntexture_pool: 3\noutput_format: tar\nshard_samples: 3\n',
        2, 'dc86de6b7c46caa6'),
    # 0.3.x added dense labels (issue 19): SegRCDB (compat: official is the official script's
    # images and masks), masks with COCO files, per-point part labels.
    'segrcdb_official': ('generator: segrcdb\ncompat: official\ninstances: 4\nworkers: 2\nsize: 64\nmask_classes: 8\nobjects: 4\ncenter_range: 60\nradius_max: 15\n',
        13, '8e8be43c7fa9f14d'),
    'segrcdb_m2_official_tar': ('generator: segrcdb\ncompat: official\ninstances: 4\nworkers: 2\nsize: 64\nmask_classes: 8\nobjects: 4\ncenter_range: 60\nradius_max: 15\nmode: M2\noutput_format: tar\nshard_samples: 3\n',
        2, '8479cd51e63ef7d3'),
    'segrcdb_m3': ('generator: segrcdb\ninstances: 3\nsize: 48\nmask_classes: 6\nobjects: 3\ncenter_range: 40\nradius_max: 12\nmode: M3\n',
        10, 'b3afd666084d8003'),
    'ifs_sigma_masks': ('generator: ifs_sigma\nclasses: 3\ninstances: 2\nsize: 48\npoints: 4000\nobjects_max: 3\nmasks: true\n',
        19, '11f13e5151740a42'),
    'dead_leaves_masks_tar': ('generator: dead_leaves\ninstances: 3\nsize: 40\nmasks: true\noutput_format: tar\nshard_samples: 2\n',
        2, 'dcfc4c924022946a'),
    'pc_parts_npy': ('generator: pc_fractal\nclasses: 2\ninstances: 2\npoints: 400\ncloud_format: npy\npart_labels: true\n',
        8, '188f5d5832089a41'),
    # 0.3.x added fdsl's own PNG encoder (issue 23): pinned, so its datasets regenerate byte for byte.
    'fractaldb_runs': ('generator: fractaldb\ncategories: official\nclasses: 2\ninstances: 4\nsize: 64\npoints: 5000\npng_encoder: runs\npng_level: 1\n',
        8, '29e3b594cd863e7a'),
    'ifs_sigma_runs': ('generator: ifs_sigma\nclasses: 3\ninstances: 3\nsize: 64\npoints: 5000\npng_encoder: runs\npng_level: 2\n',
        9, '3c384bef8d412521'),
    # Taken with the painter that drew every shape in turn, before dead leaves were painted from the
    # last shape back: 30,000 shapes at 1024 px hold more spans than one chunk of the reverse painter.
    'dead_leaves_many_spans': ('generator: dead_leaves\ninstances: 2\nsize: 1024\nradius_min: 0.004\nradius_max: 0.02\nmax_shapes: 30000\nmasks: true\n',
        7, '7271015c170c6f50'),
    # png_filter (issue 23): rows filtered with sub or up, pinned for libdeflate and fdsl's own encoder.
    'spectral_noise_sub': ('generator: spectral_noise\ninstances: 3\nsize: 48\npng_filter: sub\n',
        3, '2a01d7274c921be9'),
    'spectral_noise_runs_up': ('generator: spectral_noise\ninstances: 3\nsize: 48\npng_encoder: runs\npng_level: 2\npng_filter: up\n',
        3, 'afbc47e623057eb9'),
    # The iterative statistical models (issue 21): the pyramid, the rank matching, the palette model.
    'spectral_noise_color_wmm': ('generator: spectral_noise\ninstances: 3\nsize: 32\nmodel: spectrum_color_wmm\niterations: 3\n',
        3, '9e1564d460333daf'),
    'spectral_noise_wmm_gray_odd': ('generator: spectral_noise\ninstances: 2\nsize: 24\nchannels: 1\nmodel: wmm\niterations: 2\n',
        2, '127a0ab91083fcdb'),
    'dead_leaves_wmm_textures': ('generator: dead_leaves\ninstances: 3\nsize: 32\ntexture: spectral\ntexture_pool: 2\ntexture_model: spectrum_color_wmm\n',
        3, 'd2bfbab82eef2e81'),
}

# The sample files; bookkeeping (manifest, config, category listings, journals, the dataset card,
# split lists) may change form.
# The HDF5 file lists name the files under the folder's own name (tested in test_pointcloud_consumers.py).
SKIP = ("manifest.json", "fdsl.yaml", "categories.json", "categories.csv", "_info.json", "train_files.txt",
        "classes.json", "README.md", "card-preview.jpg", "card-stats.jpg")


def digest(folder):
    h = hashlib.sha256()
    n = 0
    # Tar datasets with masks have had a COCO file beside the shards since this change (made from the
    # shards' members, checked in test_masks.py); the rows were taken from the shards alone.
    tar = any(f.endswith(".tar") for f in os.listdir(folder))
    for path, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(path, f), folder)
            if f.startswith(".fdsl") or rel in SKIP or rel.startswith("param/") or rel.startswith("splits/") or \
                    (tar and rel.startswith("annotations/")):
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
