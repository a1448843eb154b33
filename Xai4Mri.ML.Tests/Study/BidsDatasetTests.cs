using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Study;

namespace Xai4Mri.ML.Tests.Study;

/// <summary>BIDS discovery (sessions, runs, acquisitions), the participants.tsv join, and the errors.</summary>
[TestClass]
public sealed class BidsDatasetTests
{
    /// <summary>
    /// sub-01: two sessions, runs 1, 2 and 10 in ses-1 (10 sorts after 2), one image in ses-2; sub-02: no sessions;
    /// sub-03: two acquisitions; plus files that must be ignored.
    /// </summary>
    private static void Tree(ScratchFolder dir)
    {
        DataFiles.Touch(dir,
            "sub-01/ses-1/anat/sub-01_ses-1_run-10_T1w.nii.gz",
            "sub-01/ses-1/anat/sub-01_ses-1_run-2_T1w.nii.gz",
            "sub-01/ses-1/anat/sub-01_ses-1_run-1_T1w.nii.gz",
            "sub-01/ses-2/anat/sub-01_ses-2_T1w.nii",
            "sub-02/anat/sub-02_T1w.nii.gz",
            "sub-03/anat/sub-03_acq-mprage_T1w.nii.gz",
            "sub-03/anat/sub-03_acq-fast_T1w.nii.gz",
            // Not T1w images, or not in anat/, or not raw data: all ignored.
            "sub-01/ses-1/anat/sub-01_ses-1_run-1_T1w.json",
            "sub-02/anat/sub-02_T2w.nii.gz",
            "sub-02/anat/sub-02_rec-norm_T1w.nii.gz",
            "sub-02/func/sub-02_task-rest_bold.nii.gz",
            "derivatives/fs/sub-02/anat/sub-02_T1w.nii.gz",
            "sourcedata/sub-02_T1w.nii.gz");
    }

    private static string Abs(ScratchFolder dir, string relative) => Path.Combine(dir.Path, relative);

    [TestMethod]
    public void DiscoversSessionsRunsAndAcquisitionsInOrder()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);

        BidsDataset bids = BidsDataset.Read(dir.Path);

        CollectionAssert.AreEqual(new[] { "participant_id", "session", "run", "Path" }, bids.Columns.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "sub-01", "sub-01", "sub-01", "sub-01", "sub-02", "sub-03", "sub-03" }, bids.SubjectIds.ToArray());
        CollectionAssert.AreEqual(new[] { "ses-1", "ses-1", "ses-1", "ses-2", "", "", "" }, bids.Sessions.ToArray());
        CollectionAssert.AreEqual(new[] { "run-1", "run-2", "run-10", "", "", "", "" }, bids.Runs.ToArray());
        CollectionAssert.AreEqual(new[]
        {
            Abs(dir, "sub-01/ses-1/anat/sub-01_ses-1_run-1_T1w.nii.gz"),
            Abs(dir, "sub-01/ses-1/anat/sub-01_ses-1_run-2_T1w.nii.gz"),
            Abs(dir, "sub-01/ses-1/anat/sub-01_ses-1_run-10_T1w.nii.gz"),
            Abs(dir, "sub-01/ses-2/anat/sub-01_ses-2_T1w.nii"),
            Abs(dir, "sub-02/anat/sub-02_T1w.nii.gz"),
            Abs(dir, "sub-03/anat/sub-03_acq-fast_T1w.nii.gz"),
            Abs(dir, "sub-03/anat/sub-03_acq-mprage_T1w.nii.gz"),
        }, bids.Paths.ToArray());
        Assert.IsNull(bids.ParticipantsFile);
        Assert.IsEmpty(bids.UnlistedSubjects, "without participants.tsv nobody is reported as unlisted");
        Assert.AreEqual("T1w", bids.Suffix);
    }

    [TestMethod]
    public void OtherSuffixes()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Touch(dir, "sub-01/ses-2/anat/sub-01_ses-2_FLAIR.nii.gz");
        BidsDataset t2 = BidsDataset.Read(dir.Path, "T2w");
        CollectionAssert.AreEqual(new[] { Abs(dir, "sub-02/anat/sub-02_T2w.nii.gz") }, t2.Paths.ToArray());
        BidsDataset flair = BidsDataset.Read(dir.Path, "FLAIR");
        CollectionAssert.AreEqual(new[] { "ses-2" }, flair.Sessions.ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => BidsDataset.Read(dir.Path, "T1w.nii"));
        Assert.ThrowsExactly<ArgumentException>(() => BidsDataset.Read(dir.Path, ""));
    }

    [TestMethod]
    public void JoinsParticipantsTable()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Text(dir, "participants.tsv", "participant_id\tage\tsex\tsite\nsub-01\t30\tF\t1\nsub-02\tn/a\tM\t2\n");

        BidsDataset bids = BidsDataset.Read(dir.Path);

        CollectionAssert.AreEqual(new[] { "participant_id", "session", "run", "Path", "age", "sex", "site" }, bids.Columns.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(new[] { 30f, 30f, 30f, 30f, float.NaN, float.NaN, float.NaN }, bids["age"].Numbers!.ToArray());
        CollectionAssert.AreEqual(new[] { "F", "F", "F", "F", "M", "", "" }, bids["sex"].Values.ToArray());
        CollectionAssert.AreEqual(new[] { 1f, 1f, 1f, 1f, 2f, float.NaN, float.NaN }, bids["site"].Numbers!.ToArray());
        CollectionAssert.AreEqual(new[] { "sub-03" }, bids.UnlistedSubjects.ToArray());
        Assert.AreEqual(Abs(dir, "participants.tsv"), bids.ParticipantsFile);
    }

    [TestMethod]
    public void LoadGivesTypedDataViewAndLogsUnlistedSubjects()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Text(dir, "participants.tsv", "participant_id\tage\tsex\nsub-01\t30\tF\nsub-02\t40\tM\n");
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (messages)
            {
                messages.Add(e.Message);
            }
        };

        IDataView view = BidsDataset.Load(ml, dir.Path);

        Assert.AreEqual(7L, view.GetRowCount());
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["age"].Type);
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["session"].Type);
        CollectionAssert.AreEqual(new[] { "ses-1", "ses-1", "ses-1", "ses-2", "", "", "" }, DataFiles.TextColumn(view, "session"));
        Assert.IsTrue(messages.Any(m => m.Contains("1 subjects with images are not listed") && m.Contains("sub-03")), string.Join("\n", messages));
    }

    [TestMethod]
    public void ListedSubjectsWithoutImagesAreAnErrorByDefault()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Text(dir, "participants.tsv", "participant_id\tage\nsub-01\t30\nsub-04\t40\nsub-02\t20\nsub-05\t50\n");

        var e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));

        StringAssert.Contains(e.Message, "participants.tsv");
        StringAssert.Contains(e.Message, "2 missing or unusable T1w images");
        StringAssert.Contains(e.Message, "sub-04 (line 3)");
        StringAssert.Contains(e.Message, "sub-05 (line 5)");
        CollectionAssert.AreEqual(new[] { "sub-04", "sub-05" }, e.SubjectIds.ToArray());
    }

    [TestMethod]
    public void ListedSubjectsWithoutImagesCanBeSkipped()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Text(dir, "participants.tsv", "participant_id\tage\nsub-01\t30\nsub-04\t40\nsub-02\t20\nsub-03\t25\n");

        BidsDataset bids = BidsDataset.Read(dir.Path, options: new() { MissingFiles = MissingFilePolicy.Skip });

        Assert.HasCount(1, bids.Skipped);
        Assert.AreEqual("sub-04", bids.Skipped[0].SubjectId);
        Assert.AreEqual(3, bids.Skipped[0].Line);
        Assert.AreEqual(Abs(dir, "sub-04"), bids.Skipped[0].Path);
        CollectionAssert.AreEqual(new[] { "sub-01", "sub-02", "sub-03" }, bids.SubjectIds.Distinct().ToArray());
        Assert.IsEmpty(bids.UnlistedSubjects);
    }

    [TestMethod]
    public void BrokenLinksAreMissingImages()
    {
        using var dir = TestPaths.Scratch();
        DataFiles.Touch(dir, "sub-01/anat/sub-01_T1w.nii.gz");
        Directory.CreateDirectory(dir.File("sub-02/anat"));
        File.CreateSymbolicLink(dir.File("sub-02/anat/sub-02_T1w.nii.gz"), dir.File(".git/annex/objects/x"));

        var e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));
        StringAssert.Contains(e.Message, "sub-02: image file is a broken symbolic link");
        StringAssert.Contains(e.Message, dir.Path);

        BidsDataset bids = BidsDataset.Read(dir.Path, options: new() { MissingFiles = MissingFilePolicy.Skip });
        CollectionAssert.AreEqual(new[] { "sub-01" }, bids.SubjectIds.ToArray());
        Assert.AreEqual(Abs(dir, "sub-02/anat/sub-02_T1w.nii.gz"), bids.Skipped.Single().Path);
    }

    [TestMethod]
    public void FileNameMustAgreeWithItsFolders()
    {
        using var dir = TestPaths.Scratch();
        DataFiles.Touch(dir, "sub-01/anat/sub-02_T1w.nii.gz");
        var e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));
        StringAssert.Contains(e.Message, "sub-02_T1w.nii.gz");
        StringAssert.Contains(e.Message, "disagree with its folder sub-01/anat");

        using var dir2 = TestPaths.Scratch();
        DataFiles.Touch(dir2, "sub-01/ses-a/anat/sub-01_T1w.nii.gz");
        e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir2.Path));
        StringAssert.Contains(e.Message, "disagree with its folder sub-01/ses-a/anat");
    }

    [TestMethod]
    public void FolderProblems()
    {
        using var dir = TestPaths.Scratch();
        var e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.File("missing")));
        StringAssert.Contains(e.Message, "missing: BIDS folder not found");
        DataFiles.Touch(dir, "sub-01/anat/sub-01_T2w.nii.gz");
        e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));
        StringAssert.Contains(e.Message, "no sub-*/[ses-*/]anat/sub-*_T1w.nii[.gz] image found");
        Assert.AreEqual(dir.Path, e.FilePath);
    }

    [TestMethod]
    public void ParticipantsTableProblems()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        string participants = dir.File("participants.tsv");

        DataFiles.Text(dir, "participants.tsv", "subject\tage\nsub-01\t3\n");
        var e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));
        Assert.AreEqual(participants, e.FilePath);
        StringAssert.Contains(e.Message, "no 'participant_id' column");

        DataFiles.Text(dir, "participants.tsv", "participant_id\tage\nsub-01\t3\nsub-02\t4\nsub-01\t5\n");
        e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));
        StringAssert.Contains(e.Message, "duplicate subject ids in column 'participant_id': sub-01 (lines 2, 4)");

        DataFiles.Text(dir, "participants.tsv", "participant_id\tage\nsub-01\t3\nsub-02\n");
        e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));
        Assert.AreEqual(3, e.Line);

        DataFiles.Text(dir, "participants.tsv", "participant_id\tsession\nsub-01\t3\n");
        e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));
        StringAssert.Contains(e.Message, "column 'session' clashes");
    }
}
