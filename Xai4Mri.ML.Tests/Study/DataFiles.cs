using System.Text;
using Microsoft.ML;
using Xai4Mri.ML.Nifti;

namespace Xai4Mri.ML.Tests.Study;

/// <summary>Writes small tables, placeholder images and BIDS trees into scratch folders.</summary>
internal static class DataFiles
{
    /// <summary>Writes <paramref name="content"/> (UTF-8, optionally with BOM) at a path relative to the folder, creating folders.</summary>
    public static string Text(ScratchFolder dir, string relative, string content, bool bom = false)
    {
        string path = Prepare(dir, relative);
        File.WriteAllText(path, content, new UTF8Encoding(bom));
        return path;
    }

    /// <summary>An empty placeholder file, for tests where only existence matters.</summary>
    public static string Touch(ScratchFolder dir, string relative)
    {
        string path = Prepare(dir, relative);
        File.WriteAllBytes(path, []);
        return path;
    }

    /// <summary>A real 2×2×2 NIfTI file holding <paramref name="value"/> everywhere.</summary>
    public static string Nifti(ScratchFolder dir, string relative, float value = 1)
    {
        string path = Prepare(dir, relative);
        NiftiWriter.Write<float>(path, Enumerable.Repeat(value, 8).ToArray(), [2, 2, 2], Affine.FromLinearAndTranslation([1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0]));
        return path;
    }

    /// <summary>Placeholder images for BIDS-style relative paths such as <c>sub-01/anat/sub-01_T1w.nii.gz</c>.</summary>
    public static void Touch(ScratchFolder dir, params string[] relatives)
    {
        foreach (string relative in relatives)
        {
            Touch(dir, relative);
        }
    }

    /// <summary>Every value of a text column, read through an ML.NET cursor.</summary>
    public static string[] TextColumn(IDataView view, string name)
    {
        DataViewSchema.Column column = view.Schema[name];
        var values = new List<string>();
        using DataViewRowCursor cursor = view.GetRowCursor([column]);
        ValueGetter<ReadOnlyMemory<char>> getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(value.ToString());
        }
        return values.ToArray();
    }

    /// <summary>Every value of a Single column, read through an ML.NET cursor.</summary>
    public static float[] SingleColumn(IDataView view, string name)
    {
        DataViewSchema.Column column = view.Schema[name];
        var values = new List<float>();
        using DataViewRowCursor cursor = view.GetRowCursor([column]);
        ValueGetter<float> getter = cursor.GetGetter<float>(column);
        float value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(value);
        }
        return values.ToArray();
    }

    private static string Prepare(ScratchFolder dir, string relative)
    {
        string path = Path.Combine(dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
