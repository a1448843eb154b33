using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Study;
using Xai4Mri.ML.Synthetic;
using Xai4Mri.ML.Transfer;

namespace Xai4Mri.ML.Tests.Transfer;

/// <summary>
/// <c>ml.Regression.CrossValidate</c> (with the subject as sampling key) and <c>ml.Regression.CrossValidateBySubject</c>
/// over <c>ml.Transforms.LoadNifti</c> → <c>MriNetTransfer</c> on a tiny synthetic cohort with two scans per subject: the held-out sets partition the scans with each subject's
/// scans together, each fold's model is fitted on the other scans, and each fold's metrics are those of its own
/// scores and labels.
/// </summary>
[TestClass]
public sealed class CrossValidationBySubjectTests
{
    private const int Subjects = 12;

    private const int Folds = 5;

    /// <summary>One scan of a subject: two per subject (copies of one synthetic image, as two sessions).</summary>
    private sealed class Scan
    {
        public string participant_id { get; set; } = "";

        public string Session { get; set; } = "";

        public string Path { get; set; } = "";

        public float Age { get; set; }
    }

    /// <summary>A held-out scan with its score.</summary>
    private sealed class Scored
    {
        public string participant_id { get; set; } = "";

        public string Session { get; set; } = "";

        public float Age { get; set; }

        public float Score { get; set; }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void FoldsPartitionTheSubjectsAndScoreEachScanOnceWithItsFoldsMetrics(bool dealt)
    {
        using var dir = TestPaths.Scratch();
        var cohort = SyntheticCohort.Generate(new SyntheticCohortOptions { OutputFolder = dir.File("cohort"), Subjects = Subjects, Seed = 3, VoxelSize = 8 });
        var scans = new List<Scan>();
        foreach (var subject in cohort.Subjects)
        {
            foreach (string session in (string[])["ses-1", "ses-2"])
            {
                string copy = dir.File($"{subject.Id}_{session}_T1w.nii.gz");
                File.Copy(subject.Path, copy);
                scans.Add(new Scan { participant_id = subject.Id, Session = session, Path = copy, Age = (float)subject.Age });
            }
        }
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(scans);
        var pipeline = ml.Transforms.LoadNifti("Image", "Path", new NiftiLoaderOptions { VoxelSize = [8], TargetShape = TransferData.Shape, CacheDirectory = dir.File("cache") })
            .Append(ml.Regression.Trainers.MriNetTransfer(new MriNetTransferTrainer.Options
            {
                LabelColumnName = "Age",
                Strategy = TransferStrategy.MonoPhase,
                Epochs = 1,
                BatchSize = 4,
                LearningRate = 3e-3,
                ValidationFraction = 0,
                Seed = 5,
            }));

        var folds = dealt
            ? ml.Regression.CrossValidateBySubject(data, pipeline, numberOfFolds: Folds, labelColumnName: "Age", seed: 6)
            : ml.Regression.CrossValidate(data, pipeline, numberOfFolds: Folds, labelColumnName: "Age", samplingKeyColumnName: "participant_id", seed: 6);
        var dealtFolds = SubjectFolds.Create(data, new() { NumberOfFolds = Folds, Seed = 6 });

        Assert.HasCount(Folds, folds);
        var foldOfScan = new Dictionary<(string Subject, string Session), int>();
        var foldOfSubject = new Dictionary<string, int>();
        int heldOutCount = 0;
        foreach (var fold in folds)
        {
            // One pass over the held-out scans (each pass loads and scores them again).
            var heldOut = ml.Data.CreateEnumerable<Scored>(fold.ScoredHoldOutSet, reuseRowObject: false).ToList();
            heldOutCount += heldOut.Count;
            var ids = heldOut.Select(r => r.participant_id).ToList();
            var sessions = heldOut.Select(r => r.Session).ToList();
            var labels = heldOut.Select(r => r.Age).ToList();
            var scores = heldOut.Select(r => r.Score).ToList();
            // ML.NET hashes the subject ids into folds, so fold sizes vary; with seed 6 each fold holds out at least two
            // subjects, so that R² has a spread to compare with.
            Assert.IsGreaterThanOrEqualTo(2, ids.Distinct().Count(), $"fold {fold.Fold}: {string.Join(", ", ids)}");
            if (dealt)
            {
                // Dealt, 12 subjects in 5 folds are 3, 3, 2, 2, 2: exactly the subjects SubjectFolds gives for the seed.
                CollectionAssert.AreEquivalent(dealtFolds.Fold(fold.Fold).ToArray(), ids.Distinct().ToArray(), $"fold {fold.Fold}");
                Assert.AreEqual(fold.Fold < 2 ? 3 : 2, ids.Distinct().Count(), $"fold {fold.Fold}");
            }
            for (int i = 0; i < ids.Count; i++)
            {
                Assert.IsTrue(foldOfScan.TryAdd((ids[i], sessions[i]), fold.Fold), $"{ids[i]} {sessions[i]} is scored in folds {foldOfScan.GetValueOrDefault((ids[i], sessions[i]))} and {fold.Fold}");
                int first = foldOfSubject.TryAdd(ids[i], fold.Fold) ? fold.Fold : foldOfSubject[ids[i]];
                Assert.AreEqual(first, fold.Fold, $"{ids[i]} has scans in the held-out sets of folds {first} and {fold.Fold}");
                Assert.AreEqual(scans.Single(s => s.participant_id == ids[i] && s.Session == sessions[i]).Age, labels[i], "the held-out label is the scan's");
            }

            // A subject's two scans are one image, so each image reached the row it belongs to only if they score alike.
            foreach (var subject in heldOut.GroupBy(r => r.participant_id))
            {
                Assert.AreEqual(1, subject.Select(r => r.Score).Distinct().Count(), $"{subject.Key}: {string.Join(", ", subject.Select(r => r.Score))}");
            }

            // The fold's model was fitted on exactly the other scans.
            var trained = ((IEnumerable<ITransformer>)fold.Model).OfType<MriNetPredictionTransformer>().Single().Model;
            Assert.AreEqual(scans.Count - ids.Count, trained.SourceStatistics!.Count, $"fold {fold.Fold}: images the model was fitted on");

            Assert.AreEqual(HandMetrics.Mae(labels, scores), fold.Metrics.MeanAbsoluteError, 1e-9, $"fold {fold.Fold}: MAE");
            Assert.AreEqual(HandMetrics.Rmse(labels, scores), fold.Metrics.RootMeanSquaredError, 1e-9, $"fold {fold.Fold}: RMSE");
            // ML.NET takes the labels' sum of squares in one pass, Σy² − (Σy)²/n, which loses digits against the sum about
            // the mean by about the ratio of the two; the tolerance scales with that ratio.
            double r2 = HandMetrics.RSquared(labels, scores);
            double mean = labels.Average(l => (double)l);
            double cancellation = labels.Sum(l => (double)l * l) / labels.Sum(l => ((double)l - mean) * ((double)l - mean));
            Assert.AreEqual(r2, fold.Metrics.RSquared, 1e-6 * cancellation * Math.Max(1, Math.Abs(1 - r2)), $"fold {fold.Fold}: R² (cancellation {cancellation:G3})");
        }
        // Every scan is held out (and scored) once, so the held-out sets add up to all scans and all subjects.
        Assert.AreEqual(scans.Count, heldOutCount, "held-out scans over all folds");
        Assert.HasCount(scans.Count, foldOfScan);
        Assert.HasCount(Subjects, foldOfSubject);
        CollectionAssert.AreEquivalent(scans.Select(s => (s.participant_id, s.Session)).ToArray(), foldOfScan.Keys.ToArray());
        CollectionAssert.AreEquivalent(Enumerable.Range(0, Folds).ToArray(), foldOfScan.Values.Distinct().ToArray(), "every fold holds out some scans");
    }
}
