using System.Text.Json;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;

namespace Xai4Mri.ML.Tests.Synthetic;

/// <summary>
/// Region images (<see cref="SyntheticCohort.WriteRegions"/>) and planted lesions against the generator's own
/// definitions: the image's grid, the tissue contrasts, the lesion's sphere and the age effects.
/// </summary>
[TestClass]
public sealed class SyntheticRegionTests
{
    private static SyntheticCohortOptions Options(string folder, double planted, int subjects = 3, double voxel = 4) => new()
    {
        OutputFolder = folder, Subjects = subjects, Seed = 9, VoxelSize = voxel, PlantedLesionFraction = planted, MaxDegreeOfParallelism = 2,
    };

    private static byte[] Regions(SyntheticCohort cohort, SyntheticSubject subject, string path)
    {
        cohort.WriteRegions(subject, path);
        var image = MriImage.Load(path);
        Assert.AreEqual(NiftiDataType.UInt8, image.DataType);
        return (byte[])image.GetRawData();
    }

    [TestMethod]
    public void PlantingChangesTheImageOnlyInsideTheLabelledSphere()
    {
        using var dir = TestPaths.Scratch();
        var plain = SyntheticCohort.Generate(Options(dir.File("plain"), 0));
        var planted = SyntheticCohort.Generate(Options(dir.File("planted"), 1));

        Assert.IsFalse(File.ReadAllText(plain.ParticipantsPath).Contains("planted_lesion", StringComparison.Ordinal));
        string[] rows = File.ReadAllLines(planted.ParticipantsPath);
        StringAssert.EndsWith(rows[0], "\tplanted_lesion");
        Assert.IsTrue(rows.Skip(1).All(r => r.EndsWith("\t1", StringComparison.Ordinal)), string.Join('\n', rows));
        using (var sidecar = JsonDocument.Parse(File.ReadAllText(Path.Combine(planted.Root, "participants.json"))))
        {
            Assert.AreEqual("planted", sidecar.RootElement.GetProperty("planted_lesion").GetProperty("Levels").GetProperty("1").GetString());
        }
        using (var sidecar = JsonDocument.Parse(File.ReadAllText(Path.Combine(plain.Root, "participants.json"))))
        {
            Assert.IsFalse(sidecar.RootElement.TryGetProperty("planted_lesion", out _));
        }
        for (int s = 0; s < plain.Subjects.Count; s++)
        {
            var subject = planted.Subjects[s];
            Assert.IsTrue(subject.HasPlantedLesion);
            Assert.IsFalse(plain.Subjects[s].HasPlantedLesion);
            var image = MriImage.Load(subject.Path);
            float[] with = image.GetFloatData(), without = MriImage.Load(plain.Subjects[s].Path).GetFloatData();
            byte[] regions = Regions(planted, subject, dir.File($"regions-{s}.nii.gz"));
            CollectionAssert.DoesNotContain(Regions(plain, plain.Subjects[s], dir.File($"plain-{s}.nii.gz")), (byte)SyntheticRegion.PlantedLesion);

            var (cx, cy, cz) = subject.PlantedLesionCentre!.Value;
            var (nx, ny) = ((int)image.Shape[0], (int)image.Shape[1]);
            double voxel = image.Zooms[0], radius = subject.PlantedLesionRadius;
            int labelled = 0, changed = 0, darker = 0;
            for (int o = 0; o < with.Length; o++)
            {
                var (x, y, z) = image.Affine.Apply(o % nx, o / nx % ny, o / (nx * ny));
                double distance = Math.Sqrt(((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) + ((z - cz) * (z - cz)));
                if (regions[o] == (byte)SyntheticRegion.PlantedLesion)
                {
                    labelled++;
                    // Mostly lesion means the centre lies inside the sphere grown by the half-voxel ramp.
                    Assert.IsLessThan(radius + (voxel / 2) + 1e-6, distance, $"{subject.Id}: labelled voxel {o} at {distance:F1} mm");
                }
                if (with[o] != without[o])
                {
                    changed++;
                    darker += with[o] < without[o] ? 1 : 0;
                    // Only voxels the lesion's ramp reaches change: centres within the radius plus half a voxel.
                    Assert.IsLessThan(radius + (voxel / 2) + 1e-6, distance, $"{subject.Id}: changed voxel {o} at {distance:F1} mm");
                }
            }
            // A sphere of 8 mm at 4 mm holds about 4/3·π·2³ = 33.5 voxel volumes; ventricles and nuclei may take a few.
            Assert.IsTrue(labelled is >= 20 and <= 45, $"{subject.Id}: {labelled} voxels labelled planted lesion");
            // Every voxel that is mostly lesion changed; partial ones around it change too.
            Assert.IsGreaterThanOrEqualTo(labelled, changed);
            // T1w lesions (0.42) are darker than the white matter (1.0) they replace; noise is the same stream.
            Assert.IsGreaterThan(0.9 * changed, (double)darker, $"{subject.Id}: {darker} of {changed} changed voxels darker");
        }
    }

    [TestMethod]
    public void RegionsShareTheImageGridAndFollowTheTissueContrast()
    {
        using var dir = TestPaths.Scratch();
        var options = Options(dir.File("cohort"), 0, subjects: 2);
        options.Sites = [SiteProfile.SiteA];
        options.Orientation = "LIA";
        var cohort = SyntheticCohort.Generate(options);
        foreach (var subject in cohort.Subjects)
        {
            string path = dir.File($"{subject.Id}-regions.nii.gz");
            byte[] regions = Regions(cohort, subject, path);
            var image = MriImage.Load(subject.Path);
            var written = MriImage.Load(path);
            CollectionAssert.AreEqual(image.Shape, written.Shape);
            Assert.IsTrue(image.Affine.Equals(written.Affine), $"{image.Affine} vs {written.Affine}");
            Assert.AreEqual("LIA", written.AxisCodes);

            float[] values = image.GetFloatData();
            var sums = new double[8];
            var counts = new int[8];
            for (int o = 0; o < values.Length; o++)
            {
                // Skull-stripped: zero exactly outside the intracranial mask, positive inside.
                Assert.AreEqual(regions[o] == (byte)SyntheticRegion.Background, values[o] == 0, $"{subject.Id} voxel {o}: region {regions[o]}, value {values[o]}");
                sums[regions[o]] += values[o];
                counts[regions[o]]++;
            }
            double Mean(SyntheticRegion r) => sums[(int)r] / counts[(int)r];
            foreach (var r in new[] { SyntheticRegion.Csf, SyntheticRegion.CorticalGrayMatter, SyntheticRegion.WhiteMatter, SyntheticRegion.DeepGrayMatter, SyntheticRegion.Ventricles })
            {
                Assert.IsGreaterThan(0, counts[(int)r], $"{subject.Id}: no {r} voxels");
            }
            // T1w contrast of the generator: CSF 0.18 < cortex 0.62 < deep grey 0.76 < white matter 1.0 (partial volume blurs, not reorders).
            Assert.IsLessThan(Mean(SyntheticRegion.CorticalGrayMatter), Mean(SyntheticRegion.Ventricles), subject.Id);
            Assert.IsLessThan(Mean(SyntheticRegion.CorticalGrayMatter), Mean(SyntheticRegion.Csf), subject.Id);
            Assert.IsLessThan(Mean(SyntheticRegion.DeepGrayMatter), Mean(SyntheticRegion.CorticalGrayMatter), subject.Id);
            Assert.IsLessThan(Mean(SyntheticRegion.WhiteMatter), Mean(SyntheticRegion.DeepGrayMatter), subject.Id);
        }
    }

    [TestMethod]
    public void VentricleRegionGrowsWithAge()
    {
        using var dir = TestPaths.Scratch();
        var options = Options(dir.File("cohort"), 0, subjects: 16, voxel: 6);
        options.PatientFraction = 0;
        var cohort = SyntheticCohort.Generate(options);
        double[] ages = cohort.Subjects.Select(s => s.Age).ToArray();
        double[] ventricles = cohort.Subjects.Select(s => (double)Regions(cohort, s, dir.File($"{s.Id}.nii.gz")).Count(r => r == (byte)SyntheticRegion.Ventricles)).ToArray();

        double r = VolumeMeasures.Pearson(ages, ventricles);
        Assert.IsGreaterThan(0.6, r, $"r(age, ventricle voxels) = {r:F3}: {string.Join(", ", ventricles)}");
    }

    [TestMethod]
    public void BadRequestsAreRefusedWithTheirReason()
    {
        using var dir = TestPaths.Scratch();
        var one = SyntheticCohort.Generate(Options(dir.File("one"), 0, subjects: 1, voxel: 12));
        var other = SyntheticCohort.Generate(Options(dir.File("other"), 0, subjects: 1, voxel: 12));

        var e = Assert.ThrowsExactly<ArgumentException>(() => one.WriteRegions(other.Subjects[0], dir.File("x.nii")));
        StringAssert.Contains(e.Message, "sub-001 is not a subject of the cohort in");
        Assert.IsFalse(File.Exists(dir.File("x.nii")));
        var fraction = Assert.ThrowsExactly<ArgumentException>(() => SyntheticCohort.Generate(Options(dir.File("f"), 1.5)));
        StringAssert.Contains(fraction.Message, "planted-lesion fraction must be between 0 and 1, not 1.5");
        var radius = Options(dir.File("r"), 0.5);
        radius.PlantedLesionRadius = 0;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => SyntheticCohort.Generate(radius)).Message, "planted-lesion radius must be more than 0");
    }
}
