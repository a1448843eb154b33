using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Study;

namespace Xai4Mri.ML.Tests.Study;

/// <summary>Subject splits: documented part sizes, determinism, stratification, JSON shape, and applying to data views.</summary>
[TestClass]
public sealed class SubjectSplitTests
{
    private static string[] Ids(int n) => Enumerable.Range(1, n).Select(i => $"sub-{i:D3}").ToArray();

    /// <summary>Rows of <paramref name="subjects"/> subjects, subject i having 1 + i % 3 sessions.</summary>
    private static IDataView Sessions(int subjects, out string[] rowKeys)
    {
        var sid = new List<string>();
        var session = new List<string>();
        var age = new List<float>();
        var group = new List<string>();
        for (int i = 1; i <= subjects; i++)
        {
            for (int s = 0; s <= i % 3; s++)
            {
                sid.Add($"sub-{i:D3}");
                session.Add($"ses-{s}");
                age.Add(20 + i + s);
                group.Add(i % 5 < 2 ? "patient" : "control");
            }
        }
        rowKeys = sid.Zip(session, (a, b) => $"{a}/{b}").ToArray();
        return new InMemoryDataView([
            InMemoryColumn.Text("sid", sid),
            InMemoryColumn.Text("session", session),
            InMemoryColumn.Create("Age", NumberDataViewType.Single, age.ToArray()),
            InMemoryColumn.Text("Group", group),
        ]);
    }

    private static string[] RowKeys(IDataView view) =>
        DataFiles.TextColumn(view, "sid").Zip(DataFiles.TextColumn(view, "session"), (a, b) => $"{a}/{b}").ToArray();

    [TestMethod]
    [DataRow(10, 8, 1, 1)]
    [DataRow(23, 18, 2, 3)]    // 18.4 → 18, 2.3 → 2, rest 3
    [DataRow(25, 20, 2, 3)]    // 2.5 → 2: half to even, as Python's round
    [DataRow(100, 80, 10, 10)]
    [DataRow(15, 12, 2, 1)]    // 1.5 → 2
    [DataRow(1, 1, 0, 0)]
    [DataRow(0, 0, 0, 0)]
    public void PartSizesFollowXai4mriRounding(int n, int train, int validation, int test)
    {
        Assert.AreEqual((train, validation, test), SubjectSplit.PartSizes(n));
        SubjectSplit split = SubjectSplit.Create(Ids(n));
        Assert.AreEqual((train, validation, test), (split.Train.Count, split.Validation.Count, split.Test.Count));
    }

    [TestMethod]
    public void ValidationIsCappedSoThatTestIsNeverNegative()
    {
        var halves = new SubjectSplitOptions { TrainRatio = 0.5, ValidationRatio = 0.5, TestRatio = 0 };
        Assert.AreEqual((2, 1, 0), SubjectSplit.PartSizes(3, halves));   // 1.5 → 2 twice would need 4
        Assert.AreEqual((7, 2, 1), SubjectSplit.PartSizes(10, new() { TrainRatio = 0.7, ValidationRatio = 0.2, TestRatio = 0.1 }));
    }

    [TestMethod]
    public void PartsAreDisjointSortedAndCoverEverySubject()
    {
        string[] ids = Ids(23);
        SubjectSplit split = SubjectSplit.Create(ids.Concat(ids.Take(5)));   // duplicates count once
        string[] all = [.. split.Train, .. split.Validation, .. split.Test];
        CollectionAssert.AreEquivalent(ids, all);
        Assert.AreEqual(23, split.Count);
        CollectionAssert.AreEqual(split.Train.Order(StringComparer.Ordinal).ToArray(), split.Train.ToArray());
        foreach (string id in split.Test)
        {
            Assert.AreEqual(SubjectSplitPart.Test, split.PartOf(id));
        }
        Assert.IsNull(split.PartOf("sub-999"));
    }

    [TestMethod]
    public void DeterministicPerSeedAndIndependentOfInputOrder()
    {
        string[] ids = Ids(50);
        SubjectSplit a = SubjectSplit.Create(ids, new() { Seed = 7 });
        SubjectSplit b = SubjectSplit.Create(ids.Reverse(), new() { Seed = 7 });
        SubjectSplit c = SubjectSplit.Create(ids, new() { Seed = 8 });
        CollectionAssert.AreEqual(a.Test.ToArray(), b.Test.ToArray());
        CollectionAssert.AreEqual(a.Validation.ToArray(), b.Validation.ToArray());
        CollectionAssert.AreNotEqual(a.Test.ToArray(), c.Test.ToArray());
    }

    [TestMethod]
    public void SplitForASeedIsPinned()
    {
        // Fixed forever (SplitMix64, not System.Random): a seed written in a paper reproduces the split. The expected
        // ids come from an independent Python version of the documented algorithm (SplitMix64, Fisher–Yates, deficit
        // dealing), not from this code's output.
        SubjectSplit split = SubjectSplit.Create(Ids(10), new() { Seed = 0 });
        CollectionAssert.AreEqual(new[] { "sub-010" }, split.Validation.ToArray());
        CollectionAssert.AreEqual(new[] { "sub-005" }, split.Test.ToArray());
    }

    [TestMethod]
    public void ExactSizesForManyCountsRatiosAndStrata()
    {
        double[][] ratios = [[0.8, 0.1, 0.1], [0.6, 0.2, 0.2], [0.7, 0.3, 0], [1, 0, 0], [0.34, 0.33, 0.33], [0, 0, 1]];
        foreach (double[] r in ratios)
        {
            var options = new SubjectSplitOptions { TrainRatio = r[0], ValidationRatio = r[1], TestRatio = r[2], StratifyBy = "Group" };
            for (int n = 1; n <= 120; n += 7)
            {
                string[] ids = Ids(n);
                IDataView view = new InMemoryDataView([
                    InMemoryColumn.Text("sid", ids),
                    InMemoryColumn.Text("Group", ids.Select((_, i) => $"g{i * 7 % 5}").ToArray()),
                ]);
                SubjectSplit split = SubjectSplit.Create(view, options);
                Assert.AreEqual(SubjectSplit.PartSizes(n, options), (split.Train.Count, split.Validation.Count, split.Test.Count), $"n={n}, ratios {string.Join('/', r)}");
            }
        }
    }

    [TestMethod]
    public void CategoricalStratificationBalancesEachPart()
    {
        // 100 subjects, 60 control and 40 patient: each part should hold 60 % controls, within one subject.
        string[] ids = Ids(100);
        string[] groups = ids.Select((_, i) => i < 60 ? "control" : "patient").ToArray();
        IDataView view = new InMemoryDataView([InMemoryColumn.Text("sid", ids), InMemoryColumn.Text("Group", groups)]);
        var groupOf = ids.Zip(groups).ToDictionary(p => p.First, p => p.Second);
        for (int seed = 0; seed < 20; seed++)
        {
            SubjectSplit split = SubjectSplit.Create(view, new() { StratifyBy = "Group", Seed = seed });
            AssertShare(split.Train, groupOf, "control", 48, seed);
            AssertShare(split.Validation, groupOf, "control", 6, seed);
            AssertShare(split.Test, groupOf, "control", 6, seed);
        }
    }

    [TestMethod]
    public void NumericStratificationUsesQuantileBins()
    {
        // Ages 1..100 in quartile bins of 25: every part holds a quarter of its subjects from each bin, within one.
        string[] ids = Ids(100);
        float[] ages = Enumerable.Range(1, 100).Select(i => (float)((i * 37) % 100 + 1)).ToArray();
        IDataView view = new InMemoryDataView([InMemoryColumn.Text("sid", ids), InMemoryColumn.Create("Age", NumberDataViewType.Single, ages)]);
        var binOf = ids.Zip(ages).ToDictionary(p => p.First, p => (((int)p.Second - 1) / 25) switch { 0 => "q0", 1 => "q1", 2 => "q2", _ => "q3" });
        int worstUnstratified = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            SubjectSplit split = SubjectSplit.Create(view, new() { StratifyBy = "Age", Seed = seed });
            foreach (string bin in new[] { "q0", "q1", "q2", "q3" })
            {
                AssertShare(split.Train, binOf, bin, 20, seed);
                AssertShare(split.Validation, binOf, bin, 2.5, seed);
                AssertShare(split.Test, binOf, bin, 2.5, seed);
            }
            SubjectSplit plain = SubjectSplit.Create(view, new() { Seed = seed });
            worstUnstratified = Math.Max(worstUnstratified, Math.Abs(plain.Test.Count(id => binOf[id] == "q0") - 2));
        }
        Assert.IsGreaterThan(1, worstUnstratified, "without stratification some seed is unbalanced (the check has teeth)");
    }

    private static void AssertShare(IReadOnlyList<string> part, Dictionary<string, string> stratumOf, string stratum, double expected, int seed)
    {
        int count = part.Count(id => stratumOf[id] == stratum);
        Assert.IsLessThanOrEqualTo(1.0, Math.Abs(count - expected), $"seed {seed}: {count} of {part.Count} in {stratum}, expected {expected}");
    }

    [TestMethod]
    public void MissingValuesFormTheirOwnStratumAndTheFirstPresentValueCounts()
    {
        IDataView view = new InMemoryDataView([
            InMemoryColumn.Text("sid", ["a", "a", "b", "c", "d", "a"]),
            InMemoryColumn.Create("Age", NumberDataViewType.Single, [float.NaN, 30f, float.NaN, 10f, 20f, 11f]),
            InMemoryColumn.Text("Group", ["", "x", "n/a", "y", "missing", "y"]),
        ]);
        // Present ages per subject: a 30 (its first present value), c 10, d 20; the median edge 20 splits q0 | q1.
        var byAge = SubjectSplit.StratumOf(view, view.Schema["sid"], view.Schema["Age"], bins: 2);
        Assert.AreEqual("q1", byAge["a"]);
        Assert.AreEqual(SubjectSplit.MissingStratum, byAge["b"]);
        Assert.AreEqual("q0", byAge["c"]);
        Assert.AreEqual("q1", byAge["d"], "equal values share the upper bin");
        var byGroup = SubjectSplit.StratumOf(view, view.Schema["sid"], view.Schema["Group"], bins: 2);
        Assert.AreEqual("x", byGroup["a"]);
        Assert.AreEqual(SubjectSplit.MissingStratum, byGroup["b"], "n/a is missing");
        Assert.AreEqual("missing", byGroup["d"], "a real value 'missing' is not the missing stratum");

        SubjectSplit split = SubjectSplit.Create(view, new() { StratifyBy = "Age", StratifyBins = 2, TrainRatio = 0.5, ValidationRatio = 0.25, TestRatio = 0.25 });
        Assert.AreEqual((2, 1, 1), (split.Train.Count, split.Validation.Count, split.Test.Count));
    }

    [TestMethod]
    public void AllRowsOfASubjectLandInOnePart()
    {
        IDataView view = Sessions(40, out string[] keys);
        var ml = new MLContext(seed: 1);
        SubjectSplit split = SubjectSplit.Create(view, new() { StratifyBy = "Group" });
        Assert.AreEqual(40, split.Count);
        Assert.AreEqual((32, 4, 4), (split.Train.Count, split.Validation.Count, split.Test.Count));

        SubjectSplitViews parts = split.Apply(ml, view);
        foreach ((IDataView part, IReadOnlyList<string> ids) in new[] { (parts.Train, split.Train), (parts.Validation, split.Validation), (parts.Test, split.Test) })
        {
            CollectionAssert.AreEquivalent(ids.ToArray(), DataFiles.TextColumn(part, "sid").Distinct().ToArray());
        }
    }

    [TestMethod]
    public void ApplyGivesDisjointPartsWhoseUnionIsTheInput()
    {
        IDataView view = Sessions(30, out string[] keys);
        var ml = new MLContext(seed: 1);
        SubjectSplitViews parts = SubjectSplit.Create(view).Apply(ml, view);

        string[] train = RowKeys(parts.Train), validation = RowKeys(parts.Validation), test = RowKeys(parts.Test);
        CollectionAssert.AreEquivalent(keys, train.Concat(validation).Concat(test).ToArray());
        Assert.IsEmpty(train.Intersect(validation));
        Assert.IsEmpty(train.Intersect(test));
        Assert.IsEmpty(validation.Intersect(test));
        Assert.IsNull(parts.Train.GetRowCount(), "a streaming filter does not know its count");
        CollectionAssert.AreEqual(keys.Where(train.Contains).ToArray(), train, "rows keep their order");
    }

    [TestMethod]
    public void AppliedPartsWorkInPipelines()
    {
        IDataView view = Sessions(30, out _);
        var ml = new MLContext(seed: 1);
        SubjectSplitViews parts = SubjectSplit.Create(view).Apply(ml, view);

        var model = ml.Transforms.Concatenate("Features", "Age").Append(ml.Regression.Trainers.Sdca("Age", "Features", maximumNumberOfIterations: 2)).Fit(parts.Train);
        var scored = model.Transform(parts.Test);
        Assert.HasCount(DataFiles.TextColumn(parts.Test, "sid").Length, DataFiles.SingleColumn(scored, "Score"));
        var shuffled = ml.Data.ShuffleRows(parts.Validation, seed: 1);
        CollectionAssert.AreEquivalent(DataFiles.TextColumn(parts.Validation, "sid"), DataFiles.TextColumn(shuffled, "sid"));
        var cached = ml.Data.Cache(parts.Train);
        CollectionAssert.AreEqual(RowKeys(parts.Train), RowKeys(cached));
    }

    [TestMethod]
    public void MlNetSamplingKeyKeepsSubjectsTogether()
    {
        // docs/datasets.md recommends samplingKeyColumnName: "sid" for cross-validation instead of a k-fold helper.
        IDataView view = Sessions(40, out _);
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(view, testFraction: 0.3, samplingKeyColumnName: "sid", seed: 5);
        Assert.IsEmpty(DataFiles.TextColumn(split.TrainSet, "sid").Intersect(DataFiles.TextColumn(split.TestSet, "sid")));
        var folds = ml.Data.CrossValidationSplit(view, numberOfFolds: 4, samplingKeyColumnName: "sid", seed: 5);
        var testSubjects = folds.Select(f => DataFiles.TextColumn(f.TestSet, "sid").Distinct().ToArray()).ToArray();
        Assert.AreEqual(40, testSubjects.Sum(t => t.Length), "each subject is tested in exactly one fold");
    }

    [TestMethod]
    public void ApplyReadsOnlyTheColumnsAskedForPlusTheSubject()
    {
        IDataView view = Sessions(10, out _);
        IDataView train = SubjectSplit.Create(view).Apply(new MLContext(1), view).Train;
        using DataViewRowCursor cursor = train.GetRowCursor([train.Schema["Age"]]);
        Assert.IsTrue(cursor.IsColumnActive(train.Schema["Age"]));
        Assert.IsTrue(cursor.IsColumnActive(train.Schema["sid"]), "the filter reads the subject column");
        Assert.IsFalse(cursor.IsColumnActive(train.Schema["Group"]));
    }

    [TestMethod]
    public void ApplyRejectsSubjectsOutsideTheSplit()
    {
        IDataView view = Sessions(10, out _);
        var split = new SubjectSplit(Ids(8).Append("sub-999"), [], []);
        var e = Assert.ThrowsExactly<DatasetException>(() => split.Apply(new MLContext(1), view));
        StringAssert.Contains(e.Message, "2 subjects in column 'sid' are in no part of the split: sub-009, sub-010");
        CollectionAssert.AreEqual(new[] { "sub-009", "sub-010" }, e.SubjectIds.ToArray());
        Assert.IsNull(e.FilePath);
    }

    [TestMethod]
    public void ApplyFindsParticipantIdAndChecksTheColumn()
    {
        using var dir = TestPaths.Scratch();
        DataFiles.Touch(dir, "sub-01/anat/sub-01_T1w.nii.gz", "sub-02/ses-1/anat/sub-02_ses-1_T1w.nii.gz", "sub-02/ses-2/anat/sub-02_ses-2_T1w.nii.gz");
        var ml = new MLContext(seed: 1);
        IDataView bids = BidsDataset.Load(ml, dir.Path);
        SubjectSplit split = SubjectSplit.Create(bids, new() { TrainRatio = 0.5, ValidationRatio = 0, TestRatio = 0.5 });
        SubjectSplitViews parts = split.Apply(ml, bids);
        Assert.AreEqual(3, DataFiles.TextColumn(parts.Train, "Path").Length + DataFiles.TextColumn(parts.Test, "Path").Length);

        Assert.ThrowsExactly<ArgumentException>(() => split.Apply(ml, bids, "session_id"));
        IDataView numeric = new InMemoryDataView([InMemoryColumn.Create("sid", NumberDataViewType.Single, [1f])]);
        Assert.ThrowsExactly<ArgumentException>(() => split.Apply(ml, numeric));
    }

    [TestMethod]
    public void JsonHasXai4mriSplitDictionaryShapeAndRoundTrips()
    {
        using var dir = TestPaths.Scratch();
        SubjectSplit split = SubjectSplit.Create(Ids(23), new() { Seed = 3 });
        string path = dir.File("split.json");
        split.Save(path);

        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path)))
        {
            CollectionAssert.AreEqual(new[] { "train", "validation", "test" }, doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
            CollectionAssert.AreEqual(split.Test.ToArray(), doc.RootElement.GetProperty("test").EnumerateArray().Select(e => e.GetString()).ToArray());
        }
        SubjectSplit loaded = SubjectSplit.Load(path);
        CollectionAssert.AreEqual(split.Train.ToArray(), loaded.Train.ToArray());
        CollectionAssert.AreEqual(split.Validation.ToArray(), loaded.Validation.ToArray());
        CollectionAssert.AreEqual(split.Test.ToArray(), loaded.Test.ToArray());
    }

    [TestMethod]
    public void HandWrittenSplitLoads()
    {
        using var dir = TestPaths.Scratch();
        string path = DataFiles.Text(dir, "s.json", "{\"test\": [\"sid_1\", \"sid_99\"], \"train\": [\"sid_45\", \"sid_33\"], \"validation\": []}");
        SubjectSplit split = SubjectSplit.Load(path);
        CollectionAssert.AreEqual(new[] { "sid_33", "sid_45" }, split.Train.ToArray());
        Assert.IsEmpty(split.Validation);
        Assert.AreEqual(SubjectSplitPart.Test, split.PartOf("sid_99"));
    }

    [TestMethod]
    [DataRow("[1, 2]", "expected a JSON object")]
    [DataRow("{\"train\": [], \"validation\": []}", "the keys must be exactly")]
    [DataRow("{\"train\": [], \"validation\": [], \"test\": [], \"seed\": 1}", "found \"train\", \"validation\", \"test\", \"seed\"")]
    [DataRow("{\"train\": \"a\", \"validation\": [], \"test\": []}", "\"train\" must be an array")]
    [DataRow("{\"train\": [1], \"validation\": [], \"test\": []}", "\"train\" holds 1")]
    [DataRow("{\"train\": [\"\"], \"validation\": [], \"test\": []}", "non-empty strings")]
    [DataRow("{\"train\": [\"a\", \"b\"], \"validation\": [\"b\"], \"test\": [\"a\"]}", "more than once in the split: a, b")]
    [DataRow("{\"train\": [\"a\"],\n \"validation\": [,\n \"test\": []}", "line 2: not valid JSON")]
    public void BadSplitFilesAreNamed(string json, string expected)
    {
        using var dir = TestPaths.Scratch();
        string path = DataFiles.Text(dir, "bad.json", json);
        var e = Assert.ThrowsExactly<DatasetException>(() => SubjectSplit.Load(path));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void FileErrors()
    {
        using var dir = TestPaths.Scratch();
        var e = Assert.ThrowsExactly<DatasetException>(() => SubjectSplit.Load(dir.File("none.json")));
        StringAssert.Contains(e.Message, "none.json: file not found");
        e = Assert.ThrowsExactly<DatasetException>(() => SubjectSplit.Create(Ids(3)).Save(dir.File("no/such/folder/s.json")));
        StringAssert.Contains(e.Message, "cannot write the split");
    }

    [TestMethod]
    public void ArgumentsAreChecked()
    {
        Assert.ThrowsExactly<ArgumentException>(() => SubjectSplit.PartSizes(10, new() { TrainRatio = 0.8, ValidationRatio = 0.1, TestRatio = 0.2 }));
        Assert.ThrowsExactly<ArgumentException>(() => SubjectSplit.PartSizes(10, new() { TrainRatio = 1.2, ValidationRatio = -0.1, TestRatio = -0.1 }));
        Assert.ThrowsExactly<ArgumentException>(() => SubjectSplit.PartSizes(10, new() { TrainRatio = double.NaN }));
        Assert.ThrowsExactly<ArgumentException>(() => SubjectSplit.Create(Ids(3), new() { StratifyBy = "Age" }));
        Assert.ThrowsExactly<ArgumentException>(() => SubjectSplit.Create(["a", ""]));
        Assert.ThrowsExactly<ArgumentException>(() => new SubjectSplit(["a"], ["a"], []));
        IDataView view = Sessions(5, out _);
        Assert.ThrowsExactly<ArgumentException>(() => SubjectSplit.Create(view, new() { StratifyBy = "Weight" }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SubjectSplit.Create(view, new() { StratifyBy = "Age", StratifyBins = 0 }));
        IDataView integers = new InMemoryDataView([InMemoryColumn.Text("sid", ["a"]), InMemoryColumn.Create("K", NumberDataViewType.Int32, [1])]);
        Assert.ThrowsExactly<ArgumentException>(() => SubjectSplit.Create(integers, new() { StratifyBy = "K" }));
    }
}
