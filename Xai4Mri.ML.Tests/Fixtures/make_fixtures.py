#!/usr/bin/python3
"""Generate NIfTI / MGH test fixtures with nibabel and write expected.json.

Usage (from the repository root):

    /usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/make_fixtures.py            # regenerate + verify
    /usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/make_fixtures.py --verify   # only verify

Needs nibabel (written with nibabel 5.0.0 / numpy 1.24.2, Debian bookworm's
python3-nibabel / python3-numpy).  The output is deterministic: fixed seed,
no timestamps (nibabel writes gzip members with mtime=0 and no file name).

What it does
  1. Makes sure ``real/`` holds byte-identical copies of the real files listed
     in REAL_SOURCES (copies them when missing and the source exists; if both
     exist, insists on identical bytes).  See PROVENANCE.md.
  2. Deletes and rewrites everything under ``nibabel/``.
  3. Loads every file in real/ and nibabel/ with nibabel and writes
     ``expected.json`` (schema: see SCHEMA below and PROVENANCE.md).
  4. Verifies: reloads each file with nibabel and compares with expected.json,
     and decodes each file a second time with the small independent raw reader
     in this script (struct / numpy.frombuffer, no nibabel), comparing hashes,
     header fields and affines.  This raw reader is the reference for what the
     C# reader has to do.
"""
import argparse
import gzip
import hashlib
import json
import math
import shutil
import struct
import sys
import warnings
from pathlib import Path

import numpy as np
import nibabel as nib
from nibabel.nifti1 import Nifti1Extension

HERE = Path(__file__).resolve().parent
GEN = HERE / 'nibabel'
REAL = HERE / 'real'
EXPECTED = HERE / 'expected.json'
SEED = 20240601
SHAPE = (5, 4, 3)
CMD = '/usr/bin/python3 Xai4Mri.ML.Tests/Fixtures/make_fixtures.py'

REAL_SOURCES = [
    '/usr/lib/python3/dist-packages/nibabel/tests/data/anatomical.nii',
    '/usr/lib/python3/dist-packages/nibabel/tests/data/example4d.nii.gz',
    '/usr/lib/python3/dist-packages/nibabel/tests/data/example_nifti2.nii.gz',
    '/usr/lib/python3/dist-packages/nibabel/tests/data/functional.nii',
    '/usr/lib/python3/dist-packages/nibabel/tests/data/test.mgz',
    '/usr/lib/python3/dist-packages/dipy/data/files/S0_10slices.nii.gz',
    '/usr/lib/python3/dist-packages/dipy/data/files/aniso_vox.nii.gz',
    '/usr/share/doc/libnifti2-2/examples/ATestReferenceImageForReadingAndWriting.nii.gz',
]

DTYPES = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32',
          'int64', 'uint64', 'float32', 'float64']
ENDIANS = {'le': '<', 'be': '>'}
# container name -> (image class, file suffix given to nib.save)
CONTAINERS = {
    'nii': (nib.Nifti1Image, '.nii'),
    'nii.gz': (nib.Nifti1Image, '.nii.gz'),
    'pair': (nib.Nifti1Pair, '.img'),        # writes .hdr + .img
    'pair.gz': (nib.Nifti1Pair, '.img.gz'),  # writes .hdr.gz + .img.gz
}

NIFTI_CODES = {2: 'uint8', 4: 'int16', 8: 'int32', 16: 'float32', 64: 'float64',
               256: 'int8', 512: 'uint16', 768: 'uint32', 1024: 'int64',
               1280: 'uint64'}
MGH_CODES = {0: 'uint8', 4: 'int16', 1: 'int32', 3: 'float32'}


# ----------------------------------------------------------------- helpers
def rot(axis, deg):
    t = math.radians(deg)
    c, s = math.cos(t), math.sin(t)
    if axis == 'x':
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == 'y':
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


def from_mv(m, v):
    a = np.eye(4)
    a[:3, :3] = m
    a[:3, 3] = v
    return a


# Default affine for most generated files: zooms 2,3,4 + translation.
DEFAULT_AFF = from_mv(np.diag([2.0, 3.0, 4.0]), [-10.0, 20.0, -30.0])


def range_data(dtype, shape, rng):
    """Data spanning the dtype's range; extremes first (Fortran order)."""
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        special = [info.min, info.max, 0, 1]
        if dt.kind == 'i':
            special += [-1, info.min + 1, info.max - 1]
        else:
            special += [info.max - 1, info.max // 2]
        if dt.itemsize == 8:
            if dt.kind == 'i':
                special += [2**53 + 1, -(2**53 + 1), 2**62 + 3, -(2**62 + 3)]
            else:
                special += [2**53 + 1, 2**63 + 1, 2**64 - 3]
        rest = rng.randint(int(info.min), int(info.max) + 1, size=n - len(special),
                           dtype=dt)
        flat = np.concatenate([np.array(special, dtype=dt), rest])
    else:
        fi = np.finfo(dt)
        special = [0.0, 1.0, -1.0, float(fi.max), float(fi.min), float(fi.tiny),
                   -float(fi.tiny), float(fi.smallest_subnormal), 0.1, math.pi]
        m = n - len(special)
        lo, hi = math.log10(float(fi.tiny)), math.log10(float(fi.max))
        mags = 10.0 ** rng.uniform(lo, hi - 0.01, size=m)
        signs = np.where(rng.uniform(size=m) < 0.5, -1.0, 1.0)
        flat = np.concatenate([np.array(special, dtype=dt), (signs * mags).astype(dt)])
    assert flat.size == n
    return flat.reshape(shape, order='F')


def index_data(shape, dtype='int16'):
    """value == Fortran-order linear index (i + nx*j + nx*ny*k + ...)."""
    n = int(np.prod(shape))
    return np.arange(n, dtype=dtype).reshape(shape, order='F')


def write_nifti(path, arr, *, cls=nib.Nifti1Image, endian='<', dtype=None,
                sform=DEFAULT_AFF, qform=None, scode=2, qcode=1, zooms=None,
                extensions=(), slope_inter=None, fields=None, pixdim0=None):
    """Build the header explicitly and save.

    The image is created with affine=None so nibabel keeps our sform / qform
    (+ codes) as they are.  slope/inter and raw fields are set on img.header
    *after* construction, because nibabel resets scl_slope/scl_inter and
    vox_offset in the image constructor; non-NaN scl_* are then written
    unchanged (nibabel only computes its own scaling when both are NaN).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    hdr = cls.header_class(endianness=endian)
    hdr.set_data_dtype(np.dtype(dtype or arr.dtype))
    hdr.set_data_shape(arr.shape)
    hdr.set_qform(qform if qform is not None else sform, code=qcode)
    hdr.set_sform(sform, code=scode)
    if zooms is not None:
        hdr.set_zooms(zooms)
    hdr.set_xyzt_units('mm', 'sec')
    for e in extensions:
        hdr.extensions.append(e)
    img = cls(arr, None, hdr)
    if slope_inter is not None:
        img.header.set_slope_inter(*slope_inter)
    for k, v in (fields or {}).items():
        img.header[k] = v
    if pixdim0 is not None:
        img.header['pixdim'][0] = pixdim0
    assert img.header.endianness == endian
    nib.save(img, str(path))


# ------------------------------------------------------------- generation
def generate():
    rng = np.random.RandomState(SEED)
    if GEN.exists():
        shutil.rmtree(GEN)
    GEN.mkdir(parents=True)
    desc = {}  # relative path -> description

    def rel(p):
        return Path(p).relative_to(HERE).as_posix()

    # 1) every dtype x byte order x container -------------------------------
    for dt in DTYPES:
        data = range_data(dt, SHAPE, rng)
        for ename, e in ENDIANS.items():
            for cname, (cls, suffix) in CONTAINERS.items():
                p = GEN / 'dtype' / f'{dt}_{ename}{suffix}'
                write_nifti(p, data.astype(np.dtype(dt).newbyteorder(e)), cls=cls,
                            endian=e)
                hp = p.with_name(p.name.replace('.img', '.hdr')) if cls is nib.Nifti1Pair else p
                desc[rel(hp)] = (f'{dt}, header/data byte order {e}, container {cname}; '
                                 'data spans the dtype range (min/max first); '
                                 'sform_code 2 == qform_code 1 == diag(2,3,4)+[-10,20,-30]')
    # float32 with NaNs
    f = rng.uniform(-100, 100, size=SHAPE).astype(np.float32)
    for idx in [(1, 0, 0), (0, 2, 0), (4, 3, 2)]:
        f[idx] = np.nan
    write_nifti(GEN / 'dtype' / 'float32_nan_le.nii', f)
    desc['nibabel/dtype/float32_nan_le.nii'] = 'float32 with 3 NaN voxels (F-order indices 1, 10, 59)'

    # 2) NIfTI-2 --------------------------------------------------------------
    for dt in ['int16', 'float32', 'float64']:
        data = range_data(dt, SHAPE, rng)
        for ename, e in ENDIANS.items():
            for suffix in ['.nii', '.nii.gz']:
                if dt == 'float64' and suffix == '.nii.gz':
                    continue
                p = GEN / 'nifti2' / f'{dt}_{ename}{suffix}'
                write_nifti(p, data, cls=nib.Nifti2Image, endian=e)
                desc[rel(p)] = f'NIfTI-2 {dt}, byte order {e}'
    write_nifti(GEN / 'nifti2' / 'ext_int16_le.nii', index_data(SHAPE), cls=nib.Nifti2Image,
                extensions=[Nifti1Extension('comment', b'NIfTI-2 comment extension, 40 bytes!!')])
    desc['nibabel/nifti2/ext_int16_le.nii'] = ('NIfTI-2 with one comment extension '
                                               '(vox_offset > 544); value == F-order index')

    # 3) scaling ---------------------------------------------------------------
    i16 = range_data('int16', SHAPE, rng)
    u8 = range_data('uint8', SHAPE, rng)
    f32 = rng.uniform(-1000, 1000, size=SHAPE).astype(np.float32)
    S = GEN / 'scaling'
    write_nifti(S / 'int16_slope0.5_inter-3.25_le.nii', i16, slope_inter=(0.5, -3.25))
    write_nifti(S / 'int16_slope0.5_inter-3.25_be.nii.gz', i16, endian='>',
                slope_inter=(0.5, -3.25))
    write_nifti(S / 'int16_slope0.5_inter-3.25_le.img', i16, cls=nib.Nifti1Pair,
                slope_inter=(0.5, -3.25))
    write_nifti(S / 'uint8_slope0.25_inter1.5_le.nii', u8, slope_inter=(0.25, 1.5))
    write_nifti(S / 'uint8_slope0.1_inter0.3_le.nii', u8, slope_inter=(0.1, 0.3))
    write_nifti(S / 'float32_slope2_inter1_le.nii', f32, slope_inter=(2.0, 1.0))
    write_nifti(S / 'int16_slope0_inter5_le.nii', i16,
                fields={'scl_slope': 0.0, 'scl_inter': 5.0})
    write_nifti(S / 'int16_slopenan_inter7_le.nii', i16,
                fields={'scl_slope': np.nan, 'scl_inter': 7.0})
    write_nifti(S / 'int16_slope1_inter0_le.nii', i16,
                fields={'scl_slope': 1.0, 'scl_inter': 0.0})
    write_nifti(S / 'int16_slope1_inter10_le.nii', i16,
                fields={'scl_slope': 1.0, 'scl_inter': 10.0})
    for p in sorted(S.iterdir()):
        if p.suffix == '.img':
            continue
        desc[rel(p)] = 'scaled data: value = raw * scl_slope + scl_inter (float64); see slope/inter'
    desc['nibabel/scaling/uint8_slope0.1_inter0.3_le.nii'] = (
        'slope/inter not exactly representable in float32: scaling must use the float32 '
        'header values widened to float64, raw*slope+inter in float64')
    desc['nibabel/scaling/int16_slope0_inter5_le.nii'] = 'scl_slope == 0 -> no scaling (inter 5 ignored)'
    desc['nibabel/scaling/int16_slopenan_inter7_le.nii'] = 'scl_slope == NaN -> no scaling (inter 7 ignored)'
    desc['nibabel/scaling/int16_slope1_inter10_le.nii'] = 'slope 1, inter 10 -> offset only'

    # 4) extensions ----------------------------------------------------------
    X = GEN / 'ext'
    exts = [Nifti1Extension('comment', b'Xai4Mri fixture: first comment extension'),
            Nifti1Extension('comment', b'second extension, ' + b'x' * 70)]
    write_nifti(X / 'two_comments_le.nii', index_data(SHAPE), extensions=exts)
    write_nifti(X / 'two_comments_be.nii.gz', index_data(SHAPE), endian='>', extensions=exts)
    write_nifti(X / 'two_comments_le.img', index_data(SHAPE), cls=nib.Nifti1Pair, extensions=exts)
    for p in sorted(X.iterdir()):
        if p.suffix != '.img':
            desc[rel(p)] = ('two comment (ecode 6) extensions; value == F-order index; '
                            'single file: vox_offset = 352 + ext sizes; pair: extensions in .hdr, '
                            'data at 0 in .img')

    # 5) affine sources ------------------------------------------------------
    A = GEN / 'affine'
    shear = np.array([[1.0, 0.2, 0.0], [0.0, 1.0, 0.3], [0.1, 0.0, 1.0]])
    s_aff = from_mv(rot('z', 25) @ rot('x', 10) @ shear @ np.diag([1.5, 2.0, 2.5]),
                    [12.5, -40.0, 7.25])
    q_aff = from_mv(rot('y', 20) @ np.diag([1.5, 2.0, 2.5]), [1.0, 2.0, 3.0])
    write_nifti(A / 'sform_shear_le.nii', index_data(SHAPE), sform=s_aff, scode=2,
                qform=q_aff, qcode=1)
    desc['nibabel/affine/sform_shear_le.nii'] = ('sform_code 2 with rotation+shear (used), '
                                                 'qform_code 1 with a different rotation (ignored)')
    # qform only, rotation with qfac -1 (negative determinant); junk in srow
    q_neg = from_mv(rot('z', 30) @ rot('x', 15) @ np.diag([1.5, 2.0, -2.5]), [-20.0, 15.0, 9.0])
    junk = from_mv(np.diag([7.0, 7.0, 7.0]), [100.0, 100.0, 100.0])
    for ename, e in ENDIANS.items():
        write_nifti(A / f'qform_only_qfac-1_{ename}.nii', index_data(SHAPE), endian=e,
                    sform=junk, scode=0, qform=q_neg, qcode=1)
        desc[f'nibabel/affine/qform_only_qfac-1_{ename}.nii'] = (
            'sform_code 0 (srow holds a junk diag(7)+100 affine that must be ignored), '
            'qform_code 1 with rotation and qfac (pixdim[0]) = -1')
    # qfac 0 in file (treated as 1)
    q_pos = from_mv(rot('z', -40) @ np.diag([1.0, 1.25, 3.0]), [5.0, -5.0, 0.5])
    write_nifti(A / 'qform_only_qfac0_le.nii', index_data(SHAPE), sform=junk, scode=0,
                qform=q_pos, qcode=1, pixdim0=0.0)
    desc['nibabel/affine/qform_only_qfac0_le.nii'] = (
        'qform only; pixdim[0] == 0 on disk: nibabel treats (and fixes on load) qfac as 1')
    # neither
    write_nifti(A / 'no_xform_le.nii', index_data(SHAPE), sform=junk, scode=0, qform=q_neg,
                qcode=0, zooms=(2.0, 3.0, 4.0))
    desc['nibabel/affine/no_xform_le.nii'] = (
        'sform_code 0 and qform_code 0 (srow / quatern hold junk): nibabel falls back to the '
        'Analyze-style pixdim affine: diag(-pixdim1, pixdim2, pixdim3), origin at voxel (shape-1)/2')
    write_nifti(A / 'no_xform_2d_le.nii', index_data((5, 4)), sform=junk, scode=0, qform=q_neg,
                qcode=0, zooms=(2.0, 3.0))
    desc['nibabel/affine/no_xform_2d_le.nii'] = 'as no_xform_le.nii but 2-D (5,4)'

    # 6) dimensionality -------------------------------------------------------
    D = GEN / 'dims'
    dims = {
        '2d_5x4': ((5, 4), None),
        '3d_5x4x3': ((5, 4, 3), None),
        '4d_5x4x3x2': ((5, 4, 3, 2), (2.0, 3.0, 4.0, 2.5)),
        '5d_4x3x2x2x2': ((4, 3, 2, 2, 2), (2.0, 3.0, 4.0, 2.5, 1.0)),
        '5d_4x3x2x1x1': ((4, 3, 2, 1, 1), None),
        '3d_4x3x1': ((4, 3, 1), None),
        '7d_2x2x2x1x1x1x2': ((2, 2, 2, 1, 1, 1, 2), None),
    }
    for name, (shape, zooms) in dims.items():
        write_nifti(D / f'{name}.nii', index_data(shape), zooms=zooms)
        desc[f'nibabel/dims/{name}.nii'] = (f'shape {shape}; int16 value == Fortran-order '
                                           'linear index')
    write_nifti(D / '4d_5x4x3x2_be.nii.gz', index_data((5, 4, 3, 2)), endian='>',
                zooms=(2.0, 3.0, 4.0, 2.5))
    desc['nibabel/dims/4d_5x4x3x2_be.nii.gz'] = 'as 4d_5x4x3x2.nii, big endian, gzipped'

    # 7) MGH --------------------------------------------------------------------
    M = GEN / 'mgh'
    M.mkdir(parents=True)
    mgh_aff = from_mv(np.array([[-2.0, 0, 0], [0, 0, 4.0], [0, -3.0, 0]]), [10.0, -20.0, 30.0])
    for dt in ['uint8', 'int16', 'int32', 'float32']:
        data = range_data(dt, SHAPE, rng)
        for suffix in ['.mgh', '.mgz']:
            p = M / f'{dt}{suffix}'
            nib.save(nib.MGHImage(data, mgh_aff), str(p))
            desc[rel(p)] = (f'MGH {dt} (always big endian); data spans the dtype range; '
                            'LIA-like axis permutation affine')
    img = nib.MGHImage(index_data((5, 4, 3, 2), 'float32'), mgh_aff)
    img.header['tr'] = 2500.0
    img.header['flip_angle'] = 0.5
    img.header['te'] = 30.0
    img.header['ti'] = 900.0
    nib.save(img, str(M / 'float32_4d.mgz'))
    desc['nibabel/mgh/float32_4d.mgz'] = ('MGH 4-D (5,4,3,2), value == F-order index; '
                                          'tr=2500 ms (4th zoom), flip 0.5 rad, te 30, ti 900 in footer')
    obl = from_mv(rot('z', 20) @ rot('y', -10) @ np.diag([0.9, 1.1, 1.3]), [-3.5, 12.0, 40.25])
    img = nib.MGHImage(index_data(SHAPE, 'int32'), obl)
    nib.save(img, str(M / 'int32_oblique.mgh'))
    desc['nibabel/mgh/int32_oblique.mgh'] = ('MGH with rotated, anisotropic affine; value == '
                                             'F-order index')

    # 8) unsupported datatypes ------------------------------------------------
    U = GEN / 'unsupported'
    c = (index_data(SHAPE, 'float32') + 1j * index_data(SHAPE, 'float32')[::-1]).astype(np.complex64)
    write_nifti(U / 'complex64.nii', c)
    write_nifti(U / 'complex128.nii', c.astype(np.complex128))
    rgb_dt = np.dtype([('R', 'u1'), ('G', 'u1'), ('B', 'u1')])
    rgb = np.zeros(SHAPE, dtype=rgb_dt)
    rgb['R'] = index_data(SHAPE, 'uint8')
    rgb['G'] = 2 * index_data(SHAPE, 'uint8')
    rgb['B'] = 255
    write_nifti(U / 'rgb24.nii', rgb)
    rgba_dt = np.dtype([('R', 'u1'), ('G', 'u1'), ('B', 'u1'), ('A', 'u1')])
    rgba = np.zeros(SHAPE, dtype=rgba_dt)
    rgba['R'] = index_data(SHAPE, 'uint8')
    rgba['A'] = 128
    write_nifti(U / 'rgba32.nii', rgba)
    for p in sorted(U.iterdir()):
        desc[rel(p)] = 'datatype a scalar-image reader should reject (error test)'
    return desc


# ------------------------------------------------------------- description
def sha256(b):
    return hashlib.sha256(b).hexdigest()


def jfloat(x):
    x = float(x)
    return None if math.isnan(x) else x


def fmt_of(img):
    if isinstance(img, nib.MGHImage):
        return 'mgh'
    if isinstance(img, nib.Nifti2Image):
        return 'nifti2'
    if isinstance(img, nib.Nifti2Pair):
        return 'nifti2-pair'
    if isinstance(img, nib.Nifti1Image):
        return 'nifti1'
    if isinstance(img, nib.Nifti1Pair):
        return 'nifti1-pair'
    raise TypeError(type(img))


def disk_header(img, path, check):
    """Header as read from disk (nibabel resets vox_offset / scl_* on img.header)."""
    klass = type(img)
    fm = klass.filespec_to_file_map(str(path))
    fh = fm['header'] if 'header' in fm else fm['image']
    with fh.get_prepare_fileobj(mode='rb') as f:
        return klass.header_class.from_fileobj(f, check=check)


def data_path(img, path):
    fm = type(img).filespec_to_file_map(str(path))
    return Path(fm['image'].filename)


def header_raw(img, path):
    h = disk_header(img, path, check=False)
    if isinstance(img, nib.MGHImage):
        ftr = {}
        for k in ['tr', 'flip_angle', 'te', 'ti']:
            ftr[k] = jfloat(h[k])
        return {
            'version': int(h['version']),
            'dims': [int(v) for v in h['dims']],
            'type': int(h['type']),
            'dof': int(h['dof']),
            'goodRASFlag': int(h['goodRASFlag']),
            'delta': [jfloat(v) for v in h['delta']],
            'Mdc': [[jfloat(v) for v in row] for row in h['Mdc']],
            'Pxyz_c': [jfloat(v) for v in h['Pxyz_c']],
            **ftr,
        }
    return {
        'sizeof_hdr': int(h['sizeof_hdr']),
        'magic': h['magic'].item().decode('latin1'),
        'dim': [int(v) for v in h['dim']],
        'pixdim': [jfloat(v) for v in h['pixdim']],
        'bitpix': int(h['bitpix']),
        'vox_offset': float(h['vox_offset']),
        'scl_slope': jfloat(h['scl_slope']),
        'scl_inter': jfloat(h['scl_inter']),
        'xyzt_units': int(h['xyzt_units']),
        'quatern': [jfloat(h[k]) for k in ['quatern_b', 'quatern_c', 'quatern_d']],
        'qoffset': [jfloat(h[k]) for k in ['qoffset_x', 'qoffset_y', 'qoffset_z']],
        'srow': [[jfloat(v) for v in h[k]] for k in ['srow_x', 'srow_y', 'srow_z']],
        'extension_codes': [int(e.get_code()) for e in h.extensions],
    }


def describe(path, description=''):
    path = Path(path)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        img = nib.load(str(path))
    fmt = fmt_of(img)
    hdr = img.header
    dpath = data_path(img, path)
    is_mgh = fmt == 'mgh'
    dt = np.dtype(img.get_data_dtype())
    e = {
        'file': path.relative_to(HERE).as_posix(),
        'data_file': dpath.relative_to(HERE).as_posix(),
        'description': description,
        'format': fmt,
        'sha256_file': sha256(path.read_bytes()),
        'sha256_data_file': sha256(dpath.read_bytes()),
        'shape': [int(s) for s in img.shape],
        'zooms': [float(z) for z in hdr.get_zooms()],
        'affine': [[float(v) for v in row] for row in img.affine],
        'axcodes': ''.join(nib.aff2axcodes(img.affine)),
        'datatype': dt.name,
        'byteorder': hdr.endianness,
        'datatype_code': int(hdr['type'] if is_mgh else hdr['datatype']),
    }
    dh = disk_header(img, path, check=True)
    if is_mgh:
        e.update({'slope': None, 'inter': None, 'sform_code': None, 'qform_code': None,
                  'vox_offset': int(dh.get_data_offset())})
    else:
        s, i = dh.get_slope_inter()
        e.update({'slope': None if s is None else float(s),
                  'inter': None if i is None else float(i),
                  'sform_code': int(hdr['sform_code']),
                  'qform_code': int(hdr['qform_code']),
                  'vox_offset': int(img.dataobj.offset)})
        assert int(img.dataobj.offset) == int(dh.get_data_offset())
    e['header_raw'] = header_raw(img, path)
    code = e['datatype_code']
    supported = (MGH_CODES if is_mgh else NIFTI_CODES).get(code)
    if supported is None:
        e['unsupported_datatype_code'] = code
        return e
    assert supported == dt.name, (path, code, dt)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        data = img.get_fdata(dtype=np.float64)
        raw = np.asanyarray(img.dataobj.get_unscaled())
        f32 = data.astype('<f4')  # float64 max -> inf, like (float)double in C#
    flat = data.ravel(order='F')
    ok = flat[~np.isnan(flat)]
    e.update({
        'min': float(ok.min()),
        'max': float(ok.max()),
        'mean': math.fsum(ok.tolist()) / ok.size,
        'sum': math.fsum(ok.tolist()),
        'nan_count': int(np.isnan(flat).sum()),
        'sha256_f32': sha256(f32.tobytes(order='F')),
        'sha256_raw': sha256(raw.astype(dt.newbyteorder('<')).tobytes(order='F')),
        'first_values': [jfloat(v) for v in flat[:8]],
        'first_values_raw': [(jfloat(v) if dt.kind == 'f' else int(v))
                             for v in raw.ravel(order='F')[:8]],
    })
    return e


def list_fixtures():
    """Primary files (for pairs: the header), sorted."""
    out = []
    for p in sorted(REAL.rglob('*')) + sorted(GEN.rglob('*')):
        if not p.is_file():
            continue
        n = p.name
        if n.endswith(('.img', '.img.gz')):
            continue
        if n.endswith(('.nii', '.nii.gz', '.hdr', '.hdr.gz', '.mgh', '.mgz')):
            out.append(p)
    return out


def build_expected(desc):
    files = []
    for p in list_fixtures():
        r = p.relative_to(HERE).as_posix()
        d = desc.get(r, 'real-world file, see PROVENANCE.md' if r.startswith('real/') else '')
        files.append(describe(p, d))
    doc = {
        'generator': (f'Written by Fixtures/make_fixtures.py with nibabel {nib.__version__}, '
                      f'numpy {np.__version__}, python {sys.version.split()[0]}; '
                      f'regenerate with: {CMD}'),
        'nibabel_version': nib.__version__,
        'numpy_version': np.__version__,
        'command': CMD,
        'seed': SEED,
        'files': files,
    }
    return doc


def dump(doc):
    txt = json.dumps(doc, indent=1, allow_nan=False, ensure_ascii=True)
    EXPECTED.write_text(txt + '\n', encoding='ascii')


# ------------------------------------------------------------ real files
def ensure_real():
    REAL.mkdir(parents=True, exist_ok=True)
    for src in REAL_SOURCES:
        src = Path(src)
        dst = REAL / src.name
        if not dst.exists():
            if not src.exists():
                raise SystemExit(f'missing {dst} and its source {src}')
            shutil.copyfile(src, dst)
        elif src.exists() and src.read_bytes() != dst.read_bytes():
            raise SystemExit(f'{dst} differs from {src}')


# ------------------------------------------------------ independent reader
N1 = {  # NIfTI-1 field offsets
    'dim': (40, 'h', 8), 'datatype': (70, 'h', 1), 'bitpix': (72, 'h', 1),
    'pixdim': (76, 'f', 8), 'vox_offset': (108, 'f', 1), 'scl_slope': (112, 'f', 1),
    'scl_inter': (116, 'f', 1), 'qform_code': (252, 'h', 1), 'sform_code': (254, 'h', 1),
    'quatern': (256, 'f', 3), 'qoffset': (268, 'f', 3), 'srow': (280, 'f', 12),
    'magic': (344, '4s', 1),
}
N2 = {  # NIfTI-2 field offsets
    'magic': (4, '8s', 1), 'datatype': (12, 'h', 1), 'bitpix': (14, 'h', 1),
    'dim': (16, 'q', 8), 'pixdim': (104, 'd', 8), 'vox_offset': (168, 'q', 1),
    'scl_slope': (176, 'd', 1), 'scl_inter': (184, 'd', 1), 'qform_code': (344, 'i', 1),
    'sform_code': (348, 'i', 1), 'quatern': (352, 'd', 3), 'qoffset': (376, 'd', 3),
    'srow': (400, 'd', 12),
}
RAW_DT = {2: 'u1', 4: 'i2', 8: 'i4', 16: 'f4', 64: 'f8', 256: 'i1', 512: 'u2',
          768: 'u4', 1024: 'i8', 1280: 'u8'}
MGH_DT = {0: 'u1', 4: 'i2', 1: 'i4', 3: 'f4'}


def read_bytes(p):
    b = Path(p).read_bytes()
    return gzip.decompress(b) if b[:2] == b'\x1f\x8b' else b  # .gz / .mgz


def unpack(b, table, bo):
    out = {}
    for k, (off, f, n) in table.items():
        v = struct.unpack_from(bo + (f if n == 1 else f'{n}{f}'), b, off)
        out[k] = v[0] if n == 1 else list(v)
    return out


def raw_decode(entry):
    """Decode a fixture without nibabel. Returns dict of derived values."""
    hb = read_bytes(HERE / entry['file'])
    db = read_bytes(HERE / entry['data_file'])
    if entry['format'] == 'mgh':
        bo = '>'
        dims = struct.unpack_from('>4i', hb, 4)
        code = struct.unpack_from('>i', hb, 20)[0]
        delta = np.array(struct.unpack_from('>3f', hb, 30), np.float32)
        mdc = np.array(struct.unpack_from('>9f', hb, 42), np.float32).reshape(3, 3)
        pc = np.array(struct.unpack_from('>3f', hb, 78), np.float32)
        shape = list(dims) if dims[3] > 1 else list(dims[:3])
        offset = 284
        dt = np.dtype(bo + MGH_DT[code])
        n = int(np.prod(dims))
        # footer (tr, flip, te, ti) follows the data
        tr = struct.unpack_from('>f', hb, offset + n * dt.itemsize)[0]
        zooms = [float(v) for v in delta] + ([tr] if dims[3] > 1 else [])
        # nibabel: MdcD = Mdc^T * delta in float32; centre = MdcD . dims / 2 in
        # float64; translation = Pxyz_c - centre, rounded to float32 (the whole
        # affine is float32, img.affine is its float64 copy)
        mdcd = mdc.T * delta
        center = mdcd.astype(np.float64) @ np.array(dims[:3], np.float64) / 2
        aff = np.eye(4)
        aff[:3, :3] = mdcd
        aff[:3, 3] = (pc.astype(np.float64) - center).astype(np.float32)
        qform_used = False
        slope, inter = None, None
        codes = (None, None)
    else:
        sz_le = struct.unpack_from('<i', hb, 0)[0]
        sz_be = struct.unpack_from('>i', hb, 0)[0]
        bo = '<' if sz_le in (348, 540) else '>'
        sz = sz_le if bo == '<' else sz_be
        assert sz in (348, 540)
        f = unpack(hb, N1 if sz == 348 else N2, bo)
        ndim = f['dim'][0]
        shape = f['dim'][1:ndim + 1]
        code = f['datatype']
        offset = int(f['vox_offset'])
        zooms = [float(v) for v in f['pixdim'][1:ndim + 1]]
        if code not in RAW_DT:
            return {'unsupported_datatype_code': code, 'byteorder': bo, 'shape': shape}
        dt = np.dtype(bo + RAW_DT[code])
        n = int(np.prod(shape))
        slope, inter = f['scl_slope'], f['scl_inter']
        if slope == 0 or not math.isfinite(slope):
            slope, inter = None, None
        codes = (f['sform_code'], f['qform_code'])
        qform_used = f['sform_code'] <= 0 and f['qform_code'] > 0
        if f['sform_code'] > 0:
            aff = np.eye(4)
            aff[:3, :] = np.array(f['srow'], np.float64).reshape(3, 4)
        elif f['qform_code'] > 0:
            b_, c_, d_ = (float(v) for v in f['quatern'])
            a2 = 1.0 - (b_ * b_ + c_ * c_ + d_ * d_)
            a_ = math.sqrt(a2) if a2 > 0 else 0.0
            R = np.array([
                [a_*a_+b_*b_-c_*c_-d_*d_, 2*(b_*c_-a_*d_), 2*(b_*d_+a_*c_)],
                [2*(b_*c_+a_*d_), a_*a_+c_*c_-b_*b_-d_*d_, 2*(c_*d_-a_*b_)],
                [2*(b_*d_-a_*c_), 2*(c_*d_+a_*b_), a_*a_+d_*d_-c_*c_-b_*b_]])
            qfac = -1.0 if f['pixdim'][0] == -1 else 1.0   # 0 (and anything else) -> 1
            pd = np.array(f['pixdim'][1:4], np.float64)
            pd[2] *= qfac
            aff = np.eye(4)
            aff[:3, :3] = R * pd
            aff[:3, 3] = f['qoffset']
        else:
            sh = np.ones(3)
            zz = np.ones(3)
            k = min(ndim, 3)
            sh[:k] = shape[:k]
            zz[:k] = f['pixdim'][1:k + 1]
            zz[0] *= -1
            aff = np.eye(4)
            aff[:3, :3] = np.diag(zz)
            aff[:3, 3] = -(sh - 1) / 2.0 * zz
    raw = np.frombuffer(db, dtype=dt, count=n, offset=offset)
    raw_f = raw.astype(np.float64)
    if slope is not None:
        scaled = raw_f * slope + inter
    else:
        scaled = raw_f
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        f32 = scaled.astype('<f4')
    return {
        'shape': [int(s) for s in shape], 'byteorder': bo, 'datatype_code': code,
        'vox_offset': offset, 'zooms': zooms, 'affine': aff, 'slope': slope, 'inter': inter,
        'sform_code': codes[0], 'qform_code': codes[1],
        'sha256_raw': sha256(raw.astype(dt.newbyteorder('<')).tobytes()),
        'sha256_f32': sha256(f32.tobytes()),
        'nan_count': int(np.isnan(scaled).sum()),
        'qform_used': qform_used,
    }


def verify():
    doc = json.loads(EXPECTED.read_text())
    errors = []
    listed = {e['file'] for e in doc['files']}
    on_disk = {p.relative_to(HERE).as_posix() for p in list_fixtures()}
    if listed != on_disk:
        errors.append(f'file list mismatch: {sorted(listed ^ on_disk)}')
    for e in doc['files']:
        # 1) nibabel round trip
        again = describe(HERE / e['file'], e['description'])
        if json.dumps(again, allow_nan=False) != json.dumps(e, allow_nan=False):
            diff = [k for k in set(e) | set(again) if e.get(k) != again.get(k)]
            errors.append(f"{e['file']}: nibabel reload differs in {diff}")
        # 2) independent raw decoder
        r = raw_decode(e)
        keys = ['shape', 'byteorder']
        if 'unsupported_datatype_code' in e:
            keys.append('unsupported_datatype_code')
        else:
            keys += ['datatype_code', 'vox_offset', 'slope', 'inter', 'sform_code',
                     'qform_code', 'sha256_raw', 'sha256_f32', 'nan_count']
        for k in keys:
            if r[k] != e[k]:
                errors.append(f"{e['file']}: raw reader {k}={r[k]!r} expected {e[k]!r}")
        if 'unsupported_datatype_code' in e:
            continue
        if not np.allclose(r['zooms'], e['zooms'], rtol=0, atol=0):
            errors.append(f"{e['file']}: zooms {r['zooms']} vs {e['zooms']}")
        # sform / base / MGH affines must match exactly; the qform quaternion
        # path differs from nibabel (which uses long double) by ~1e-17
        tol = 1e-12 if r['qform_used'] else 0.0
        if np.abs(np.asarray(r['affine']) - np.asarray(e['affine'])).max() > tol:
            errors.append(f"{e['file']}: affine\n{r['affine']}\nvs\n{np.array(e['affine'])}")
    if errors:
        print('\n'.join(errors))
        raise SystemExit(f'{len(errors)} verification error(s)')
    print(f'verified {len(doc["files"])} entries (nibabel reload + independent raw decoder)')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--verify', action='store_true', help='only verify expected.json')
    a = ap.parse_args()
    if not a.verify:
        ensure_real()
        desc = generate()
        dump(build_expected(desc))
        print(f'wrote {EXPECTED.relative_to(HERE.parent.parent)}')
    verify()


if __name__ == '__main__':
    main()
