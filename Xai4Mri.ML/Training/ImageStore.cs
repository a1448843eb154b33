using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.Win32.SafeHandles;
using Xai4Mri.ML.NetworkData;

namespace Xai4Mri.ML.Training;

/// <summary>
/// The training images, read from the data view once and then served by row number in any order: in memory when
/// they fit the budget, otherwise in a temporary file (deleted on dispose) read with positioned reads, so that
/// shuffled epochs never go back through the pipeline and decode again.
/// </summary>
internal sealed class ImageStore : IDisposable
{
    private readonly float[][]? _memory;
    private readonly SafeFileHandle? _file;
    private readonly string? _path;

    private ImageStore(int voxels, float[] targets, string[] subjects, float[][]? memory, SafeFileHandle? file, string? path)
    {
        Voxels = voxels;
        Targets = targets;
        Subjects = subjects;
        _memory = memory;
        _file = file;
        _path = path;
    }

    public int Voxels { get; }

    public int Count => Targets.Length;

    /// <summary>Target of each row (regression value or 0-based class index).</summary>
    public float[] Targets { get; }

    /// <summary>Subject of each row (the row number when there is no subject column).</summary>
    public string[] Subjects { get; }

    /// <summary>True when the images live in a temporary file.</summary>
    public bool OnDisk => _file is not null;

    /// <summary>Reads every labelled row of <paramref name="data"/>; rows whose label is missing are skipped.</summary>
    public static ImageStore Read(IDataView data, string imageColumn, LabelColumn label, string? subjectColumn, int voxels, long memoryBudgetBytes, string temporaryFolder, Action? checkAlive)
    {
        var columns = new List<DataViewSchema.Column> { data.Schema[imageColumn], data.Schema[label.Name] };
        if (subjectColumn is not null)
        {
            columns.Add(data.Schema[subjectColumn]);
        }
        long? rowCount = data.GetRowCount();
        bool toDisk = rowCount is { } n && n * voxels * 4L > memoryBudgetBytes;
        var memory = toDisk ? null : new List<float[]>();
        SafeFileHandle? file = null;
        string? path = null;
        if (toDisk)
        {
            Directory.CreateDirectory(temporaryFolder);
            path = Path.Combine(temporaryFolder, $"xai4mri-images-{Guid.NewGuid():N}.f32");
            file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
        }
        var targets = new List<float>();
        var subjects = new List<string>();
        try
        {
            using var cursor = data.GetRowCursor(columns);
            var getImage = cursor.GetGetter<VBuffer<float>>(data.Schema[imageColumn]);
            var getTarget = label.Reader(cursor);
            var getSubject = subjectColumn is null ? null : SubjectReader(cursor, data.Schema[subjectColumn]);
            VBuffer<float> image = default;
            var buffer = new float[voxels];
            while (cursor.MoveNext())
            {
                checkAlive?.Invoke();
                float target = getTarget();
                if (float.IsNaN(target))
                {
                    continue;
                }
                getImage(ref image);
                if (image.Length != voxels)
                {
                    throw new InvalidOperationException($"image column '{imageColumn}' row {cursor.Position} has {image.Length} values, the network expects {voxels}");
                }
                image.CopyTo(buffer);
                if (file is not null)
                {
                    RandomAccess.Write(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(buffer.AsSpan()), (long)targets.Count * voxels * 4);
                }
                else
                {
                    memory!.Add((float[])buffer.Clone());
                }
                targets.Add(target);
                subjects.Add(getSubject?.Invoke() ?? cursor.Position.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch
        {
            file?.Dispose();
            throw;
        }
        return new ImageStore(voxels, [.. targets], [.. subjects], memory?.ToArray(), file, path);
    }

    /// <summary>Copies image <paramref name="row"/> into <paramref name="destination"/> (thread-safe).</summary>
    public void CopyTo(int row, Span<float> destination)
    {
        if (_memory is not null)
        {
            _memory[row].CopyTo(destination);
            return;
        }
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination[..Voxels]);
        int read = RandomAccess.Read(_file!, bytes, (long)row * Voxels * 4);
        if (read != bytes.Length)
        {
            throw new IOException($"temporary image store {_path}: short read of row {row}");
        }
    }

    private static Func<string> SubjectReader(DataViewRow row, DataViewSchema.Column column)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        return column.Type switch
        {
            TextDataViewType => Read<ReadOnlyMemory<char>>(row, column, v => v.ToString()),
            NumberDataViewType n when n == NumberDataViewType.Int32 => Read<int>(row, column, v => v.ToString(c)),
            NumberDataViewType n when n == NumberDataViewType.Int64 => Read<long>(row, column, v => v.ToString(c)),
            NumberDataViewType n when n == NumberDataViewType.UInt32 => Read<uint>(row, column, v => v.ToString(c)),
            NumberDataViewType n when n == NumberDataViewType.Single => Read<float>(row, column, v => v.ToString("R", c)),
            NumberDataViewType n when n == NumberDataViewType.Double => Read<double>(row, column, v => v.ToString("R", c)),
            _ => throw new ArgumentOutOfRangeException(nameof(column), $"subject column '{column.Name}' is {column.Type}; use a text or integer column"),
        };
    }

    private static Func<string> Read<T>(DataViewRow row, DataViewSchema.Column column, Func<T, string> format)
    {
        var get = row.GetGetter<T>(column);
        return () => { T v = default!; get(ref v); return format(v); };
    }

    public void Dispose() => _file?.Dispose();
}
