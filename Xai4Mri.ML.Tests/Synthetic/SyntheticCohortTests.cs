using System.Security.Cryptography;
using System.Text.Json;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Synthetic;

namespace Xai4Mri.ML.Tests.Synthetic;

/// <summary>Determinism, the BIDS-like layout, and how an existing output folder is treated.</summary>
[TestClass]
public sealed class SyntheticCohortTests
{
    private static SyntheticCohortOptions Small(string folder, int seed = 1, int subjects = 4) => new()
    {
        OutputFolder = folder, Subjects = subjects, Seed = seed, VoxelSize = 8,
    };

    private static string[] VoxelChecksums(SyntheticCohort cohort) => cohort.Subjects
        .Select(s => Convert.ToHexString(SHA256.HashData(
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(MriImage.Load(s.Path).GetFloatData().AsSpan()))))
        .ToArray();

    [TestMethod]
    public void SameSeedGivesIdenticalDataWhateverTheParallelism()
    {
        using var dir = TestPaths.Scratch();
        var serialOptions = Small(dir.File("a"));
        serialOptions.MaxDegreeOfParallelism = 1;
        var serial = SyntheticCohort.Generate(serialOptions);
        var parallelOptions = Small(dir.File("b"));
        parallelOptions.MaxDegreeOfParallelism = 4;
        var parallel = SyntheticCohort.Generate(parallelOptions);
        var other = SyntheticCohort.Generate(Small(dir.File("c"), seed: 2));

        CollectionAssert.AreEqual(VoxelChecksums(serial), VoxelChecksums(parallel));
        for (int i = 0; i < serial.Subjects.Count; i++)
        {
            CollectionAssert.AreEqual(File.ReadAllBytes(serial.Subjects[i].Path), File.ReadAllBytes(parallel.Subjects[i].Path), "file bytes");
        }
        Assert.AreEqual(File.ReadAllText(serial.ParticipantsPath), File.ReadAllText(parallel.ParticipantsPath));
        string[] otherSums = VoxelChecksums(other);
        Assert.IsTrue(VoxelChecksums(serial).All(s => !otherSums.Contains(s)), "a different seed gives different images");
        Assert.AreNotEqual(File.ReadAllText(serial.ParticipantsPath), File.ReadAllText(other.ParticipantsPath));
    }

    [TestMethod]
    public void AddingSubjectsKeepsTheFirstOnesUnchanged()
    {
        using var dir = TestPaths.Scratch();
        var three = SyntheticCohort.Generate(Small(dir.File("three"), subjects: 3));
        var five = SyntheticCohort.Generate(Small(dir.File("five"), subjects: 5));

        CollectionAssert.AreEqual(VoxelChecksums(three), VoxelChecksums(five).Take(3).ToArray());
        CollectionAssert.AreEqual(three.Subjects.Select(s => s.Age).ToArray(), five.Subjects.Take(3).Select(s => s.Age).ToArray());
    }

    [TestMethod]
    public void WritesParticipantsTableDescriptionAndOneT1wPerSubject()
    {
        using var dir = TestPaths.Scratch();
        var options = Small(dir.File("cohort"), subjects: 6);
        options.Sites = [SiteProfile.SiteA, SiteProfile.SiteB, SiteProfile.SiteD];
        options.PatientFraction = 0.5;
        var cohort = SyntheticCohort.Generate(options);

        Assert.AreEqual(Path.GetFullPath(dir.File("cohort")), cohort.Root);
        string[] lines = File.ReadAllLines(Path.Combine(cohort.Root, "participants.tsv"));
        Assert.AreEqual("participant_id\tage\tsex\tgroup\tsite", lines[0]);
        Assert.HasCount(7, lines);
        for (int i = 0; i < 6; i++)
        {
            var s = cohort.Subjects[i];
            string[] cells = lines[i + 1].Split('\t');
            Assert.AreEqual($"sub-{i + 1:000}", s.Id);
            CollectionAssert.AreEqual(new[] { s.Id, s.Age.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), s.Sex, s.Group, s.Site.Name }, cells);
            Assert.IsInRange(20.0, 80.0, s.Age);
            Assert.Contains(s.Sex, new[] { "F", "M" });
            Assert.Contains(s.Group, new[] { SyntheticCohort.ControlGroup, SyntheticCohort.PatientGroup });
            Assert.AreEqual(Path.Combine(cohort.Root, s.Id, "anat", $"{s.Id}_T1w.nii.gz"), s.Path);
            Assert.IsTrue(File.Exists(s.Path));
            Assert.AreEqual(s.Site.Orientation, MriImage.Load(s.Path).AxisCodes);
        }
        // Sites are dealt in turn, so six subjects over three sites give two each.
        CollectionAssert.AreEqual(new[] { "site-a", "site-b", "site-d", "site-a", "site-b", "site-d" }, cohort.Subjects.Select(s => s.Site.Name).ToArray());

        using var description = JsonDocument.Parse(File.ReadAllText(Path.Combine(cohort.Root, "dataset_description.json")));
        Assert.AreEqual("1.9.0", description.RootElement.GetProperty("BIDSVersion").GetString());
        StringAssert.Contains(description.RootElement.GetProperty("Name").GetString(), "Synthetic");
        using var sidecar = JsonDocument.Parse(File.ReadAllText(Path.Combine(cohort.Root, "participants.json")));
        Assert.AreEqual("year", sidecar.RootElement.GetProperty("age").GetProperty("Units").GetString());
        Assert.IsTrue(SyntheticCohort.IsSyntheticCohort(cohort.Root));
        Assert.IsEmpty(Directory.GetFiles(cohort.Root, "*.tmp", SearchOption.AllDirectories));
    }

    [TestMethod]
    public void SiteWeightsAndIdWidthFollowTheOptions()
    {
        using var dir = TestPaths.Scratch();
        var options = Small(dir.Path, subjects: 12);
        options.VoxelSize = 16;
        options.Sites = [SiteProfile.SiteA, SiteProfile.SiteB];
        options.SiteWeights = [3, 1];
        var cohort = SyntheticCohort.Generate(options);

        Assert.AreEqual(9, cohort.Subjects.Count(s => s.Site.Name == "site-a"));
        Assert.AreEqual(3, cohort.Subjects.Count(s => s.Site.Name == "site-b"));
        Assert.AreEqual("sub-012", cohort.Subjects[^1].Id);
    }

    [TestMethod]
    public void ProgressCountsEverySubjectInOrder()
    {
        using var dir = TestPaths.Scratch();
        var reports = new List<int>();
        var options = Small(dir.Path, subjects: 5);
        options.Progress = new ListProgress(reports);
        SyntheticCohort.Generate(options);

        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5 }, reports);
    }

    [TestMethod]
    public void RefusesAFolderWithOtherDataUnlessToldToOverwrite()
    {
        using var dir = TestPaths.Scratch();
        string notes = dir.File("notes.txt");
        File.WriteAllText(notes, "mine");

        var e = Assert.ThrowsExactly<IOException>(() => SyntheticCohort.Generate(Small(dir.Path)));
        StringAssert.Contains(e.Message, "not empty");
        Assert.IsFalse(Directory.Exists(dir.File("sub-001")));

        var options = Small(dir.Path);
        options.Overwrite = true;
        SyntheticCohort.Generate(options);
        Assert.AreEqual("mine", File.ReadAllText(notes));
        Assert.IsTrue(File.Exists(dir.File("participants.tsv")));

        File.WriteAllText(dir.File("file"), "");
        Assert.ThrowsExactly<IOException>(() => SyntheticCohort.Generate(Small(dir.File("file"))));
    }

    [TestMethod]
    public void RegeneratingAPreviousCohortReplacesItsSubjectsAndKeepsOtherFiles()
    {
        using var dir = TestPaths.Scratch();
        SyntheticCohort.Generate(Small(dir.Path, subjects: 5));
        File.WriteAllText(dir.File("README"), "notes about this cohort");
        File.WriteAllText(Path.Combine(dir.Path, "sub-005", "anat", "sub-005_T2w.nii.gz"), "not ours");

        var cohort = SyntheticCohort.Generate(Small(dir.Path, seed: 3, subjects: 3));

        Assert.HasCount(4, File.ReadAllLines(cohort.ParticipantsPath));
        Assert.IsFalse(Directory.Exists(dir.File("sub-004")), "stale subject removed");
        Assert.IsFalse(File.Exists(Path.Combine(dir.Path, "sub-005", "anat", "sub-005_T1w.nii.gz")));
        Assert.IsTrue(File.Exists(Path.Combine(dir.Path, "sub-005", "anat", "sub-005_T2w.nii.gz")), "other files stay");
        Assert.AreEqual("notes about this cohort", File.ReadAllText(dir.File("README")));
    }

    [TestMethod]
    public void RejectsOptionsItCannotUse()
    {
        using var dir = TestPaths.Scratch();
        var bad = new Action<SyntheticCohortOptions>[]
        {
            o => o.Subjects = 0,
            o => o.Orientation = "RAR",
            o => o.Orientation = "RA",
            o => o.VoxelSize = -1,
            o => o.VoxelSize = double.NaN,
            o => o.VoxelSize = 0.001,
            o => o.PatientFraction = 1.5,
            o => (o.MinAge, o.MaxAge) = (60, 40),
            o => o.Sites = [],
            o => o.Sites = [SiteProfile.SiteA, SiteProfile.SiteA],
            o => o.Sites = [SiteProfile.SiteA with { DataType = NiftiDataType.UInt8 }],
            o => o.Sites = [SiteProfile.SiteA with { Name = "two words" }],
            o => o.SiteWeights = [1, 2, 3],
            o => o.MaxDegreeOfParallelism = 0,
            o => o.OutputFolder = "",
        };
        foreach (var change in bad)
        {
            var options = Small(dir.File("out"));
            change(options);
            Assert.ThrowsExactly<ArgumentException>(() => SyntheticCohort.Generate(options));
        }
        Assert.IsFalse(Directory.Exists(dir.File("out")), "validation happens before anything is written");
    }

    private sealed class ListProgress(List<int> reports) : IProgress<int>
    {
        public void Report(int value) => reports.Add(value);
    }
}
