using Xai4Mri.ML.NetworkData;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Synthetic;

/// <summary>
/// One subject scanned at one site: head pose in the scanner, gain, bias field and tissue contrast, all drawn from
/// the subject's acquisition stream, so they stay the same whatever grid the image is sampled on.
/// </summary>
internal sealed class SubjectScan
{
    private const double MaxTiltDegrees = 4;

    private readonly BrainPhantom _phantom;
    private readonly SiteProfile _site;
    private readonly bool _withSkull;
    private readonly int _seed, _subject;
    private readonly double[] _rotation = new double[9];
    private readonly double[] _bias = new double[8];
    private readonly double _gain;
    private readonly TissueContrast _contrast;

    public SubjectScan(BrainPhantom phantom, SiteProfile site, bool withSkull, int seed, int subject)
    {
        _phantom = phantom;
        _site = site;
        _withSkull = withSkull;
        _seed = seed;
        _subject = subject;
        var rng = new DeterministicRandom(seed, subject, RandomStream.Acquisition);
        Centre = (rng.Uniform(-1, 1) * site.MaxShift, rng.Uniform(-1, 1) * site.MaxShift, rng.Uniform(-1, 1) * site.MaxShift);
        // Small head tilts (pitch larger than roll and yaw, as in real positioning), truncated at MaxTiltDegrees.
        double pitch = Tilt(ref rng, 2.5), roll = Tilt(ref rng, 1.5), yaw = Tilt(ref rng, 1.5);
        Rotation(pitch, roll, yaw, _rotation);
        _gain = Math.Exp(rng.Normal(0, 0.05));
        for (int i = 0; i < _bias.Length; i++)
        {
            _bias[i] = rng.NextNormal();
        }
        _contrast = TissueContrast.For(site.Contrast, phantom.AtrophyIndex, ref rng);
        VentricleCentre = ToWorld(phantom.VentricleCentre);
        PlantedLesionCentre = phantom.PlantedLesionCentre is { } planted ? ToWorld(planted) : null;
    }

    private delegate void VoxelVisitor(int index, double wx, double wy, double wz, in TissueFractions f);

    /// <summary>World position (mm) of the template origin, the centre of the intracranial volume.</summary>
    public (double X, double Y, double Z) Centre { get; }

    /// <summary>World position (mm) of the midpoint between the lateral ventricles.</summary>
    public (double X, double Y, double Z) VentricleCentre { get; }

    /// <summary>World position (mm) of the planted lesion's centre; null when none was planted.</summary>
    public (double X, double Y, double Z)? PlantedLesionCentre { get; }

    /// <summary>Computes the image on the canonical RAS grid (x fastest).</summary>
    public float[] Render(VoxelGrid grid)
    {
        var image = new float[grid.VoxelCount];
        double scale = _site.IntensityScale * _gain;
        double sigma = _site.NoiseLevel * _site.IntensityScale;
        // Values inside the brain mask stay strictly positive so that "non-zero" means "brain" to downstream code.
        float floor = (float)(1e-3 * _site.IntensityScale);
        var noise = new DeterministicRandom(_seed, _subject, RandomStream.Noise);
        var (fovX, fovY, fovZ) = _site.FieldOfView;
        double halfX = fovX / 2, halfY = fovY / 2, halfZ = fovZ / 2;
        Sweep(grid, (int o, double wx, double wy, double wz, in TissueFractions f) =>
        {
            if (!_withSkull && !f.InsideMask)
            {
                return;
            }
            // The bias field lives in scanner coordinates normalised by the field of view, independent of the grid.
            double signal = _contrast.Mix(f) * scale * BiasField(wx / halfX, wy / halfY, wz / halfZ);
            double value = AddNoise(signal, sigma, ref noise);
            image[o] = _withSkull ? (float)value : Math.Max(floor, (float)value);
        });
        return image;
    }

    /// <summary>The region of every voxel (<see cref="TissueFractions.Region"/>) on the canonical RAS grid (x fastest).</summary>
    public byte[] RenderRegions(VoxelGrid grid)
    {
        var regions = new byte[grid.VoxelCount];
        Sweep(grid, (int o, double wx, double wy, double wz, in TissueFractions f) => regions[o] = (byte)f.Region());
        return regions;
    }

    /// <summary>Writes the region image on <paramref name="grid"/> as uint8 in the stored orientation, atomically.</summary>
    public void WriteRegions(string path, VoxelGrid grid, string description)
    {
        byte[] canonical = RenderRegions(grid);
        var stored = new byte[canonical.Length];
        grid.ToStored<byte>(canonical, stored);
        NiftiWriter.Write<byte>(path, stored, grid.StoredShape, grid.Affine, new NiftiWriteOptions { Description = description });
    }

    /// <summary>
    /// Samples the phantom at every voxel centre of <paramref name="grid"/> in storage order (x fastest) and hands the
    /// fractions to <paramref name="visit"/>; voxels beyond the head's reach get empty fractions without sampling.
    /// </summary>
    private void Sweep(VoxelGrid grid, VoxelVisitor visit)
    {
        double v = grid.VoxelSize;
        double reach = _phantom.BoundingRadius;
        var (cx, cy, cz) = Centre;
        int i0 = Lower(grid.Index(cx - reach, grid.Nx)), i1 = Upper(grid.Index(cx + reach, grid.Nx), grid.Nx);
        int j0 = Lower(grid.Index(cy - reach, grid.Ny)), j1 = Upper(grid.Index(cy + reach, grid.Ny), grid.Ny);
        int k0 = Lower(grid.Index(cz - reach, grid.Nz)), k1 = Upper(grid.Index(cz + reach, grid.Nz), grid.Nz);
        double[] r = _rotation;
        int o = 0;
        for (int k = 0; k < grid.Nz; k++)
        {
            double wz = grid.World(k, grid.Nz);
            for (int j = 0; j < grid.Ny; j++)
            {
                double wy = grid.World(j, grid.Ny);
                bool rowInReach = k >= k0 && k <= k1 && j >= j0 && j <= j1;
                for (int i = 0; i < grid.Nx; i++, o++)
                {
                    TissueFractions f = default;
                    double wx = grid.World(i, grid.Nx);
                    if (rowInReach && i >= i0 && i <= i1)
                    {
                        // World to template: the transpose of the head's rotation about its centre.
                        double dx = wx - cx, dy = wy - cy, dz = wz - cz;
                        double tx = (r[0] * dx) + (r[3] * dy) + (r[6] * dz);
                        double ty = (r[1] * dx) + (r[4] * dy) + (r[7] * dz);
                        double tz = (r[2] * dx) + (r[5] * dy) + (r[8] * dz);
                        _phantom.Sample(tx, ty, tz, v, _withSkull, out f);
                    }
                    visit(o, wx, wy, wz, in f);
                }
            }
        }
    }

    /// <summary>Renders on <paramref name="grid"/>, stores the requested orientation and type, and writes the file atomically.</summary>
    public void Write(string path, VoxelGrid grid, string description)
    {
        float[] canonical = Render(grid);
        var stored = new float[canonical.Length];
        grid.ToStored<float>(canonical, stored);
        var options = new NiftiWriteOptions { Description = description };
        if (_site.DataType == NiftiDataType.Int16)
        {
            WriteInt16(path, stored, grid, options);
        }
        else
        {
            NiftiWriter.Write<float>(path, stored, grid.StoredShape, grid.Affine, options);
        }
    }

    private (double X, double Y, double Z) ToWorld((double X, double Y, double Z) p)
    {
        double[] r = _rotation;
        return (
            Centre.X + (r[0] * p.X) + (r[1] * p.Y) + (r[2] * p.Z),
            Centre.Y + (r[3] * p.X) + (r[4] * p.Y) + (r[5] * p.Z),
            Centre.Z + (r[6] * p.X) + (r[7] * p.Y) + (r[8] * p.Z));
    }

    /// <summary>
    /// int16 with a slope and zero intercept, so background stays raw 0 (exactly zero after scaling) and every
    /// positive value stays at least one raw step above it.
    /// </summary>
    private static void WriteInt16(string path, float[] values, VoxelGrid grid, NiftiWriteOptions options)
    {
        float max = 0;
        foreach (float x in values)
        {
            max = Math.Max(max, x);
        }
        double slope = max > 0 ? max / 32000.0 : 1;
        var raw = new short[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            raw[i] = values[i] > 0 ? (short)Math.Clamp(Math.Round(values[i] / slope), 1, short.MaxValue) : (short)0;
        }
        options.Slope = slope;
        NiftiWriter.Write<short>(path, raw, grid.StoredShape, grid.Affine, options);
    }

    /// <summary>Smooth multiplicative field: the exponential of a second-order polynomial in normalised scanner coordinates.</summary>
    private double BiasField(double x, double y, double z)
    {
        if (_site.BiasFieldStrength == 0)
        {
            return 1;
        }
        double[] c = _bias;
        double log = (c[0] * x) + (c[1] * y) + (c[2] * z) + (c[3] * x * y) + (c[4] * y * z) + (c[5] * x * z)
            + (c[6] * ((x * x) - (y * y))) + (c[7] * ((z * z) - (1.0 / 3)));
        return Math.Exp(_site.BiasFieldStrength * 0.5 * log);
    }

    private double AddNoise(double signal, double sigma, ref DeterministicRandom rng)
    {
        if (sigma == 0)
        {
            return signal;
        }
        if (_site.NoiseModel == SyntheticNoiseModel.Rician)
        {
            double re = signal + (sigma * rng.NextNormal());
            double im = sigma * rng.NextNormal();
            return Math.Sqrt((re * re) + (im * im));
        }
        return Math.Max(0, signal + (sigma * rng.NextNormal()));
    }

    private static double Tilt(ref DeterministicRandom rng, double sdDegrees) =>
        Math.Clamp(rng.Normal(0, sdDegrees), -MaxTiltDegrees, MaxTiltDegrees) * Math.PI / 180;

    /// <summary>Row-major rotation: pitch about x (nodding), then roll about y, then yaw about z.</summary>
    private static void Rotation(double pitch, double roll, double yaw, double[] m)
    {
        double cp = Math.Cos(pitch), sp = Math.Sin(pitch);
        double cr = Math.Cos(roll), sr = Math.Sin(roll);
        double cyaw = Math.Cos(yaw), syaw = Math.Sin(yaw);
        double[] rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
        double[] ry = [cr, 0, sr, 0, 1, 0, -sr, 0, cr];
        double[] rz = [cyaw, -syaw, 0, syaw, cyaw, 0, 0, 0, 1];
        double[] t = Multiply(ry, rx);
        double[] result = Multiply(rz, t);
        Array.Copy(result, m, 9);
    }

    private static double[] Multiply(double[] a, double[] b)
    {
        var m = new double[9];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++)
            {
                m[(r * 3) + c] = (a[r * 3] * b[c]) + (a[(r * 3) + 1] * b[3 + c]) + (a[(r * 3) + 2] * b[6 + c]);
            }
        }
        return m;
    }

    private static int Lower(double index) => Math.Max(0, (int)Math.Floor(index));

    private static int Upper(double index, int n) => Math.Min(n - 1, (int)Math.Ceiling(index));
}
