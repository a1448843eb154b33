using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.Cli;

/// <summary><c>xai4mri info FILE [--json]</c>: header, geometry and intensity summary of an MRI file.</summary>
internal static class InfoCommand
{
    public static Command Create(CliIo io)
    {
        var file = new Argument<string>("file") { Description = "A .nii, .nii.gz, .hdr/.img, .mgh or .mgz file", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (shape, zooms, affine, axcodes, datatype, min, max, mean, sum, nan_count) instead of text (default: text)" };
        var command = new Command("info", "Show what an MRI file holds (like nib-ls / fslinfo)") { file, json };
        command.SetAction(result => Run(result.GetRequiredValue(file), result.GetValue(json), io.Out, io.Err));
        return command;
    }

    private static int Run(string path, bool json, TextWriter stdout, TextWriter stderr)
    {
        MriImage image;
        VoxelStatistics stats;
        try
        {
            image = MriImage.Load(path);
            stats = image.Data.ComputeStatistics();
        }
        catch (ImageFormatException e)
        {
            stderr.WriteLine($"xai4mri info: {e.Message}");
            return CliApp.ExitBadInput;
        }
        stdout.Write(json ? ToJson(image, stats) : ToText(image, stats));
        return CliApp.ExitOk;
    }

    /// <summary>One JSON object; non-finite statistics (no finite voxel) are written as null.</summary>
    internal static string ToJson(MriImage image, VoxelStatistics stats)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("file", image.FilePath);
            w.WriteString("format", image.Format.ToString());
            w.WriteBoolean("compressed", image.IsCompressed);
            w.WriteStartArray("shape");
            foreach (long d in image.Shape)
            {
                w.WriteNumberValue(d);
            }
            w.WriteEndArray();
            w.WriteStartArray("zooms");
            foreach (double z in image.Zooms)
            {
                WriteNumber(w, z);
            }
            w.WriteEndArray();
            w.WriteStartArray("affine");
            foreach (double[] row in image.Affine.ToRows())
            {
                w.WriteStartArray();
                foreach (double v in row)
                {
                    WriteNumber(w, v);
                }
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteString("axcodes", image.AxisCodes);
            w.WriteString("datatype", image.DataType.NumpyName());
            w.WritePropertyName("min");
            WriteNumber(w, stats.Min);
            w.WritePropertyName("max");
            WriteNumber(w, stats.Max);
            w.WritePropertyName("mean");
            WriteNumber(w, stats.Mean);
            w.WritePropertyName("sum");
            WriteNumber(w, stats.Sum);
            w.WriteNumber("nan_count", stats.NanCount);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    private static void WriteNumber(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumberValue(v);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    private static string ToText(MriImage image, VoxelStatistics stats)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        string format = image.Format switch
        {
            ImageFormat.Nifti1 => "NIfTI-1",
            ImageFormat.Nifti2 => "NIfTI-2",
            ImageFormat.Nifti1Pair => "NIfTI-1 pair (.hdr/.img)",
            ImageFormat.Nifti2Pair => "NIfTI-2 pair (.hdr/.img)",
            _ => "FreeSurfer MGH",
        };
        var data = image.Data;
        string scaling = data.Scaling is { } s ? string.Create(c, $", scaled: slope {s.Slope:G6}, intercept {s.Intercept:G6}") : "";
        sb.AppendLine(c, $"file      {image.FilePath}");
        sb.AppendLine(c, $"format    {format}{(image.IsCompressed ? ", gzip" : "")}, {(data.IsBigEndian ? "big" : "little")}-endian");
        sb.AppendLine(c, $"datatype  {image.DataType.NumpyName()}{scaling}");
        sb.AppendLine(c, $"shape     {string.Join(" x ", image.Shape)}");
        sb.AppendLine(c, $"zooms     {string.Join(" x ", image.Zooms.Select(z => z.ToString("0.####", c)))}");
        sb.AppendLine(c, $"axcodes   {image.AxisCodes}");
        if (image.NiftiHeader is { } h)
        {
            sb.AppendLine(c, $"xforms    qform_code {h.QformCode}, sform_code {h.SformCode} (affine from {(h.SformCode != 0 ? "sform" : h.QformCode != 0 ? "qform" : "pixdim")})");
            if (h.Description.Length > 0)
            {
                sb.AppendLine(c, $"descrip   {h.Description}");
            }
        }
        string[] rows = image.Affine.ToString().Split(Environment.NewLine);
        for (int i = 0; i < rows.Length; i++)
        {
            sb.AppendLine(c, $"{(i == 0 ? "affine" : ""),-9} {rows[i]}");
        }
        sb.AppendLine(c, $"values    min {stats.Min:G6}, max {stats.Max:G6}, mean {stats.Mean:G6}, sum {stats.Sum:G10}, NaN {stats.NanCount}");
        return sb.ToString();
    }
}
