using Microsoft.ML;
using Microsoft.ML.Data;

namespace Xai4Mri.ML.Tests.Transfer;

/// <summary>Tiny in-memory cohorts for the transfer tests: 16³ volumes whose bright cube grows with "age".</summary>
internal static class TransferData
{
    public static readonly int[] Shape = [16, 16, 16];

    public const int Voxels = 16 * 16 * 16;

    public sealed class Row
    {
        public string participant_id { get; set; } = "";

        public float[] Image { get; set; } = [];

        public float Age { get; set; }

        public bool Patient { get; set; }

        public string Group { get; set; } = "";
    }

    /// <summary>A subject's image file and age.</summary>
    public sealed class FileRow
    {
        public string Path { get; set; } = "";

        public float Age { get; set; }
    }

    /// <summary>A scored file.</summary>
    public sealed class Scored
    {
        public string Path { get; set; } = "";

        public float Score { get; set; }
    }

    /// <summary>
    /// <paramref name="n"/> tiny phantom files (sub-0 … in <paramref name="folder"/>) whose brain size grows with age
    /// (size = <paramref name="smallest"/> + <paramref name="step"/> · s, age = 20 + 5 s).
    /// </summary>
    public static List<FileRow> Files(ScratchFolder folder, int n, double smallest, double step) =>
        [.. Enumerable.Range(0, n).Select(s => new FileRow
        {
            Path = Volumes.TinyPhantoms.Write(folder.File($"sub-{s}.nii.gz"), smallest + (step * s), "RAS", seed: s),
            Age = 20 + (5 * s),
        })];

    public static List<Row> Rows(int n = 20, int seed = 7)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            var image = new float[Voxels];
            int half = 2 + (i % 6);
            for (int z = 8 - half; z < 8 + half; z++)
            {
                for (int y = 8 - half; y < 8 + half; y++)
                {
                    for (int x = 8 - half; x < 8 + half; x++)
                    {
                        image[(((z * 16) + y) * 16) + x] = 100 + (float)(random.NextDouble() * 20);
                    }
                }
            }
            float age = 30 + (8 * (i % 6)) + (float)random.NextDouble();
            return new Row
            {
                participant_id = $"sub-{i:00}",
                Image = image,
                Age = age,
                Patient = i % 6 >= 3,
                Group = (i % 6 / 2) switch { 0 => "young", 1 => "middle", _ => "old" },
            };
        }).ToList();
    }

    public static IDataView Load(MLContext ml, IEnumerable<Row> rows)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Image)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Shape);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>The rows with a key column "Label" made from Group (young, middle, old).</summary>
    public static IDataView WithGroupKey(MLContext ml, IEnumerable<Row> rows)
    {
        var data = Load(ml, rows);
        return ml.Transforms.Conversion.MapValueToKey("Label", "Group").Fit(data).Transform(data);
    }
}
