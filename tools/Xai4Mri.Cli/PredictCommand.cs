using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML;
using Xai4Mri.ML.Loading;
using Xai4Mri.ML.Models;
using Xai4Mri.ML.Nifti;
using Xai4Mri.ML.Study;

namespace Xai4Mri.Cli;

/// <summary><c>xai4mri predict --model M.zip FILE...|--data TABLE|BIDS</c>: apply a saved ML.NET model to images, one TSV row per image.</summary>
internal static class PredictCommand
{
    /// <summary>Vectors up to this length are printed value by value; longer ones as shape and checksum.</summary>
    private const int MaxPrintedValues = 32;

    private sealed class FileRow
    {
        public string Path { get; set; } = "";
    }

    public static Command Create(CliIo io)
    {
        var model = new Option<string>("--model") { Description = "A model .zip saved with ml.Model.Save (its pipeline starts with LoadNifti on column Path), e.g. from xai4mri train", Required = true, HelpName = "MODEL.zip" };
        var output = new Option<string?>("--out") { Description = "Write the TSV here (default: standard output)", HelpName = "FILE" };
        var data = new Option<string?>("--data") { Description = "Instead of FILEs: a participants.tsv (images found with --path-template) or a BIDS root (default: none)", HelpName = "TABLE|BIDS" };
        var template = new Option<string?>("--path-template") { Description = $"With a --data table: image path per row, relative to its folder (default {StudyInput.DefaultTemplate})", HelpName = "TEMPLATE" };
        var suffix = new Option<string>("--suffix") { Description = "With a --data BIDS root: the image suffix", DefaultValueFactory = _ => "T1w", HelpName = "SUFFIX" };
        var files = new Argument<string[]>("files") { Description = "Image files (.nii, .nii.gz, .hdr/.img, .mgh, .mgz)", Arity = ArgumentArity.ZeroOrMore, HelpName = "FILE" };
        var command = new Command("predict", "Apply a saved model to image files or a study and print one TSV row per image") { model, output, data, template, suffix, files };
        command.Validators.Add(result =>
        {
            bool hasFiles = result.GetValue(files) is { Length: > 0 }, hasData = result.GetValue(data) is not null;
            if (hasFiles == hasData)
            {
                result.AddError(hasFiles ? "give image files or --data, not both" : "give image files or --data TABLE|BIDS");
            }
        });
        command.SetAction(result => CliApp.Guard("predict", io.Err, () =>
            Run(io, result.GetRequiredValue(model), result.GetValue(output), result.GetValue(files) ?? [], result.GetValue(data), result.GetValue(template), result.GetValue(suffix)!),
            "no table was written"));
        return command;
    }

    private static int Run(CliIo io, string modelPath, string? outputPath, string[] files, string? data, string? template, string suffix)
    {
        var ml = new MLContext(seed: 0);
        ITransformer model;
        try
        {
            model = ModelZip.Load(ml, modelPath, out _);
        }
        catch (ModelFormatException e)
        {
            io.Err.WriteLine($"xai4mri predict: {e.Message}");
            return CliApp.ExitBadInput;
        }
        int withoutImage = 0;
        IDataView input = data is null
            ? ml.Data.LoadFromEnumerable(files.Select(f => new FileRow { Path = Path.GetFullPath(f) }))
            : LoadStudy(ml, data, template, suffix, io.Err, out withoutImage);
        var skipped = Unscorable(ml, modelPath, input, io.Err);
        if (skipped.Count > 0)
        {
            input = ml.Data.FilterByCustomPredicate<FileRow>(input, row => skipped.Contains(row.Path));
        }
        int count = (int)CountRows(input);
        int notScored = skipped.Count + withoutImage;
        if (count == 0 && notScored > 0)
        {
            // Each image is named above; an empty table would only hide that nothing was scored.
            return CliApp.ExitBadInput;
        }
        string table;
        using (var cancel = new CancellationTokenSource())
        using (var bar = io.Progress("predict", count, "images"))
        using (io.OnCancel("predict", cancel.Cancel))
        {
            table = Tabulate(model.Transform(input), input.Schema, (done, path) =>
            {
                cancel.Token.ThrowIfCancellationRequested();
                bar.Report(done, Path.GetFileName(path));
            });
        }
        if (outputPath is null)
        {
            io.Out.Write(table);
        }
        else
        {
            File.WriteAllText(outputPath, table);
        }
        if (notScored > 0)
        {
            io.Err.WriteLine($"xai4mri predict: {notScored} of {notScored + count} images were not scored (each named above); the table holds the others");
            return CliApp.ExitBadInput;
        }
        return CliApp.ExitOk;
    }

    /// <summary>
    /// The rows of a study table or BIDS root; a subject whose image file is missing (or is a directory, or a broken
    /// link) is named on stderr as not scored, instead of failing the whole table.
    /// </summary>
    private static IDataView LoadStudy(MLContext ml, string data, string? template, string suffix, TextWriter stderr, out int withoutImage)
    {
        IReadOnlyList<SkippedSubject> missing;
        IDataView rows;
        if (Directory.Exists(data))
        {
            var bids = BidsDataset.Read(data, suffix, new BidsDatasetOptions { MissingFiles = MissingFilePolicy.Skip });
            (missing, rows) = (bids.Skipped, bids.ToDataView(ml));
        }
        else
        {
            var table = StudyTable.Read(data, template ?? StudyInput.DefaultTemplate, options: new StudyTableOptions { MissingFiles = MissingFilePolicy.Skip });
            (missing, rows) = (table.Skipped, table.ToDataView(ml));
        }
        foreach (var subject in missing)
        {
            stderr.WriteLine($"xai4mri predict: {subject.Path}: subject {subject.SubjectId}: {subject.Reason}; not scored");
        }
        withoutImage = missing.Count;
        return rows;
    }

    /// <summary>
    /// The images the model cannot score, each named on stderr with its problem: a file the model's loader cannot read
    /// (one bad file then costs its own row, not the whole table), or one that would load as background (all zero, or
    /// no brain found), which would get a confident score computed from nothing. Checked through the loader's cache, so
    /// that the prediction then reads each image from there. A model without a LoadNifti of ours is not checked.
    /// </summary>
    private static HashSet<string> Unscorable(MLContext ml, string modelPath, IDataView input, TextWriter stderr)
    {
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        NiftiLoaderSettings settings;
        try
        {
            settings = SavedLoaderSettings.FromModelZip(modelPath);
        }
        catch (ModelFormatException)
        {
            return skipped;
        }
        var loader = ml.Transforms.LoadNifti("Image", DatasetColumnNames.Path, settings).Fit(input);
        using var cursor = input.GetRowCursor([input.Schema[DatasetColumnNames.Path]]);
        var getPath = cursor.GetGetter<ReadOnlyMemory<char>>(input.Schema[DatasetColumnNames.Path]);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getPath(ref value);
            string path = value.ToString();
            string? problem;
            try
            {
                problem = loader.Problem(path);
            }
            catch (ImageFormatException e)
            {
                problem = e.Message;
            }
            catch (ArgumentException)
            {
                problem = "no image path given";
            }
            if (problem is not null && skipped.Add(path))
            {
                stderr.WriteLine($"xai4mri predict: {(problem.StartsWith(path, StringComparison.Ordinal) ? problem : $"{path}: {problem}")}; not scored");
            }
        }
        return skipped;
    }

    private static long CountRows(IDataView view)
    {
        long n = 0;
        using var cursor = view.GetRowCursor([]);
        while (cursor.MoveNext())
        {
            n++;
        }
        return n;
    }

    /// <summary>Id columns of a study (participant, session, run), Path, then every column the model added, one line per row.</summary>
    /// <param name="output">The model's output.</param>
    /// <param name="inputSchema">The model's input: its columns are left out, except the ids and Path.</param>
    /// <param name="rowDone">Called after each row with the rows done so far and the row's path (progress, cancellation).</param>
    internal static string Tabulate(IDataView output, DataViewSchema inputSchema, Action<int, string>? rowDone = null)
    {
        string[] ids = [DatasetColumnNames.ParticipantId, DatasetColumnNames.Sid, DatasetColumnNames.Session, DatasetColumnNames.Run];
        var columns = ids.Select(id => output.Schema.GetColumnOrNull(id)).OfType<DataViewSchema.Column>().Where(c => !c.IsHidden && c.Type is TextDataViewType)
            .Concat(output.Schema.Where(c => !c.IsHidden && (c.Name == DatasetColumnNames.Path || inputSchema.GetColumnOrNull(c.Name) is null)))
            .ToList();
        var writer = new StringWriter { NewLine = "\n" };
        writer.WriteLine(string.Join('\t', columns.Select(c => c.Name)));
        using var cursor = output.GetRowCursor(columns);
        var readers = columns.Select(c => Reader(cursor, c)).ToList();
        int pathIndex = columns.FindIndex(c => c.Name == DatasetColumnNames.Path);
        Func<string> path = pathIndex >= 0 ? readers[pathIndex] : () => "";
        int done = 0;
        while (cursor.MoveNext())
        {
            writer.WriteLine(string.Join('\t', readers.Select(r => r())));
            rowDone?.Invoke(++done, path());
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
