using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;

namespace Xai4Mri.ML.Tests.Synthetic;

/// <summary>Orientation, voxel size and storage type change how a scan is stored, never where the anatomy is.</summary>
[TestClass]
public sealed class SyntheticGeometryTests
{
    // Shifted well off the field-of-view centre, so a wrong flip or swap in the affine would move a landmark by centimetres.
    private static readonly SiteProfile Shifted = SiteProfile.SiteA with { Name = "shifted", MaxShift = 30 };

    private static SyntheticSubject One(string folder, double voxelSize, string orientation, SiteProfile? site = null, bool withSkull = false) =>
        SyntheticCohort.Generate(new SyntheticCohortOptions
        {
            OutputFolder = folder, Subjects = 1, Seed = 7, Sites = [site ?? Shifted], VoxelSize = voxelSize, Orientation = orientation,
            WithSkull = withSkull,
        }).Subjects[0];

    [TestMethod]
    [DataRow("RAS")]
    [DataRow("LAS")]
    [DataRow("LIA")]
    [DataRow("PSR")]
    [DataRow("ASL")]
    [DataRow("IRP")]
    public void StoredOrientationIsTheRequestedOneAndLandmarksKeepTheirWorldPosition(string orientation)
    {
        using var dir = TestPaths.Scratch();
        foreach (double voxelSize in new[] { 6.0, 8.0 })
        {
            var subject = One(dir.File($"{voxelSize}"), voxelSize, orientation);
            var image = MriImage.Load(subject.Path);

            Assert.AreEqual(orientation, image.AxisCodes);
            CollectionAssert.AreEqual(new[] { voxelSize, voxelSize, voxelSize }, image.Zooms.Take(3).ToArray());
            Assert.IsGreaterThan(10.0, Math.Abs(subject.VentricleCentre.X) + Math.Abs(subject.VentricleCentre.Y) + Math.Abs(subject.VentricleCentre.Z),
                "the test needs a head away from the field-of-view centre");
            // The ventricles are the dark structures around their reported centre; their centroid, found through
            // the affine, must land on it whatever the grid.
            var (ml, centroid) = VolumeMeasures.DarkAround(image, subject.VentricleCentre, 20);
            Assert.IsGreaterThan(3.0, ml, $"{orientation} {voxelSize} mm: no ventricles at the reported centre");
            double off = VolumeMeasures.Distance(centroid, subject.VentricleCentre);
            Assert.IsLessThan(4.0, off, $"{orientation} {voxelSize} mm: dark centroid {centroid} is {off:F1} mm from {subject.VentricleCentre}");
            Assert.IsLessThan(voxelSize, VolumeMeasures.Distance(VolumeMeasures.MaskCentroid(image), subject.BrainCentre),
                $"{orientation} {voxelSize} mm: mask centroid {VolumeMeasures.MaskCentroid(image)} vs brain centre {subject.BrainCentre}");
        }
    }

    [TestMethod]
    public void EveryOrientationHoldsTheSameValuesAtTheSameWorldPositions()
    {
        using var dir = TestPaths.Scratch();
        var reference = MriImage.Load(One(dir.File("ras"), 8, "RAS").Path);
        float[] expected = reference.GetFloatData();
        foreach (string orientation in new[] { "LAS", "LIA", "PSR", "SPL" })
        {
            var image = MriImage.Load(One(dir.File(orientation), 8, orientation).Path);
            float[] actual = image.GetFloatData();
            Assert.HasCount(expected.Length, actual);
            // The stored affine is a signed permutation with world-aligned voxel centres: invert it per voxel.
            long nx = image.Shape[0], ny = image.Shape[1];
            Affine a = reference.Affine;
            for (int o = 0; o < actual.Length; o++)
            {
                var (x, y, z) = image.Affine.Apply(o % nx, o / nx % ny, o / (nx * ny));
                long i = (long)Math.Round((x - a[0, 3]) / a[0, 0]);
                long j = (long)Math.Round((y - a[1, 3]) / a[1, 1]);
                long k = (long)Math.Round((z - a[2, 3]) / a[2, 2]);
                float want = expected[i + (reference.Shape[0] * (j + (reference.Shape[1] * k)))];
                if (want != actual[o])
                {
                    Assert.Fail($"{orientation}: voxel {o} at ({x}, {y}, {z}) is {actual[o]}, RAS has {want}");
                }
            }
        }
    }

    [TestMethod]
    [DataRow(1.0, 192, 228, 192)]
    [DataRow(1.5, 128, 152, 128)]
    [DataRow(2.0, 96, 114, 96)]
    [DataRow(4.0, 48, 57, 48)]
    [DataRow(7.0, 27, 33, 27)]
    public void GridIsTheFieldOfViewDividedByTheVoxelSize(double voxelSize, int nx, int ny, int nz)
    {
        using var dir = TestPaths.Scratch();
        // Only the grid is under test here; without noise the 1 mm image compresses quickly.
        var site = SiteProfile.SiteA with { Name = "grid", NoiseLevel = 0 };
        var image = MriImage.Load(One(dir.Path, voxelSize, "RAS", site).Path);

        CollectionAssert.AreEqual(new long[] { nx, ny, nz }, image.Shape);
        var (x, y, z) = image.Affine.Apply((nx - 1) / 2.0, (ny - 1) / 2.0, (nz - 1) / 2.0);
        Assert.IsLessThan(1e-9, Math.Abs(x) + Math.Abs(y) + Math.Abs(z), "the grid is centred on the world origin");
    }

    [TestMethod]
    public void SkullStrippedBackgroundIsExactlyZeroAndTheHeadIsNot()
    {
        using var dir = TestPaths.Scratch();
        foreach (SiteProfile site in new[] { SiteProfile.SiteA, SiteProfile.SiteB, SiteProfile.SiteD })
        {
            var subject = One(dir.File(site.Name), 6, site.Orientation, site);
            var image = MriImage.Load(subject.Path);
            float[] data = image.GetFloatData();
            var voxels = VolumeMeasures.Voxels(image).ToList();
            // Far from the brain centre (beyond any head) everything is zero; near it nothing is.
            var far = voxels.Where(v => VolumeMeasures.Distance((v.X, v.Y, v.Z), subject.BrainCentre) > 110).ToList();
            var near = voxels.Where(v => VolumeMeasures.Distance((v.X, v.Y, v.Z), subject.BrainCentre) < 40).ToList();

            Assert.AreEqual(site.DataType, image.DataType);
            Assert.IsNotEmpty(far);
            Assert.IsTrue(far.All(v => v.Value == 0), $"{site.Name}: background not zero");
            Assert.IsTrue(near.All(v => v.Value > 0), $"{site.Name}: zero inside the brain");
            Assert.IsTrue(data.All(v => v >= 0));
            double zeros = data.Count(v => v == 0) / (double)data.Length;
            Assert.IsInRange(0.4, 0.9, zeros, $"{site.Name}: zero fraction {zeros:F2}");
        }
    }

    [TestMethod]
    public void WithSkullTheBackgroundCarriesNoiseAndTheHeadIsLarger()
    {
        using var dir = TestPaths.Scratch();
        var stripped = MriImage.Load(One(dir.File("stripped"), 6, "RAS").Path).GetFloatData();
        var subject = One(dir.File("skull"), 6, "RAS", withSkull: true);
        var image = MriImage.Load(subject.Path);
        float[] data = image.GetFloatData();

        var far = VolumeMeasures.Voxels(image).Where(v => VolumeMeasures.Distance((v.X, v.Y, v.Z), subject.BrainCentre) > 110).ToList();
        Assert.IsGreaterThan(far.Count / 2, far.Count(v => v.Value != 0), "Rician background noise");
        // Skull and scalp: many more bright voxels than the skull-stripped head has.
        double bright = 0.3 * stripped.Where(v => v != 0).Average();
        Assert.IsGreaterThan(stripped.Count(v => v > bright) * 1.2, data.Count(v => v > bright));
    }

    [TestMethod]
    public void Int16StorageKeepsValuesWithinOneQuantisationStep()
    {
        using var dir = TestPaths.Scratch();
        var floatSite = SiteProfile.SiteA with { Name = "float" };
        var intSite = SiteProfile.SiteA with { Name = "int", DataType = NiftiDataType.Int16 };
        var f = MriImage.Load(One(dir.File("f"), 8, "RAS", floatSite).Path);
        var i = MriImage.Load(One(dir.File("i"), 8, "RAS", intSite).Path);
        float[] fv = f.GetFloatData(), iv = i.GetFloatData();

        Assert.AreEqual(NiftiDataType.Int16, i.DataType);
        Assert.IsNotNull(i.Data.Scaling);
        double step = i.Data.Scaling!.Value.Slope;
        for (int v = 0; v < fv.Length; v++)
        {
            Assert.AreEqual(fv[v], iv[v], step, $"voxel {v}");
            Assert.AreEqual(fv[v] == 0, iv[v] == 0, $"voxel {v}: mask differs");
        }
    }
}
