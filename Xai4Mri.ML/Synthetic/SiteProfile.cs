using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Synthetic;

/// <summary>
/// A synthetic scanner/site: contrast, intensity scale, bias field, noise, grid and storage choices applied to every
/// subject scanned there. Use a predefined site as is, or derive one with <c>with { ... }</c>.
/// </summary>
public sealed record SiteProfile
{
    /// <summary>Research 3T T1w: 2 mm, RAS, float32, low Rician noise, mild bias field.</summary>
    public static SiteProfile SiteA { get; } = new()
    {
        Name = "site-a", Contrast = SyntheticContrast.T1w, VoxelSize = 2, Orientation = "RAS", DataType = NiftiDataType.Float32,
        IntensityScale = 1000, NoiseLevel = 0.03, NoiseModel = SyntheticNoiseModel.Rician, BiasFieldStrength = 0.10, MaxShift = 6,
    };

    /// <summary>Older 1.5T T1w: 2 mm, LAS (radiological), int16, more Gaussian noise and a strong bias field, head placed loosely.</summary>
    public static SiteProfile SiteB { get; } = new()
    {
        Name = "site-b", Contrast = SyntheticContrast.T1w, VoxelSize = 2, Orientation = "LAS", DataType = NiftiDataType.Int16,
        IntensityScale = 2500, NoiseLevel = 0.05, NoiseModel = SyntheticNoiseModel.Gaussian, BiasFieldStrength = 0.25, MaxShift = 12,
    };

    /// <summary>FreeSurfer-like T1w: 1.5 mm, LIA (conformed orientation), int16, small intensity range.</summary>
    public static SiteProfile SiteC { get; } = new()
    {
        Name = "site-c", Contrast = SyntheticContrast.T1w, VoxelSize = 1.5, Orientation = "LIA", DataType = NiftiDataType.Int16,
        IntensityScale = 110, NoiseLevel = 0.02, NoiseModel = SyntheticNoiseModel.Rician, BiasFieldStrength = 0.15, MaxShift = 4,
    };

    /// <summary>FLAIR: 2 mm, PSR, float32; CSF dark, lesions bright.</summary>
    public static SiteProfile SiteD { get; } = new()
    {
        Name = "site-d", Contrast = SyntheticContrast.Flair, VoxelSize = 2, Orientation = "PSR", DataType = NiftiDataType.Float32,
        IntensityScale = 800, NoiseLevel = 0.04, NoiseModel = SyntheticNoiseModel.Rician, BiasFieldStrength = 0.20, MaxShift = 8,
    };

    /// <summary>High-resolution research T1w: 1 mm, RAS, float32 (eight times the voxels of a 2 mm site; slow for big cohorts).</summary>
    public static SiteProfile SiteE { get; } = new()
    {
        Name = "site-e", Contrast = SyntheticContrast.T1w, VoxelSize = 1, Orientation = "RAS", DataType = NiftiDataType.Float32,
        IntensityScale = 1000, NoiseLevel = 0.025, NoiseModel = SyntheticNoiseModel.Rician, BiasFieldStrength = 0.12, MaxShift = 6,
    };

    /// <summary>Low-resolution clinical T1w: 4 mm, LPI, int16, noisy.</summary>
    public static SiteProfile SiteF { get; } = new()
    {
        Name = "site-f", Contrast = SyntheticContrast.T1w, VoxelSize = 4, Orientation = "LPI", DataType = NiftiDataType.Int16,
        IntensityScale = 1500, NoiseLevel = 0.04, NoiseModel = SyntheticNoiseModel.Gaussian, BiasFieldStrength = 0.20, MaxShift = 10,
    };

    /// <summary>All predefined sites, in name order.</summary>
    public static IReadOnlyList<SiteProfile> Predefined { get; } = [SiteA, SiteB, SiteC, SiteD, SiteE, SiteF];

    /// <summary>Site name, written to the <c>site</c> column of participants.tsv.</summary>
    public required string Name { get; init; }

    /// <summary>Tissue contrast. Default T1w.</summary>
    public SyntheticContrast Contrast { get; init; } = SyntheticContrast.T1w;

    /// <summary>Isotropic voxel size in millimetres (any positive value). Default 2.</summary>
    public double VoxelSize { get; init; } = 2;

    /// <summary>Orientation of the stored voxel axes as three axis codes, e.g. <c>"RAS"</c>, <c>"LIA"</c>. Default RAS.</summary>
    public string Orientation { get; init; } = "RAS";

    /// <summary>Stored voxel type: <see cref="NiftiDataType.Float32"/> or <see cref="NiftiDataType.Int16"/> (with a scale slope). Default float32.</summary>
    public NiftiDataType DataType { get; init; } = NiftiDataType.Float32;

    /// <summary>Noise-free white-matter intensity in T1w (the overall scale of the stored values). Default 1000.</summary>
    public double IntensityScale { get; init; } = 1000;

    /// <summary>Noise standard deviation as a fraction of <see cref="IntensityScale"/>. Default 0.03.</summary>
    public double NoiseLevel { get; init; } = 0.03;

    /// <summary>Noise model. Default Rician.</summary>
    public SyntheticNoiseModel NoiseModel { get; init; } = SyntheticNoiseModel.Rician;

    /// <summary>Typical amplitude of the log of the smooth multiplicative bias field (0.1 ≈ ±10 % over the head). Default 0.1.</summary>
    public double BiasFieldStrength { get; init; } = 0.1;

    /// <summary>The head centre is shifted by up to this many millimetres along each axis from the field-of-view centre. Default 6.</summary>
    public double MaxShift { get; init; } = 6;

    /// <summary>Physical field of view in millimetres (left-right, posterior-anterior, inferior-superior); the grid is this divided by the voxel size. Default 192 × 228 × 192.</summary>
    public (double X, double Y, double Z) FieldOfView { get; init; } = (192, 228, 192);

    /// <summary>The predefined site called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static SiteProfile? FindPredefined(string name) =>
        Predefined.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot be used.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException($"site name '{Name}' must be non-empty without whitespace (it is a participants.tsv value)");
        }
        string where = $"site {Name}: ";
        if (!(VoxelSize > 0) || !double.IsFinite(VoxelSize))
        {
            throw new ArgumentException($"{where}voxel size must be a positive number of millimetres, not {VoxelSize}");
        }
        _ = VoxelGrid.ParseOrientation(Orientation, where);
        if (DataType is not (NiftiDataType.Float32 or NiftiDataType.Int16))
        {
            throw new ArgumentException($"{where}data type must be float32 or int16, not {DataType.NumpyName()}");
        }
        if (!(IntensityScale > 0) || !double.IsFinite(IntensityScale))
        {
            throw new ArgumentException($"{where}intensity scale must be positive, not {IntensityScale}");
        }
        if (!(NoiseLevel >= 0) || !double.IsFinite(NoiseLevel))
        {
            throw new ArgumentException($"{where}noise level must be zero or positive, not {NoiseLevel}");
        }
        if (!(BiasFieldStrength >= 0) || !double.IsFinite(BiasFieldStrength))
        {
            throw new ArgumentException($"{where}bias field strength must be zero or positive, not {BiasFieldStrength}");
        }
        if (!(MaxShift >= 0) || !double.IsFinite(MaxShift))
        {
            throw new ArgumentException($"{where}maximum shift must be zero or positive, not {MaxShift}");
        }
        var (fx, fy, fz) = FieldOfView;
        if (!(fx > 0 && fy > 0 && fz > 0) || !double.IsFinite(fx + fy + fz))
        {
            throw new ArgumentException($"{where}field of view must be positive, not {fx} x {fy} x {fz} mm");
        }
        long voxels = VoxelGrid.AxisLength(fx, VoxelSize) * VoxelGrid.AxisLength(fy, VoxelSize) * VoxelGrid.AxisLength(fz, VoxelSize);
        if (voxels > int.MaxValue / 2)
        {
            throw new ArgumentException($"{where}{voxels} voxels per image is too many (voxel size {VoxelSize} mm is too small for the field of view)");
        }
    }
}
