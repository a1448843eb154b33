using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Models;

namespace Xai4Mri.ML.Loading;

/// <summary>
/// The loader settings inside a saved model .zip (what <c>xai4mri train</c> writes): a pipeline that starts with
/// LoadNifti carries them in its saved chain, so files can be conformed, and maps placed back, exactly as in training.
/// </summary>
public static class SavedLoaderSettings
{
    private sealed class PathRow
    {
        public string Path { get; set; } = "";
    }

    /// <summary>The settings of the first LoadNifti in the model .zip at <paramref name="path"/>.</summary>
    /// <exception cref="ModelFormatException">The file cannot be read as an ML.NET model, or its pipeline has no LoadNifti of ours.</exception>
    public static NiftiLoaderSettings FromModelZip(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var ml = new MLContext();
        var model = ModelZip.Load(ml, path, out var inputSchema);
        return Find(ml, model, inputSchema, path);
    }

    /// <summary>
    /// The settings of the first LoadNifti in a model already loaded with <c>ml.Model.Load</c> — orientation, voxel
    /// size, target shape, box, intensity scaling as fitted — read-only, to conform other data as the model expects.
    /// </summary>
    /// <param name="model">The loaded model (or any fitted chain that starts with LoadNifti).</param>
    /// <param name="inputSchema">The input schema <c>ml.Model.Load</c> gave with it.</param>
    /// <exception cref="ArgumentException">The pipeline has no LoadNifti of ours.</exception>
    public static NiftiLoaderSettings FromModel(ITransformer model, DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        try
        {
            return Find(new MLContext(), model, inputSchema, "the model");
        }
        catch (ModelFormatException e)
        {
            // A model in memory is an argument, not a file: the problem without a file name.
            throw new ArgumentException(e.Problem, nameof(model), e);
        }
    }

    private static NiftiLoaderSettings Find(MLContext ml, ITransformer model, DataViewSchema inputSchema, string path)
    {
        // A fitted pipeline that was never saved still holds the transformer itself.
        if (Flatten(model).OfType<NiftiLoaderTransformer>().FirstOrDefault() is { } fitted)
        {
            return fitted.Settings;
        }
        var steps = Flatten(model).ToList();
        // The saved loader copies its path column, then adds the settings as a constant text column: run the steps on
        // one row of each text input column until that column appears (no file is read: nothing asks for the image).
        foreach (var candidate in inputSchema.Where(c => c.Type is TextDataViewType))
        {
            var definition = SchemaDefinition.Create(typeof(PathRow));
            definition[nameof(PathRow.Path)].ColumnName = candidate.Name;
            IDataView view = ml.Data.LoadFromEnumerable(new[] { new PathRow { Path = "" } }, definition);
            foreach (var step in steps)
            {
                if (view.Schema.GetColumnOrNull(LoaderMappingInput.ConfigColumn) is { Type: TextDataViewType } config)
                {
                    return Read(view, config, path);
                }
                try
                {
                    view = step.Transform(view);
                }
                catch (ArgumentOutOfRangeException)
                {
                    // The step needs a column this candidate row does not have: not the loader's input column.
                    break;
                }
                catch (InvalidOperationException)
                {
                    break;
                }
            }
        }
        throw new ModelFormatException(path, "the model .zip has no LoadNifti step of Xai4Mri.ML (its pipeline must start with ml.Transforms.LoadNifti, as xai4mri train's does)");
    }

    private static NiftiLoaderSettings Read(IDataView view, DataViewSchema.Column config, string path)
    {
        using var cursor = view.GetRowCursor([config]);
        var get = cursor.GetGetter<ReadOnlyMemory<char>>(config);
        ReadOnlyMemory<char> text = default;
        if (!cursor.MoveNext())
        {
            throw new ModelFormatException(path, "the saved loader gave no settings");
        }
        get(ref text);
        try
        {
            return NiftiLoaderSettings.FromJson(Encoding.UTF8.GetString(Convert.FromBase64String(text.ToString())));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or ArgumentException)
        {
            throw new ModelFormatException(path, $"the saved loader's settings cannot be read ({e.Message})", e);
        }
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer) => transformer is IEnumerable<ITransformer> chain
        ? chain.SelectMany(Flatten)
        : [transformer];
}
