using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Study;

namespace Xai4Mri.ML.Tests.Study;

/// <summary><see cref="InMemoryDataView"/> behaves as ML.NET expects: cursors, getters and real catalog operations.</summary>
[TestClass]
public sealed class InMemoryDataViewTests
{
    private sealed class Subject
    {
        public string sid { get; set; } = "";

        public float Age { get; set; }

        public float Score { get; set; }
    }

    private sealed class Concatenated
    {
        public string sid { get; set; } = "";

        [VectorType(2)]
        public float[] Features { get; set; } = [];
    }

    private static InMemoryDataView Cohort(int n = 10) => new([
        InMemoryColumn.Text("sid", Enumerable.Range(1, n).Select(i => $"sub-{i:D2}").ToArray()),
        InMemoryColumn.Create("Age", NumberDataViewType.Single, Enumerable.Range(1, n).Select(i => 20f + i).ToArray()),
        InMemoryColumn.Create("Score", NumberDataViewType.Single, Enumerable.Range(1, n).Select(i => i / 10f).ToArray()),
    ]);

    [TestMethod]
    public void SchemaRowCountAndShuffleFlag()
    {
        var view = Cohort();
        Assert.AreEqual(10L, view.GetRowCount());
        Assert.IsFalse(view.CanShuffle);
        CollectionAssert.AreEqual(new[] { "sid", "Age", "Score" }, view.Schema.Select(c => c.Name).ToArray());
        Assert.AreEqual(TextDataViewType.Instance, view.Schema["sid"].Type);
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["Age"].Type);
    }

    [TestMethod]
    public void CreateEnumerableOverTypedClass()
    {
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.CreateEnumerable<Subject>(Cohort(), reuseRowObject: false).ToList();
        Assert.HasCount(10, rows);
        Assert.AreEqual("sub-03", rows[2].sid);
        Assert.AreEqual(23f, rows[2].Age);
        Assert.AreEqual(0.3f, rows[2].Score);
    }

    [TestMethod]
    public void FilterRowsByColumn()
    {
        var ml = new MLContext(seed: 1);
        var kept = ml.Data.FilterRowsByColumn(Cohort(), "Age", lowerBound: 25, upperBound: 28);
        var ids = ml.Data.CreateEnumerable<Subject>(kept, reuseRowObject: false).Select(s => s.sid).ToArray();
        CollectionAssert.AreEqual(new[] { "sub-05", "sub-06", "sub-07" }, ids);
    }

    [TestMethod]
    public void TrainTestSplitPartitionsTheRows()
    {
        var ml = new MLContext(seed: 1);
        var split = ml.Data.TrainTestSplit(Cohort(100), testFraction: 0.2, seed: 3);
        var train = DataFiles.TextColumn(split.TrainSet, "sid");
        var test = DataFiles.TextColumn(split.TestSet, "sid");
        Assert.AreEqual(100, train.Length + test.Length);
        Assert.IsEmpty(train.Intersect(test));
        Assert.IsTrue(test.Length is > 5 and < 40, $"test has {test.Length} rows");
    }

    [TestMethod]
    public void ConcatenateFitTransformAndPreview()
    {
        var ml = new MLContext(seed: 1);
        var view = Cohort();
        var model = ml.Transforms.Concatenate("Features", "Age", "Score").Fit(view);
        var transformed = model.Transform(view);
        var rows = ml.Data.CreateEnumerable<Concatenated>(transformed, reuseRowObject: false).ToList();
        CollectionAssert.AreEqual(new[] { 21f, 0.1f }, rows[0].Features);
        CollectionAssert.AreEqual(new[] { 30f, 1f }, rows[9].Features);

        var preview = transformed.Preview(maxRows: 3);
        Assert.HasCount(3, preview.RowView);
        Assert.AreEqual("sub-02", preview.ColumnView[0].Values[1].ToString());
        Assert.AreEqual(22f, preview.RowView[1].Values.First(kv => kv.Key == "Age").Value);
    }

    [TestMethod]
    public void ShuffleRowsAndCacheWork()
    {
        var ml = new MLContext(seed: 1);
        var shuffled = ml.Data.ShuffleRows(Cohort(50), seed: 2);
        var ids = DataFiles.TextColumn(shuffled, "sid");
        CollectionAssert.AreEquivalent(Enumerable.Range(1, 50).Select(i => $"sub-{i:D2}").ToArray(), ids);
        CollectionAssert.AreNotEqual(Enumerable.Range(1, 50).Select(i => $"sub-{i:D2}").ToArray(), ids);
        var cached = ml.Data.Cache(Cohort());
        CollectionAssert.AreEqual(DataFiles.SingleColumn(Cohort(), "Age"), DataFiles.SingleColumn(cached, "Age"));
    }

    [TestMethod]
    public void CursorPositionsIdsAndActiveColumns()
    {
        var view = Cohort(3);
        using var cursor = view.GetRowCursor([view.Schema["Age"]]);
        Assert.IsTrue(cursor.IsColumnActive(view.Schema["Age"]));
        Assert.IsFalse(cursor.IsColumnActive(view.Schema["sid"]));
        Assert.AreEqual(-1L, cursor.Position);
        var idGetter = cursor.GetIdGetter();
        var ids = new HashSet<DataViewRowId>();
        DataViewRowId id = default;
        while (cursor.MoveNext())
        {
            idGetter(ref id);
            ids.Add(id);
        }
        Assert.HasCount(3, ids);
        Assert.AreEqual(-1L, cursor.Position);
        Assert.IsFalse(cursor.MoveNext());
    }

    [TestMethod]
    public void GettersAreValidated()
    {
        var view = Cohort(2);
        using var cursor = view.GetRowCursor([view.Schema["Age"]]);
        var age = cursor.GetGetter<float>(view.Schema["Age"]);
        float value = 0;
        Assert.ThrowsExactly<InvalidOperationException>(() => age(ref value));                       // before MoveNext
        Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<double>(view.Schema["Age"]));  // wrong type
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["sid"]));
        StringAssert.Contains(e.Message, "not requested");
        var other = new InMemoryDataView([InMemoryColumn.Text("a", ["x"]), InMemoryColumn.Text("b", ["y"]), InMemoryColumn.Text("c", ["z"]), InMemoryColumn.Text("d", ["w"])]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => cursor.GetGetter<float>(other.Schema["d"]));   // not this schema
        Assert.IsTrue(cursor.MoveNext());
        age(ref value);
        Assert.AreEqual(21f, value);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => view.GetRowCursor([other.Schema["d"]]));
    }

    [TestMethod]
    public void ConstructionIsValidated()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new InMemoryDataView([InMemoryColumn.Text("a", ["x"]), InMemoryColumn.Text("a", ["y"])]));
        Assert.ThrowsExactly<ArgumentException>(() => new InMemoryDataView([InMemoryColumn.Text("a", ["x"]), InMemoryColumn.Text("b", ["y", "z"])]));
        Assert.ThrowsExactly<ArgumentException>(() => InMemoryColumn.Create("a", NumberDataViewType.Double, new float[1]));
        Assert.ThrowsExactly<ArgumentException>(() => InMemoryColumn.Create("v", new VectorDataViewType(NumberDataViewType.Single, 2), new VBuffer<float>[1]));
        Assert.AreEqual(0L, new InMemoryDataView([]).GetRowCount());
    }

    [TestMethod]
    public void CursorSetIsOneCursor()
    {
        var view = Cohort(4);
        var set = view.GetRowCursorSet([view.Schema["sid"]], 4);
        Assert.HasCount(1, set);
        int rows = 0;
        while (set[0].MoveNext())
        {
            rows++;
        }
        Assert.AreEqual(4, rows);
        set[0].Dispose();
    }
}
