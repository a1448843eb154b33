using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Xai4Mri.ML.Study;

namespace Xai4Mri.ML.Tests.Study;

/// <summary>
/// Folds of whole subjects: sizes within one, stratification, determinism, errors; and <c>CrossValidateBySubject</c>,
/// whose per-fold results must be those of fitting and evaluating the same pipeline by hand on each fold's subjects.
/// </summary>
[TestClass]
public sealed class SubjectFoldsTests
{
    private static string[] Ids(int n) => Enumerable.Range(1, n).Select(i => $"sub-{i:D3}").ToArray();

    /// <summary>One cohort as plain lists: subject i has 1 + i % 3 sessions; age and a feature that predicts it; two labels.</summary>
    private sealed record Cohort(string[] Sid, string[] Session, float[] Age, float[] X, bool[] Patient, string[] Site)
    {
        public static Cohort Make(int subjects)
        {
            var rows = new List<(string Sid, string Session, float Age, float X, bool Patient, string Site)>();
            for (int i = 1; i <= subjects; i++)
            {
                for (int s = 0; s <= i % 3; s++)
                {
                    float age = 20 + (i * 37 % 50) + s;
                    // x is age plus a fixed wobble, so the fit is not exact and each fold's metrics differ.
                    rows.Add(($"sub-{i:D3}", $"ses-{s}", age, age + (i * 13 % 7) - 3, i % 5 < 2, (i % 3) switch { 0 => "a", 1 => "b", _ => "c" }));
                }
            }
            return new Cohort(rows.Select(r => r.Sid).ToArray(), rows.Select(r => r.Session).ToArray(), rows.Select(r => r.Age).ToArray(),
                rows.Select(r => r.X).ToArray(), rows.Select(r => r.Patient).ToArray(), rows.Select(r => r.Site).ToArray());
        }

        public IDataView View(Func<int, bool>? keep = null)
        {
            int[] rows = Enumerable.Range(0, Sid.Length).Where(r => keep?.Invoke(r) ?? true).ToArray();
            return new InMemoryDataView([
                InMemoryColumn.Text("sid", rows.Select(r => Sid[r]).ToArray()),
                InMemoryColumn.Text("session", rows.Select(r => Session[r]).ToArray()),
                InMemoryColumn.Create("Age", NumberDataViewType.Single, rows.Select(r => Age[r]).ToArray()),
                InMemoryColumn.Create("X", NumberDataViewType.Single, rows.Select(r => X[r]).ToArray()),
                InMemoryColumn.Create("Patient", BooleanDataViewType.Instance, rows.Select(r => Patient[r]).ToArray()),
                InMemoryColumn.Text("Site", rows.Select(r => Site[r]).ToArray()),
            ]);
        }
    }

    [TestMethod]
    [DataRow(40, 4, new[] { 10, 10, 10, 10 })]
    [DataRow(23, 5, new[] { 5, 5, 5, 4, 4 })]
    [DataRow(7, 7, new[] { 1, 1, 1, 1, 1, 1, 1 })]
    [DataRow(80, 3, new[] { 27, 27, 26 })]
    public void FoldSizesDifferByAtMostOneAndCoverEverySubjectOnce(int n, int k, int[] sizes)
    {
        string[] ids = Ids(n);
        SubjectFolds folds = SubjectFolds.Create(ids.Concat(ids.Take(3)), k, seed: 4);   // duplicates count once
        CollectionAssert.AreEqual(sizes, Enumerable.Range(0, k).Select(f => folds.Fold(f).Count).ToArray());
        CollectionAssert.AreEquivalent(ids, Enumerable.Range(0, k).SelectMany(folds.Fold).ToArray());
        Assert.AreEqual(n, folds.SubjectCount);
        for (int f = 0; f < k; f++)
        {
            CollectionAssert.AreEqual(folds.Fold(f).Order(StringComparer.Ordinal).ToArray(), folds.Fold(f).ToArray());
            Assert.IsTrue(folds.Fold(f).All(id => folds.FoldOf(id) == f));
        }
        Assert.IsNull(folds.FoldOf("sub-999"));
    }

    [TestMethod]
    public void DeterministicPerSeedAndIndependentOfInputOrder()
    {
        string[] ids = Ids(30);
        string Describe(SubjectFolds f) => string.Join("|", Enumerable.Range(0, f.Count).Select(i => string.Join(",", f.Fold(i))));
        string a = Describe(SubjectFolds.Create(ids, 5, seed: 11));
        Assert.AreEqual(a, Describe(SubjectFolds.Create(ids.Reverse(), 5, seed: 11)));
        Assert.AreNotEqual(a, Describe(SubjectFolds.Create(ids, 5, seed: 12)));
    }

    [TestMethod]
    public void StratifiedFoldsGiveEachStratumItsShareWithinOne()
    {
        var cohort = Cohort.Make(53);
        IDataView data = cohort.View();
        var site = cohort.Sid.Zip(cohort.Site).DistinctBy(p => p.First).ToDictionary(p => p.First, p => p.Second);
        var ages = cohort.Sid.Zip(cohort.Age).DistinctBy(p => p.First).ToDictionary(p => p.First, p => p.Second);
        for (int seed = 0; seed < 5; seed++)
        {
            SubjectFolds bySite = SubjectFolds.Create(data, new SubjectFoldsOptions { NumberOfFolds = 4, StratifyBy = "Site", Seed = seed });
            foreach (string s in new[] { "a", "b", "c" })
            {
                int m = site.Values.Count(v => v == s);
                for (int f = 0; f < 4; f++)
                {
                    int count = bySite.Fold(f).Count(id => site[id] == s);
                    Assert.IsTrue(count == m / 4 || count == (m + 3) / 4, $"seed {seed}, site {s}: {count} of {m} in fold {f}");
                }
            }
            // Age by quartile: the first-row ages sorted into four bins of 13 or 14 subjects, each spread over the folds.
            SubjectFolds byAge = SubjectFolds.Create(data, new SubjectFoldsOptions { NumberOfFolds = 4, StratifyBy = "Age", Seed = seed });
            double[] sorted = ages.Values.Select(v => (double)v).Order().ToArray();
            double[] edges = [sorted[53 / 4], sorted[2 * 53 / 4], sorted[3 * 53 / 4]];
            foreach (int bin in Enumerable.Range(0, 4))
            {
                string[] members = ages.Where(kv => edges.Count(e => e <= kv.Value) == bin).Select(kv => kv.Key).ToArray();
                for (int f = 0; f < 4; f++)
                {
                    int count = byAge.Fold(f).Count(members.Contains);
                    Assert.IsTrue(count == members.Length / 4 || count == (members.Length + 3) / 4, $"seed {seed}, age bin {bin}: {count} of {members.Length} in fold {f}");
                }
            }
        }
    }

    [TestMethod]
    public void AllRowsOfASubjectCarryItsFold()
    {
        var cohort = Cohort.Make(20);
        SubjectFolds folds = SubjectFolds.Create(cohort.View(), new SubjectFoldsOptions { NumberOfFolds = 3, Seed = 2 });
        IDataView keyed = folds.WithFoldColumn(cohort.View(), null, "F");
        float[] fold = keyed.GetColumn<float>("F").ToArray();
        string[] sid = DataFiles.TextColumn(keyed, "sid");
        Assert.AreEqual(cohort.Sid.Length, fold.Length);
        for (int r = 0; r < fold.Length; r++)
        {
            Assert.AreEqual((float)folds.FoldOf(sid[r])!.Value, fold[r], sid[r]);
        }
        CollectionAssert.AreEqual(cohort.Age, keyed.GetColumn<float>("Age").ToArray());   // the source columns pass through
    }

    [TestMethod]
    public void BadFoldsAreNamed()
    {
        var e1 = Assert.ThrowsExactly<ArgumentException>(() => SubjectFolds.Create(Ids(3), 4));
        StringAssert.Contains(e1.Message, "3 subjects cannot fill 4 folds");
        var e2 = Assert.ThrowsExactly<ArgumentException>(() => SubjectFolds.Create(Ids(10), 1));
        StringAssert.Contains(e2.Message, "at least 2 folds, not 1");
        var e3 = Assert.ThrowsExactly<ArgumentException>(() => new SubjectFolds([["sub-1", "sub-2"], ["sub-2"]]));
        StringAssert.Contains(e3.Message, "sub-2");
        var e4 = Assert.ThrowsExactly<ArgumentException>(() => new SubjectFolds([["sub-1"], []]));
        StringAssert.Contains(e4.Message, "fold 2 has no subjects");
        var e5 = Assert.ThrowsExactly<ArgumentException>(() => SubjectFolds.Create(Cohort.Make(10).View(), new SubjectFoldsOptions { StratifyBy = "Weight" }));
        StringAssert.Contains(e5.Message, "no column 'Weight'");

        var cohort = Cohort.Make(12);
        var hand = new SubjectFolds([Ids(6), Ids(12).Skip(6).Take(5)]);   // sub-012 in no fold
        var e6 = Assert.ThrowsExactly<DatasetException>(() => hand.WithFoldColumn(cohort.View(), null, "F"));
        StringAssert.Contains(e6.Message, "1 subjects in column 'sid' are in no fold: sub-012");
        var wide = new SubjectFolds([Ids(6), Ids(12).Skip(6), ["sub-100"]]);   // fold 2 has no rows in the data
        var e7 = Assert.ThrowsExactly<DatasetException>(() => wide.WithFoldColumn(cohort.View(), null, "F"));
        StringAssert.Contains(e7.Message, "no subject of fold 2 is in column 'sid'");
    }

    [TestMethod]
    public void RegressionFoldsAreTheSubjectFoldsAndTheirMetricsThoseOfAFitByHand()
    {
        var cohort = Cohort.Make(40);
        var ml = new MLContext(seed: 1);
        IEstimator<ITransformer> Pipeline() => ml.Transforms.Concatenate("Features", "X")
            .Append(ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { LabelColumnName = "Age", NumberOfThreads = 1, MaximumNumberOfIterations = 30, Shuffle = false }));
        var results = ml.Regression.CrossValidateBySubject(cohort.View(), Pipeline(), numberOfFolds: 4, labelColumnName: "Age", seed: 3);
        SubjectFolds folds = SubjectFolds.Create(cohort.View(), new SubjectFoldsOptions { NumberOfFolds = 4, Seed = 3 });
        Assert.AreEqual(4, results.Count);
        for (int f = 0; f < 4; f++)
        {
            Assert.AreEqual(f, results[f].Fold);
            string[] held = DataFiles.TextColumn(results[f].ScoredHoldOutSet, "sid").Distinct().Order(StringComparer.Ordinal).ToArray();
            CollectionAssert.AreEqual(folds.Fold(f).ToArray(), held, $"fold {f}");
            Assert.AreEqual(10, held.Length);
            var test = folds.Fold(f).ToHashSet();
            ITransformer model = Pipeline().Fit(cohort.View(r => !test.Contains(cohort.Sid[r])));
            RegressionMetrics expected = ml.Regression.Evaluate(model.Transform(cohort.View(r => test.Contains(cohort.Sid[r]))), labelColumnName: "Age");
            Assert.AreEqual(expected.MeanAbsoluteError, results[f].Metrics.MeanAbsoluteError, 1e-9, $"fold {f}");
            Assert.AreEqual(expected.RSquared, results[f].Metrics.RSquared, 1e-9, $"fold {f}");
        }
        Assert.AreNotEqual(results[0].Metrics.MeanAbsoluteError, results[1].Metrics.MeanAbsoluteError);
    }

    [TestMethod]
    public void BinaryStratifiedFoldsHoldTheirShareOfPatients()
    {
        var cohort = Cohort.Make(50);
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Concatenate("Features", "X")
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options { LabelColumnName = "Patient", NumberOfThreads = 1, MaximumNumberOfIterations = 10, Shuffle = false }));
        var results = ml.BinaryClassification.CrossValidateBySubject(cohort.View(), pipeline, numberOfFolds: 5, labelColumnName: "Patient", stratified: true, seed: 5);
        int patients = cohort.Sid.Zip(cohort.Patient).DistinctBy(p => p.First).Count(p => p.Second);   // 20 of 50
        foreach (var fold in results)
        {
            string[] sid = DataFiles.TextColumn(fold.ScoredHoldOutSet, "sid");
            bool[] label = fold.ScoredHoldOutSet.GetColumn<bool>("Patient").ToArray();
            Assert.AreEqual(10, sid.Distinct().Count(), $"fold {fold.Fold}");
            Assert.AreEqual(patients / 5, sid.Zip(label).Where(p => p.Second).Select(p => p.First).Distinct().Count(), $"fold {fold.Fold}");
            Assert.IsTrue(fold.Metrics.AreaUnderRocCurve is >= 0 and <= 1);
        }
        var plain = ml.BinaryClassification.CrossValidateNonCalibratedBySubject(cohort.View(), pipeline, numberOfFolds: 5, labelColumnName: "Patient", stratified: true, seed: 5);
        CollectionAssert.AreEqual(results.Select(r => r.Metrics.Accuracy).ToArray(), plain.Select(r => r.Metrics.Accuracy).ToArray());
    }

    [TestMethod]
    public void MulticlassStratifiedByTheRawClassColumn()
    {
        var cohort = Cohort.Make(45);
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Site")
            .Append(ml.Transforms.Concatenate("Features", "X", "Age"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = 1, MaximumNumberOfIterations = 10, Shuffle = false }));
        var results = ml.MulticlassClassification.CrossValidateBySubject(cohort.View(), pipeline, numberOfFolds: 3, stratifyBy: "Site", seed: 1);
        foreach (var fold in results)
        {
            string[] sid = DataFiles.TextColumn(fold.ScoredHoldOutSet, "sid");
            string[] site = DataFiles.TextColumn(fold.ScoredHoldOutSet, "Site");
            foreach (string s in new[] { "a", "b", "c" })
            {
                Assert.AreEqual(5, sid.Zip(site).Where(p => p.Second == s).Select(p => p.First).Distinct().Count(), $"fold {fold.Fold}, site {s}");
            }
            Assert.IsTrue(fold.Metrics.MacroAccuracy is >= 0 and <= 1);
        }
    }

    [TestMethod]
    public void TheFoldColumnNameAvoidsTheData()
    {
        var cohort = Cohort.Make(12);
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Transforms.CopyColumns(MriCrossValidationCatalog.FoldColumnName, "X").Fit(cohort.View()).Transform(cohort.View());
        var pipeline = ml.Transforms.Concatenate("Features", "X")
            .Append(ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { LabelColumnName = "Age", NumberOfThreads = 1, MaximumNumberOfIterations = 5 }));
        var results = ml.Regression.CrossValidateBySubject(data, pipeline, numberOfFolds: 3, labelColumnName: "Age");
        DataViewSchema schema = results[0].ScoredHoldOutSet.Schema;
        Assert.IsNotNull(schema.GetColumnOrNull(MriCrossValidationCatalog.FoldColumnName + "1"));
        CollectionAssert.AreEqual(results[0].ScoredHoldOutSet.GetColumn<float>("X").ToArray(),
            results[0].ScoredHoldOutSet.GetColumn<float>(MriCrossValidationCatalog.FoldColumnName).ToArray());   // the user's column is untouched
        Assert.AreEqual(12, results.Sum(r => DataFiles.TextColumn(r.ScoredHoldOutSet, "sid").Distinct().Count()));
    }
}
