using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.Cli;

/// <summary><c>xai4mri predict --model M.zip FILE...</c>: apply a saved ML.NET model to image files, one TSV row per file.</summary>
internal static class PredictCommand
{
    /// <summary>Vectors up to this length are printed value by value; longer ones as shape and checksum.</summary>
    private const int MaxPrintedValues = 32;

    private sealed class FileRow
    {
        public string Path { get; set; } = "";
    }

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Option<string>("--model") { Description = "A model .zip saved with ml.Model.Save (its pipeline starts with LoadNifti on column Path)", Required = true };
        var output = new Option<string?>("--out") { Description = "Write the TSV here instead of standard output" };
        var files = new Argument<string[]>("files") { Description = "Image files (.nii, .nii.gz, .hdr/.img, .mgh, .mgz)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("predict", "Apply a saved model to image files and print one TSV row per file") { model, output, files };
        command.SetAction(result => Run(result.GetRequiredValue(model), result.GetValue(output), result.GetRequiredValue(files), stdout, stderr));
        return command;
    }

    private static int Run(string modelPath, string? outputPath, string[] files, TextWriter stdout, TextWriter stderr)
    {
        var ml = new MLContext(seed: 0);
        ITransformer model;
        try
        {
            using var stream = File.OpenRead(modelPath);
            model = ml.Model.Load(stream, out _);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            stderr.WriteLine($"xai4mri predict: {modelPath}: cannot load the model ({e.Message.Split('\n')[0]})");
            return CliApp.ExitBadInput;
        }
        var input = ml.Data.LoadFromEnumerable(files.Select(f => new FileRow { Path = Path.GetFullPath(f) }));
        try
        {
            string table = Tabulate(model.Transform(input), input.Schema);
            if (outputPath is null)
            {
                stdout.Write(table);
            }
            else
            {
                File.WriteAllText(outputPath, table);
            }
        }
        catch (NiftiFormatException e)
        {
            stderr.WriteLine($"xai4mri predict: {e.Message}");
            return CliApp.ExitBadInput;
        }
        return CliApp.ExitOk;
    }

    /// <summary>Path plus every column the model added, one line per row.</summary>
    internal static string Tabulate(IDataView output, DataViewSchema inputSchema)
    {
        var columns = output.Schema.Where(c => !c.IsHidden && (c.Name == "Path" || inputSchema.GetColumnOrNull(c.Name) is null)).ToList();
        var writer = new StringWriter { NewLine = "\n" };
        writer.WriteLine(string.Join('\t', columns.Select(c => c.Name)));
        using var cursor = output.GetRowCursor(columns);
        var readers = columns.Select(c => Reader(cursor, c)).ToList();
        while (cursor.MoveNext())
        {
            writer.WriteLine(string.Join('\t', readers.Select(r => r())));
        }
        return writer.ToString();
    }

    private static Func<string> Reader(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        var inv = CultureInfo.InvariantCulture;
        switch (column.Type)
        {
            case TextDataViewType:
            {
                var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                return () => { ReadOnlyMemory<char> v = default; get(ref v); return v.ToString(); };
            }
            case NumberDataViewType n when n == NumberDataViewType.Single:
            {
                var get = cursor.GetGetter<float>(column);
                return () => { float v = 0; get(ref v); return v.ToString("R", inv); };
            }
            case BooleanDataViewType:
            {
                var get = cursor.GetGetter<bool>(column);
                return () => { bool v = false; get(ref v); return v ? "true" : "false"; };
            }
            case KeyDataViewType:
            {
                var get = cursor.GetGetter<uint>(column);
                return () => { uint v = 0; get(ref v); return v.ToString(inv); };
            }
            case VectorDataViewType vector when vector.ItemType == NumberDataViewType.Single:
            {
                var get = cursor.GetGetter<VBuffer<float>>(column);
                string dims = string.Join('x', vector.Dimensions.ToArray());
                return () =>
                {
                    VBuffer<float> v = default;
                    get(ref v);
                    float[] values = v.DenseValues().ToArray();
                    return values.Length <= MaxPrintedValues
                        ? string.Join(',', values.Select(x => x.ToString("R", inv)))
                        : $"[{dims}] sha256={Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())))}";
                };
            }
            default:
                return () => $"<{column.Type}>";
        }
    }
}
