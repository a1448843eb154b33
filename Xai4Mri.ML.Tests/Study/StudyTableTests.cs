using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Study;

namespace Xai4Mri.ML.Tests.Study;

/// <summary>Study tables: formats, typing, path templates and columns, and every error naming file and line or subjects.</summary>
[TestClass]
public sealed class StudyTableTests
{
    private const string T1Template = "{sid}/anat/{sid}_T1w.nii.gz";

    private static DatasetException Fails(Action load, string fileName, params string[] expected)
    {
        var e = Assert.ThrowsExactly<DatasetException>(load);
        StringAssert.Contains(e.Message, fileName);
        foreach (string part in expected)
        {
            StringAssert.Contains(e.Message, part);
        }
        return e;
    }

    private static void Images(ScratchFolder dir, params string[] subjects)
    {
        foreach (string sid in subjects)
        {
            DataFiles.Touch(dir, $"{sid}/anat/{sid}_T1w.nii.gz");
        }
    }

    [TestMethod]
    public void TsvWithTemplateGivesSubjectPathAndTypedColumns()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "participants.tsv", "sid\tage\tgroup\nsub-01\t25\tcontrol\nsub-02\t30.5\tpatient\n");
        Images(dir, "sub-01", "sub-02");
        var ml = new MLContext(seed: 1);

        IDataView view = StudyTable.Load(ml, table, pathTemplate: T1Template);

        CollectionAssert.AreEqual(new[] { "sid", "Path", "age", "group" }, view.Schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["age"].Type);
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["group"].Type);
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["Path"].Type);
        CollectionAssert.AreEqual(new[] { 25f, 30.5f }, DataFiles.SingleColumn(view, "age"));
        CollectionAssert.AreEqual(new[] { "control", "patient" }, DataFiles.TextColumn(view, "group"));
        CollectionAssert.AreEqual(
            new[] { Path.Combine(dir.Path, "sub-01/anat/sub-01_T1w.nii.gz"), Path.Combine(dir.Path, "sub-02/anat/sub-02_T1w.nii.gz") },
            DataFiles.TextColumn(view, "Path"));
        Assert.AreEqual(2L, view.GetRowCount());
    }

    [TestMethod]
    public void RequiredNumericColumnsNameTheBadRow()
    {
        using var dir = TestPaths.Scratch();
        Images(dir, "sub-01", "sub-02", "sub-03");
        var options = new StudyTableOptions { NumericColumns = ["age"] };
        string ok = DataFiles.Text(dir, "ok.tsv", "sid\tage\nsub-01\t25\nsub-02\t30\n");
        Assert.AreEqual(2, StudyTable.Read(ok, T1Template, options: options).RowCount);

        string text = DataFiles.Text(dir, "text.tsv", "sid\tage\nsub-01\t25\nsub-02\tthirty\nsub-03\t40\n");
        var e = Fails(() => StudyTable.Read(text, T1Template, options: options), "text.tsv", "line 3", "subject sub-02", "'age' holds 'thirty', not a number");
        Assert.AreEqual(3, e.Line);
        string empty = DataFiles.Text(dir, "empty.tsv", "sid\tage\nsub-01\t25\nsub-02\tn/a\n");
        Fails(() => StudyTable.Read(empty, T1Template, options: options), "empty.tsv", "line 3", "subject sub-02", "'age' has no value");
        Fails(() => StudyTable.Read(ok, T1Template, options: new StudyTableOptions { NumericColumns = ["Age"] }), "ok.tsv", "no such column");
    }

    [TestMethod]
    public void ReadExposesWhatWasLoaded()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "study/table.csv", "sid,age\ns1,1\ns2,2\n");
        DataFiles.Touch(dir, "study/img/s1.nii");
        DataFiles.Touch(dir, "study/img/s2.nii");

        StudyTable t = StudyTable.Read(table, pathTemplate: "img/{sid}.nii");

        Assert.AreEqual(Path.Combine(dir.Path, "study/table.csv"), t.SourcePath);
        Assert.AreEqual("sid", t.SubjectColumn);
        Assert.AreEqual(2, t.RowCount);
        CollectionAssert.AreEqual(new[] { "s1", "s2" }, t.SubjectIds.ToArray());
        Assert.AreEqual(Path.Combine(dir.Path, "study/img/s2.nii"), t.Paths[1]);
        Assert.AreEqual(DatasetColumnKind.Number, t["age"].Kind);
        CollectionAssert.AreEqual(new[] { 1f, 2f }, t["age"].Numbers!.ToArray());
        Assert.IsEmpty(t.Skipped);
        Assert.ThrowsExactly<KeyNotFoundException>(() => t["nope"]);
    }

    [TestMethod]
    public void NumberColumnsAndMissingValues()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv",
            "sid\tnum\tmissing\ttext\tempty\tcomma\tids\n" +
            "a\t1e3\t\t1\t\t1,5\t001\n" +
            "b\t-2.5\tn/a\tx\t\t2\t002\n" +
            "c\t 7 \tNA\t3\tn/a\t3\t003\n" +
            "d\tNaN\t4\t\t\t4\t004\n");
        Images(dir, "a", "b", "c", "d");

        StudyTable t = StudyTable.Read(table, pathTemplate: T1Template);

        CollectionAssert.AreEqual(new[] { 1000f, -2.5f, 7f, float.NaN }, t["num"].Numbers!.ToArray());
        CollectionAssert.AreEqual(new[] { float.NaN, float.NaN, float.NaN, 4f }, t["missing"].Numbers!.ToArray());
        Assert.AreEqual(DatasetColumnKind.Text, t["text"].Kind, "one value is not a number");
        CollectionAssert.AreEqual(new[] { "1", "x", "3", "" }, t["text"].Values.ToArray(), "text is kept as written");
        Assert.AreEqual(DatasetColumnKind.Text, t["empty"].Kind, "no value at all: nothing says it is numeric");
        Assert.AreEqual(DatasetColumnKind.Text, t["comma"].Kind, "invariant culture: 1,5 is not a number");
        Assert.AreEqual(DatasetColumnKind.Number, t["ids"].Kind);
        Assert.AreEqual("001", t["ids"].Values[0], "raw text is kept next to the number");
    }

    [TestMethod]
    public void NumericSubjectIdsStayText()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.csv", "sid,age\n001,20\n002,30\n");
        Images(dir, "001", "002");
        IDataView view = StudyTable.Load(new MLContext(1), table, pathTemplate: T1Template);
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["sid"].Type);
        CollectionAssert.AreEqual(new[] { "001", "002" }, DataFiles.TextColumn(view, "sid"));
    }

    [TestMethod]
    public void CsvQuotingFollowsRfc4180()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.csv",
            "sid,\"note, with comma\",quote\r\n" +
            "s1,\"a, b\",\"say \"\"hi\"\"\"\r\n" +
            "s2,\"two\r\nlines\",\"\"\r\n" +
            "s3,plain,x\r\n");
        Images(dir, "s1", "s2", "s3");

        StudyTable t = StudyTable.Read(table, pathTemplate: T1Template);

        CollectionAssert.AreEqual(new[] { "sid", "Path", "note, with comma", "quote" }, t.Columns.Select(c => c.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "a, b", "two\r\nlines", "plain" }, t["note, with comma"].Values.ToArray());
        CollectionAssert.AreEqual(new[] { "say \"hi\"", "", "x" }, t["quote"].Values.ToArray());
    }

    [TestMethod]
    public void Utf8WithBomAndNonAsciiText()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tStandort\r\ns1\tLeipzig-Grünau\r\n", bom: true);
        Images(dir, "s1");
        StudyTable t = StudyTable.Read(table, pathTemplate: T1Template);
        Assert.AreEqual("sid", t.SubjectColumn, "the BOM is not part of the first column name");
        Assert.AreEqual("Leipzig-Grünau", t["Standort"].Values[0]);
    }

    [TestMethod]
    public void TsvDoesNotInterpretQuotesAndSkipsBlankLines()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tnote\n\ns1\t\"quoted\"\n\n");
        Images(dir, "s1");
        StudyTable t = StudyTable.Read(table, pathTemplate: T1Template);
        Assert.AreEqual("\"quoted\"", t["note"].Values[0]);
    }

    [TestMethod]
    public void TemplateUsesAnyColumnAndEscapedBraces()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.csv", "participant_id,site,visit\nsub-01,A,1\nsub-02,B,2\n");
        DataFiles.Touch(dir, "A/{x}/sub-01_v1.nii");
        DataFiles.Touch(dir, "B/{x}/sub-02_v2.nii");

        StudyTable t = StudyTable.Read(table, pathTemplate: "{site}/{{x}}/{sid}_v{visit}.nii");

        Assert.AreEqual("participant_id", t.SubjectColumn, "BIDS column when there is no sid");
        Assert.AreEqual(Path.Combine(dir.Path, "B/{x}/sub-02_v2.nii"), t.Paths[1]);
    }

    [TestMethod]
    public void AbsoluteTemplateIsKept()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "tables/t.csv", "sid\ns1\n");
        DataFiles.Touch(dir, "data/s1.nii");
        StudyTable t = StudyTable.Read(table, pathTemplate: Path.Combine(dir.Path, "data/{sid}.nii"));
        Assert.AreEqual(Path.Combine(dir.Path, "data/s1.nii"), t.Paths[0]);
    }

    [TestMethod]
    public void PathColumnResolvesRelativeAndAbsolutePaths()
    {
        using var dir = TestPaths.Scratch();
        string absolute = DataFiles.Touch(dir, "elsewhere/b.nii.gz");
        string table = DataFiles.Text(dir, "study/t.csv", $"sid,t1\ns1,../images/a.nii\ns2,{absolute}\n");
        DataFiles.Touch(dir, "images/a.nii");

        StudyTable t = StudyTable.Read(table, pathColumn: "t1");

        CollectionAssert.AreEqual(new[] { Path.Combine(dir.Path, "images/a.nii"), absolute }, t.Paths.ToArray());
        CollectionAssert.AreEqual(new[] { "../images/a.nii", absolute }, t["t1"].Values.ToArray(), "the source column stays as written");
    }

    [TestMethod]
    public void PathColumnNamedPathIsReplacedByResolvedPaths()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tPath\tage\ns1\ts1.nii\t3\n");
        DataFiles.Touch(dir, "s1.nii");
        StudyTable t = StudyTable.Read(table, pathColumn: "Path");
        CollectionAssert.AreEqual(new[] { "sid", "Path", "age" }, t.Columns.Select(c => c.Name).ToArray());
        Assert.AreEqual(Path.Combine(dir.Path, "s1.nii"), t.Paths[0]);
    }

    [TestMethod]
    public void ColumnNamedPathClashesWithTemplate()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tPath\ns1\tx\n");
        Fails(() => StudyTable.Read(table, pathTemplate: T1Template), "t.tsv", "line 1", "'Path'", "rename it");
    }

    [TestMethod]
    public void TemplateNamingUnknownColumn()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tage\ns1\t3\n");
        Fails(() => StudyTable.Read(table, pathTemplate: "{site}/{sid}.nii"), "t.tsv", "'{site}'", "'sid', 'age'");
    }

    [TestMethod]
    public void MalformedTemplatesAndArgumentsAreArgumentErrors()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\ns1\n");
        Assert.ThrowsExactly<ArgumentException>(() => StudyTable.Read(table, pathTemplate: "{sid"));
        Assert.ThrowsExactly<ArgumentException>(() => StudyTable.Read(table, pathTemplate: "sid}"));
        Assert.ThrowsExactly<ArgumentException>(() => StudyTable.Read(table, pathTemplate: "{}/x"));
        Assert.ThrowsExactly<ArgumentException>(() => StudyTable.Read(table));
        Assert.ThrowsExactly<ArgumentException>(() => StudyTable.Read(table, pathTemplate: "{sid}", pathColumn: "sid"));
        Assert.ThrowsExactly<ArgumentNullException>(() => StudyTable.Load(null!, table, pathTemplate: "{sid}"));
    }

    [TestMethod]
    public void MissingImagesAreListedWithIdsAndPaths()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tage\ns1\t1\ns2\t2\ns3\t3\ns4\t4\n");
        Images(dir, "s1", "s3");

        var e = Fails(() => StudyTable.Read(table, pathTemplate: T1Template), "t.tsv",
            "2 of 4 subjects have no image file", "s2 (line 3)", "s4 (line 5)", Path.Combine(dir.Path, "s2/anat/s2_T1w.nii.gz"), "MissingFilePolicy.Skip");
        CollectionAssert.AreEqual(new[] { "s2", "s4" }, e.SubjectIds.ToArray());
        Assert.IsNull(e.Line);
    }

    [TestMethod]
    public void LongListsOfMissingImagesAreShortenedButAllIdsKept()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\n" + string.Concat(Enumerable.Range(1, 25).Select(i => $"s{i}\n")));
        var e = Fails(() => StudyTable.Read(table, pathTemplate: T1Template), "t.tsv", "25 of 25", "and 5 more");
        Assert.HasCount(25, e.SubjectIds);
    }

    [TestMethod]
    public void SkipLeavesOutMissingImagesReportsThemAndLogs()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tage\ns1\t1\ns2\t2\ns3\t3\n");
        Images(dir, "s1", "s3");
        var options = new StudyTableOptions { MissingFiles = MissingFilePolicy.Skip };

        StudyTable t = StudyTable.Read(table, pathTemplate: T1Template, options: options);
        CollectionAssert.AreEqual(new[] { "s1", "s3" }, t.SubjectIds.ToArray());
        CollectionAssert.AreEqual(new[] { 1f, 3f }, t["age"].Numbers!.ToArray());
        Assert.HasCount(1, t.Skipped);
        Assert.AreEqual("s2", t.Skipped[0].SubjectId);
        Assert.AreEqual(3, t.Skipped[0].Line);
        Assert.AreEqual(Path.Combine(dir.Path, "s2/anat/s2_T1w.nii.gz"), t.Skipped[0].Path);
        Assert.AreEqual("image file not found", t.Skipped[0].Reason);

        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, args) =>
        {
            lock (messages)
            {
                messages.Add(args.Message);
            }
        };
        IDataView view = StudyTable.Load(ml, table, pathTemplate: T1Template, options: options);
        Assert.AreEqual(2L, view.GetRowCount());
        Assert.IsTrue(messages.Any(m => m.Contains("skipped 1 subjects") && m.Contains("s2 (line 3)")), string.Join("\n", messages));
    }

    [TestMethod]
    public void EmptyPathCellCountsAsMissing()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.csv", "sid,file\ns1,\ns2,b.nii\n");
        DataFiles.Touch(dir, "b.nii");
        var e = Fails(() => StudyTable.Read(table, pathColumn: "file"), "t.csv", "s1 (line 2): no image path given");
        CollectionAssert.AreEqual(new[] { "s1" }, e.SubjectIds.ToArray());
    }

    [TestMethod]
    public void BrokenSymbolicLinkCountsAsMissing()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.csv", "sid,file\ns1,a.nii\n");
        File.CreateSymbolicLink(dir.File("a.nii"), dir.File(".git/annex/objects/gone"));
        Fails(() => StudyTable.Read(table, pathColumn: "file"), "t.csv", "broken symbolic link");
    }

    [TestMethod]
    public void NoImageAtAllEvenWhenSkipping()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\ns1\n");
        var e = Fails(() => StudyTable.Read(table, pathTemplate: T1Template, options: new() { MissingFiles = MissingFilePolicy.Skip }), "t.tsv", "no subject has an image");
        CollectionAssert.AreEqual(new[] { "s1" }, e.SubjectIds.ToArray());
    }

    [TestMethod]
    public void DuplicateSubjectIdsAreNamedWithTheirLines()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tage\ns1\t1\ns2\t2\ns1\t3\ns3\t4\ns2\t5\n");
        var e = Fails(() => StudyTable.Read(table, pathTemplate: T1Template), "t.tsv", "duplicate subject ids", "s1 (lines 2, 4)", "s2 (lines 3, 6)");
        CollectionAssert.AreEqual(new[] { "s1", "s2" }, e.SubjectIds.ToArray());
    }

    [TestMethod]
    public void WrongNumberOfFieldsNamesTheLine()
    {
        using var dir = TestPaths.Scratch();
        string tsv = DataFiles.Text(dir, "t.tsv", "sid\tage\tgroup\ns1\t1\tA\n\ns2\t2\n");
        var e = Fails(() => StudyTable.Read(tsv, pathTemplate: T1Template), "t.tsv", "line 4", "2 fields", "3 columns");
        Assert.AreEqual(4, e.Line, "the blank line 3 counts");

        // A quoted line break does not throw the count off: the bad record starts on line 4.
        string csv = DataFiles.Text(dir, "t.csv", "sid,note\ns1,\"a\nb\"\ns2,x,extra\n");
        e = Fails(() => StudyTable.Read(csv, pathTemplate: T1Template), "t.csv", "line 4", "3 fields");
        Assert.AreEqual(4, e.Line);
    }

    [TestMethod]
    public void BadQuotingNamesTheLine()
    {
        using var dir = TestPaths.Scratch();
        Assert.AreEqual(3, Fails(() => StudyTable.Read(DataFiles.Text(dir, "a.csv", "sid,x\ns1,1\ns2,\"open\n\n"), pathTemplate: T1Template),
            "a.csv", "never closed").Line);
        Assert.AreEqual(2, Fails(() => StudyTable.Read(DataFiles.Text(dir, "b.csv", "sid,x\ns1,ab\"c\n"), pathTemplate: T1Template),
            "b.csv", "double quote inside unquoted field 2").Line);
        Assert.AreEqual(2, Fails(() => StudyTable.Read(DataFiles.Text(dir, "c.csv", "sid,x\ns1,\"ab\"c\n"), pathTemplate: T1Template),
            "c.csv", "after the closing double quote").Line);
    }

    [TestMethod]
    public void HeaderProblems()
    {
        using var dir = TestPaths.Scratch();
        Fails(() => StudyTable.Read(DataFiles.Text(dir, "a.tsv", "sid\t\tage\n"), pathTemplate: T1Template), "a.tsv", "line 1", "column 2 of the header has no name");
        Fails(() => StudyTable.Read(DataFiles.Text(dir, "b.tsv", "sid\tage\t age \n"), pathTemplate: T1Template), "b.tsv", "line 1", "'age' appears twice (columns 2 and 3)");
        Fails(() => StudyTable.Read(DataFiles.Text(dir, "c.csv", "sid,\"a\nb\"\n"), pathTemplate: T1Template), "c.csv", "control character");
        Fails(() => StudyTable.Read(DataFiles.Text(dir, "d.tsv", ""), pathTemplate: T1Template), "d.tsv", "the file is empty");
        Fails(() => StudyTable.Read(DataFiles.Text(dir, "e.tsv", "sid\tage\n"), pathTemplate: T1Template), "e.tsv", "header but no rows");
    }

    [TestMethod]
    public void SubjectColumnIsFoundOrNamed()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "subject\tage\ns1\t1\n");
        Fails(() => StudyTable.Read(table, pathTemplate: T1Template), "t.tsv", "no subject column", "'subject', 'age'");
        Images(dir, "s1");
        StudyTable t = StudyTable.Read(table, pathTemplate: T1Template, options: new() { SubjectColumn = "subject" });
        Assert.AreEqual("subject", t.SubjectColumn);
        Assert.AreEqual(Path.Combine(dir.Path, "s1/anat/s1_T1w.nii.gz"), t.Paths[0], "{sid} is the subject id whatever its column");
        Fails(() => StudyTable.Read(table, pathTemplate: T1Template, options: new() { SubjectColumn = "id" }), "t.tsv", "no subject column 'id'");
    }

    [TestMethod]
    public void EmptySubjectIdNamesTheLine()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tage\ns1\t1\n \t2\n");
        Assert.AreEqual(3, Fails(() => StudyTable.Read(table, pathTemplate: T1Template), "t.tsv", "empty subject id").Line);
    }

    [TestMethod]
    public void FileProblems()
    {
        using var dir = TestPaths.Scratch();
        Fails(() => StudyTable.Read(dir.File("nope.tsv"), pathTemplate: T1Template), "nope.tsv", "file not found");
        Fails(() => StudyTable.Read(DataFiles.Text(dir, "t.txt", "sid\ns1\n"), pathTemplate: T1Template), "t.txt", "must be .csv or .tsv");
        string latin1 = dir.File("latin1.tsv");
        File.WriteAllBytes(latin1, [.. "sid\tort\ns1\tGr"u8, 0xFC, .. "nau\n"u8]);
        Fails(() => StudyTable.Read(latin1, pathTemplate: T1Template), "latin1.tsv", "not valid UTF-8");
    }

    [TestMethod]
    public void PathsPointAtReadableImages()
    {
        using var dir = TestPaths.Scratch();
        string table = DataFiles.Text(dir, "t.tsv", "sid\tage\ns1\t1\n");
        DataFiles.Nifti(dir, "s1/anat/s1_T1w.nii.gz", value: 7);
        StudyTable t = StudyTable.Read(table, pathTemplate: T1Template);
        var image = MriImage.Load(t.Paths[0]);
        CollectionAssert.AreEqual(Enumerable.Repeat(7f, 8).ToArray(), image.GetFloatData());
    }
}
