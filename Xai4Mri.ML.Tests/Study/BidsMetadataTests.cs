using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Study;

namespace Xai4Mri.ML.Tests.Study;

/// <summary>
/// BIDS metadata joined to the images: sessions.tsv, scans.tsv (with and without the datatype folder), sidecar fields by
/// the inheritance principle, the most-specific-level rule, typing, warnings, the summary, and malformed input.
/// Expected values are worked out by hand from the small trees written here.
/// </summary>
[TestClass]
public sealed class BidsMetadataTests
{
    /// <summary>sub-01 with ses-1 and ses-2, sub-02 with ses-1; one T1w each, plus a bold run of sub-02.</summary>
    private static void Tree(ScratchFolder dir) =>
        DataFiles.Touch(dir,
            "sub-01/ses-1/anat/sub-01_ses-1_T1w.nii.gz",
            "sub-01/ses-2/anat/sub-01_ses-2_T1w.nii.gz",
            "sub-02/ses-1/anat/sub-02_ses-1_T1w.nii.gz",
            "sub-02/ses-1/func/sub-02_ses-1_task-rest_bold.nii.gz");

    private static string[] Names(BidsDataset bids) => bids.Columns.Select(c => c.Name).ToArray();

    [TestMethod]
    public void ScansTablesGiveAgesWithOrWithoutTheDatatypeFolder()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        // As real datasets write it: no anat/ prefix in ses-1 of sub-01 and sub-02; with it in ses-2.
        DataFiles.Text(dir, "sub-01/ses-1/sub-01_ses-1_scans.tsv", "filename\tage\tacq_time\nsub-01_ses-1_T1w.nii.gz\t30.5\t2020-01-01T10:00:00\n");
        DataFiles.Text(dir, "sub-01/ses-2/sub-01_ses-2_scans.tsv", "filename\tage\tacq_time\nanat/sub-01_ses-2_T1w.nii.gz\t32\tn/a\n");
        DataFiles.Text(dir, "sub-02/ses-1/sub-02_ses-1_scans.tsv",
            "filename\tage\tacq_time\nsub-02_ses-1_T1w.nii.gz\t41\t2021-03-04T09:30:00\nfunc/sub-02_ses-1_task-rest_bold.nii.gz\t41\t2021-03-04T09:50:00\n");

        BidsDataset bids = BidsDataset.Read(dir.Path);

        CollectionAssert.AreEqual(new[] { "participant_id", "session", "run", "Path", "age", "acq_time" }, Names(bids));
        Assert.AreEqual(DatasetColumnKind.Number, bids["age"].Kind);
        CollectionAssert.AreEqual(new[] { 30.5f, 32f, 41f }, bids["age"].Numbers!.ToArray());
        Assert.AreEqual(DatasetColumnKind.Text, bids["acq_time"].Kind);
        CollectionAssert.AreEqual(new[] { "2020-01-01T10:00:00", "n/a", "2021-03-04T09:30:00" }, bids["acq_time"].Values.ToArray());

        BidsDatasetSummary summary = bids.Summary;
        Assert.HasCount(3, summary.Tables);
        Assert.IsTrue(summary.Tables.All(t => t.Source == BidsMetadataSource.Scans));
        Assert.AreEqual(dir.File("sub-02/ses-1/sub-02_ses-1_scans.tsv"), summary.Tables[2].Path);
        Assert.AreEqual(2, summary.Tables[2].Rows);
        Assert.AreEqual(1, summary.Tables[2].MatchedRows);
        CollectionAssert.AreEqual(new[] { "line 3: func/sub-02_ses-1_task-rest_bold.nii.gz: not a T1w image of the dataset" }, summary.Tables[2].UnmatchedRows.ToArray());
        Assert.AreEqual(3, summary.ImagesWith(BidsMetadataSource.Scans));
        Assert.IsEmpty(summary.Warnings);
        CollectionAssert.AreEqual(new[]
        {
            $"BIDS {dir.Path}: 3 T1w images of 2 subjects",
            "scans.tsv: 3 files, 4 rows, 3 matched, 1 not matched; images with a row: 3 of 3; not matched: sub-02_ses-1_scans.tsv line 3: func/sub-02_ses-1_task-rest_bold.nii.gz: not a T1w image of the dataset",
            "columns: age (Number, scans.tsv, 3/3), acq_time (Text, scans.tsv, 2/3)",
        }, summary.Lines().ToArray());
    }

    [TestMethod]
    public void TheMostSpecificLevelWinsRowByRow()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Text(dir, "participants.tsv", "participant_id\tage\tsex\nsub-01\t29\tF\nsub-02\t48\tM\n");
        // sub-02 writes its session ids without the prefix, which pybids accepts too; ses-3 has no T1w image.
        DataFiles.Text(dir, "sub-01/sub-01_sessions.tsv", "session_id\tage\tsite\nses-1\t30\tA\nses-2\tn/a\tB\nses-3\t31\tB\n");
        DataFiles.Text(dir, "sub-02/sub-02_sessions.tsv", "session_id\tage\tsite\n1\t50\tA\n");
        DataFiles.Text(dir, "sub-01/ses-1/sub-01_ses-1_scans.tsv", "filename\tage\nanat/sub-01_ses-1_T1w.nii.gz\t30.2\n");

        BidsDataset bids = BidsDataset.Read(dir.Path);

        CollectionAssert.AreEqual(new[] { "participant_id", "session", "run", "Path", "age", "sex", "site" }, Names(bids));
        // Row 1: scans 30.2 over sessions 30 over participants 29. Row 2: sessions n/a, so participants' 29. Row 3: sessions' 50 over 48.
        CollectionAssert.AreEqual(new[] { 30.2f, 29f, 50f }, bids["age"].Numbers!.ToArray());
        CollectionAssert.AreEqual(new[] { "A", "B", "A" }, bids["site"].Values.ToArray());
        CollectionAssert.AreEqual(new[] { "F", "F", "M" }, bids["sex"].Values.ToArray());

        BidsJoinedColumn age = bids.Summary.Columns.Single(c => c.Name == "age");
        CollectionAssert.AreEqual(new[] { BidsMetadataSource.Participants, BidsMetadataSource.Sessions, BidsMetadataSource.Scans }, age.Sources.ToArray());
        Assert.AreEqual(2, age.DifferingRows, "rows 1 and 3 have two different values; row 2 only one");
        Assert.AreEqual(3, age.RowsWithValue);
        BidsTableSummary sessions = bids.Summary.Tables.Single(t => t.Path.EndsWith("sub-01_sessions.tsv", StringComparison.Ordinal));
        Assert.AreEqual(3, sessions.Rows);
        Assert.AreEqual(2, sessions.MatchedRows);
        CollectionAssert.AreEqual(new[] { "line 4: ses-3: no T1w image in that session" }, sessions.UnmatchedRows.ToArray());
        Assert.AreEqual(3, bids.Summary.ImagesWith(BidsMetadataSource.Sessions));
        Assert.AreEqual(1, bids.Summary.ImagesWith(BidsMetadataSource.Scans));
        Assert.AreEqual(3, bids.Summary.ImagesWith(BidsMetadataSource.Participants));
        CollectionAssert.AreEqual(new[]
        {
            "column 'age' is in participants.tsv, sessions.tsv, scans.tsv: 2 images have different values at two levels; the most specific level's value is used",
        }, bids.Summary.Warnings.ToArray());
    }

    [TestMethod]
    public void ValuesWithUnitsStayTextWithAWarningOnTheLog()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        string sessions = DataFiles.Text(dir, "sub-01/sub-01_sessions.tsv", "session_id\tage\nses-1\t32\nses-2\t30 gestational_weeks\n");
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        var infos = new List<string>();
        ml.Log += (_, e) =>
        {
            lock (warnings)
            {
                (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning ? warnings : infos).Add(e.Message);
            }
        };

        IDataView view = BidsDataset.Load(ml, dir.Path, "T1w", null, out BidsDatasetSummary summary);

        Assert.AreEqual(TextDataViewType.Instance, view.Schema["age"].Type);
        CollectionAssert.AreEqual(new[] { "32", "30 gestational_weeks", "" }, DataFiles.TextColumn(view, "age"));
        string expected = $"column 'age' is text: '30 gestational_weeks' ({sessions} line 3) is not a number, though other values are " +
            "(values with units such as '30 gestational_weeks' stay text; write the number alone to get a number column)";
        CollectionAssert.AreEqual(new[] { expected }, summary.Warnings.ToArray());
        Assert.IsTrue(warnings.Any(w => w.Contains(expected, StringComparison.Ordinal)), string.Join("\n", warnings));
        Assert.IsTrue(infos.Any(i => i.Contains("sessions.tsv: 1 file, 2 rows, 2 matched, 0 not matched; images with a row: 2 of 3", StringComparison.Ordinal)), string.Join("\n", infos));
    }

    [TestMethod]
    public void SidecarFieldsFollowTheInheritancePrinciple()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Touch(dir, "sub-02/ses-1/anat/sub-02_ses-1_acq-fast_T1w.nii.gz");
        DataFiles.Text(dir, "T1w.json", "{\"MagneticFieldStrength\": 3, \"RepetitionTime\": 2.3, \"SliceTiming\": [0, 1], \"Manufacturer\": \"Siemens\"}");
        DataFiles.Text(dir, "acq-fast_T1w.json", "{\"RepetitionTime\": 1.1}");
        DataFiles.Text(dir, "sub-02/sub-02_T1w.json", "{\"MagneticFieldStrength\": 1.5, \"Manufacturer\": \"GE\"}");
        DataFiles.Text(dir, "sub-01/ses-2/anat/sub-01_ses-2_T1w.json", "{\"RepetitionTime\": 2.0, \"Manufacturer\": null}");
        // Not applicable: another subject's entity, an entity the images lack, another suffix.
        DataFiles.Text(dir, "sub-01/sub-02_T1w.json", "{\"MagneticFieldStrength\": 7}");
        DataFiles.Text(dir, "rec-norm_T1w.json", "{\"MagneticFieldStrength\": 7}");
        DataFiles.Text(dir, "T2w.json", "{\"MagneticFieldStrength\": 7}");

        BidsDataset plain = BidsDataset.Read(dir.Path);
        Assert.IsEmpty(plain.Summary.SidecarFiles, "no sidecar is read unless fields are asked for");
        CollectionAssert.AreEqual(new[] { "participant_id", "session", "run", "Path" }, Names(plain));

        BidsDataset bids = BidsDataset.Read(dir.Path, options: new() { SidecarFields = ["MagneticFieldStrength", "RepetitionTime", "Manufacturer", "SliceTiming", "EchoTime"] });

        CollectionAssert.AreEqual(new[] { "participant_id", "session", "run", "Path", "MagneticFieldStrength", "RepetitionTime", "Manufacturer", "SliceTiming", "EchoTime" }, Names(bids));
        // Rows: sub-01 ses-1, sub-01 ses-2, sub-02 ses-1 (no acq), sub-02 ses-1 acq-fast.
        CollectionAssert.AreEqual(new[] { 3f, 3f, 1.5f, 1.5f }, bids["MagneticFieldStrength"].Numbers!.ToArray());
        CollectionAssert.AreEqual(new[] { 2.3f, 2.0f, 2.3f, 1.1f }, bids["RepetitionTime"].Numbers!.ToArray());
        // null in the nearest sidecar is missing there, so the dataset-level value fills in (as for n/a in tables).
        CollectionAssert.AreEqual(new[] { "Siemens", "Siemens", "GE", "GE" }, bids["Manufacturer"].Values.ToArray());
        CollectionAssert.AreEqual(new[] { "", "", "", "" }, bids["SliceTiming"].Values.ToArray());
        Assert.AreEqual(DatasetColumnKind.Text, bids["EchoTime"].Kind);
        CollectionAssert.AreEqual(new[]
        {
            dir.File("T1w.json"), dir.File("acq-fast_T1w.json"), dir.File("sub-01/ses-2/anat/sub-01_ses-2_T1w.json"), dir.File("sub-02/sub-02_T1w.json"),
        }, bids.Summary.SidecarFiles.ToArray());
        Assert.AreEqual(4, bids.Summary.ImagesWith(BidsMetadataSource.Sidecar));
        CollectionAssert.AreEqual(new[] { $"{dir.File("T1w.json")}: field 'SliceTiming' is a JSON array, not a scalar; not joined" }, bids.Summary.Warnings.ToArray());
        StringAssert.Contains(bids.Summary.ToString(), "sidecars (.json): 4 files; images with a sidecar: 4 of 4");
    }

    [TestMethod]
    public void WithoutSessionsScansTablesAreAtSubjectLevelAndRunIndicesCompareAsNumbers()
    {
        using var dir = TestPaths.Scratch();
        DataFiles.Touch(dir, "sub-01/anat/sub-01_run-01_T1w.nii.gz", "sub-02/anat/sub-02_T1w.nii.gz");
        DataFiles.Text(dir, "sub-01/sub-01_scans.tsv", "filename\tage\nanat/sub-01_run-01_T1w.nii.gz\t25\n");
        DataFiles.Text(dir, "sub-01/anat/sub-01_run-1_T1w.json", "{\"RepetitionTime\": 2}");
        // Two dataset-level sidecars with one entity each apply to sub-01 (BIDS allows one): the later name wins.
        string run = DataFiles.Text(dir, "run-1_T1w.json", "{\"RepetitionTime\": 3, \"EchoTime\": 0.004}");
        string subject = DataFiles.Text(dir, "sub-01_T1w.json", "{\"RepetitionTime\": 4, \"EchoTime\": 0.005}");

        BidsDataset bids = BidsDataset.Read(dir.Path, options: new() { SidecarFields = ["RepetitionTime", "EchoTime"] });

        CollectionAssert.AreEqual(new[] { 25f, float.NaN }, bids["age"].Numbers!.ToArray());
        CollectionAssert.AreEqual(new[] { 2f, float.NaN }, bids["RepetitionTime"].Numbers!.ToArray());
        CollectionAssert.AreEqual(new[] { 0.005f, float.NaN }, bids["EchoTime"].Numbers!.ToArray());
        CollectionAssert.AreEqual(new[]
        {
            $"{run} and {subject} both apply to the same images at one level (BIDS allows one); the second in name order wins where both set a field",
        }, bids.Summary.Warnings.ToArray());
        Assert.AreEqual(1, bids.Summary.ImagesWith(BidsMetadataSource.Sidecar));
    }

    [TestMethod]
    public void SidecarsOverrideTablesAndTablesCanBeTurnedOff()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Text(dir, "sub-01/sub-01_sessions.tsv", "session_id\tMagneticFieldStrength\nses-1\t1.5\nses-2\t3\n");
        DataFiles.Text(dir, "T1w.json", "{\"MagneticFieldStrength\": 3}");

        BidsDataset bids = BidsDataset.Read(dir.Path, options: new() { SidecarFields = ["MagneticFieldStrength"] });
        CollectionAssert.AreEqual(new[] { 3f, 3f, 3f }, bids["MagneticFieldStrength"].Numbers!.ToArray());
        Assert.AreEqual(1, bids.Summary.Columns.Single().DifferingRows);

        BidsDataset none = BidsDataset.Read(dir.Path, options: new() { JoinSessions = false });
        CollectionAssert.AreEqual(new[] { "participant_id", "session", "run", "Path" }, Names(none));
        CollectionAssert.AreEqual(new[]
        {
            $"BIDS {dir.Path}: 3 T1w images of 2 subjects",
            "no participants.tsv, sessions.tsv, scans.tsv or sidecar read: the columns are participant_id, session, run and Path",
        }, none.Summary.Lines().ToArray());
    }

    [TestMethod]
    public void BomAndCrlfTablesJoinCleanly()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Text(dir, "sub-01/sub-01_sessions.tsv", "session_id\tgroup\r\nses-1\tpatient\r\nses-2\tcontrol\r\n", bom: true);
        DataFiles.Text(dir, "sub-02/ses-1/sub-02_ses-1_scans.tsv", "filename\tage\r\nanat/sub-02_ses-1_T1w.nii.gz\t41\r\n", bom: true);

        BidsDataset bids = BidsDataset.Read(dir.Path);

        CollectionAssert.AreEqual(new[] { "participant_id", "session", "run", "Path", "group", "age" }, Names(bids));
        CollectionAssert.AreEqual(new[] { "patient", "control", "" }, bids["group"].Values.ToArray());
        CollectionAssert.AreEqual(new[] { float.NaN, float.NaN, 41f }, bids["age"].Numbers!.ToArray());
    }

    [TestMethod]
    public void ScansRowsNamingMissingFilesAreWarningsNotErrors()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        string scans = DataFiles.Text(dir, "sub-01/ses-1/sub-01_ses-1_scans.tsv",
            "filename\tage\nanat/sub-01_ses-1_T1w.nii.gz\t30\nanat/sub-01_ses-1_T2w.nii.gz\t30\nsub-01_ses-1_FLAIR.nii.gz\t30\n");

        BidsDataset bids = BidsDataset.Read(dir.Path);

        CollectionAssert.AreEqual(new[] { 30f, float.NaN, float.NaN }, bids["age"].Numbers!.ToArray());
        BidsTableSummary table = bids.Summary.Tables.Single();
        Assert.AreEqual(2, table.MissingFileRows);
        Assert.AreEqual(1, table.MatchedRows);
        CollectionAssert.AreEqual(new[]
        {
            $"{scans}: 2 rows name files that do not exist and are ignored: line 3: anat/sub-01_ses-1_T2w.nii.gz, line 4: sub-01_ses-1_FLAIR.nii.gz",
        }, bids.Summary.Warnings.ToArray());
        StringAssert.Contains(bids.Summary.ToString(), "scans.tsv: 1 file, 3 rows, 1 matched, 2 not matched (2 name missing files)");
    }

    [TestMethod]
    public void MalformedTablesNameTheFileAndLine()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        string scans = dir.File("sub-01/ses-1/sub-01_ses-1_scans.tsv");
        string sessions = dir.File("sub-01/sub-01_sessions.tsv");

        DatasetException Fails(string file, string content)
        {
            DataFiles.Text(dir, Path.GetRelativePath(dir.Path, file), content);
            var e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));
            Assert.AreEqual(file, e.FilePath, e.Message);
            File.Delete(file);
            return e;
        }

        var e = Fails(scans, "filename\tage\nanat/sub-01_ses-1_T1w.nii.gz\t30\textra\n");
        Assert.AreEqual(2, e.Line);
        StringAssert.Contains(e.Message, "3 fields, but the header (line 1) has 2 columns");

        e = Fails(sessions, "session_id\tage\tage\nses-1\t1\t2\n");
        StringAssert.Contains(e.Message, "column name 'age' appears twice (columns 2 and 3)");

        e = Fails(scans, "file\tage\nanat/sub-01_ses-1_T1w.nii.gz\t30\n");
        StringAssert.Contains(e.Message, "no 'filename' column");

        e = Fails(sessions, "session_id\tage\nses-1\t1\nses-2\t2\nses-1\t3\n");
        Assert.AreEqual(4, e.Line);
        StringAssert.Contains(e.Message, "session 'ses-1' appears twice (lines 2 and 4)");

        e = Fails(sessions, "session_id\tage\n\t1\n");
        StringAssert.Contains(e.Message, "line 2: empty 'session_id'");

        e = Fails(scans, "filename\tage\nanat/sub-01_ses-1_T1w.nii.gz\t30\nsub-01_ses-1_T1w.nii.gz\t31\n");
        Assert.AreEqual(3, e.Line);
        StringAssert.Contains(e.Message, "'sub-01_ses-1_T1w.nii.gz' names the same file as line 2");

        e = Fails(sessions, "session_id\trun\nses-1\t1\n");
        StringAssert.Contains(e.Message, "column 'run' clashes");

        File.WriteAllBytes(scans, [.. "filename\tsite\nanat/sub-01_ses-1_T1w.nii.gz\t"u8, 0xE9, (byte)'\n']);
        e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));
        StringAssert.Contains(e.Message, "not valid UTF-8");
        File.Delete(scans);

        Assert.AreEqual(3, BidsDataset.Read(dir.Path).RowCount, "with the bad tables gone the dataset loads");
    }

    [TestMethod]
    public void AnImageDescribedByTwoScansTablesIsAnError()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        DataFiles.Text(dir, "sub-01/sub-01_scans.tsv", "filename\tage\nses-1/anat/sub-01_ses-1_T1w.nii.gz\t30\n");
        string second = DataFiles.Text(dir, "sub-01/ses-1/sub-01_ses-1_scans.tsv", "filename\tage\nanat/sub-01_ses-1_T1w.nii.gz\t30\n");

        var e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path));

        Assert.AreEqual(second, e.FilePath);
        Assert.AreEqual(2, e.Line);
        StringAssert.Contains(e.Message, $"is also described by {dir.File("sub-01/sub-01_scans.tsv")} line 2");
    }

    [TestMethod]
    public void BadSidecarsAndOptions()
    {
        using var dir = TestPaths.Scratch();
        Tree(dir);
        string sidecar = DataFiles.Text(dir, "sub-01/ses-2/anat/sub-01_ses-2_T1w.json", "{\n  \"RepetitionTime\": 2.0,\n  \"EchoTime\": ,\n}\n");
        var options = new BidsDatasetOptions { SidecarFields = ["RepetitionTime"] };

        var e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path, options: options));
        Assert.AreEqual(sidecar, e.FilePath);
        Assert.AreEqual(3, e.Line);
        StringAssert.StartsWith(e.Message, $"{sidecar}: line 3: not valid JSON: ");
        Assert.AreEqual(3, BidsDataset.Read(dir.Path).RowCount, "a broken sidecar does not matter when no field is asked for");

        File.WriteAllText(sidecar, "[1, 2]");
        e = Assert.ThrowsExactly<DatasetException>(() => BidsDataset.Read(dir.Path, options: options));
        StringAssert.Contains(e.Message, "a sidecar must hold a JSON object, not array");

        File.WriteAllText(sidecar, "\uFEFF{\"RepetitionTime\": 2.5}");
        CollectionAssert.AreEqual(new[] { float.NaN, 2.5f, float.NaN }, BidsDataset.Read(dir.Path, options: options)["RepetitionTime"].Numbers!.ToArray());

        var a = Assert.ThrowsExactly<ArgumentException>(() => BidsDataset.Read(dir.Path, options: new() { SidecarFields = ["Path"] }));
        StringAssert.Contains(a.Message, "'Path' is the name of a column BidsDataset adds");
        a = Assert.ThrowsExactly<ArgumentException>(() => BidsDataset.Read(dir.Path, options: new() { SidecarFields = ["EchoTime", "EchoTime"] }));
        StringAssert.Contains(a.Message, "'EchoTime' is named twice");
    }
}
