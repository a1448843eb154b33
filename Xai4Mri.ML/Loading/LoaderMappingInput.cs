using Microsoft.ML.Data;

namespace Xai4Mri.ML.Loading;

/// <summary>Input row of the saved form of LoadNifti: a file path and the loader's parameters (JSON, base64).</summary>
internal sealed class LoaderMappingInput
{
    /// <summary>Column name of the path copy the saved chain feeds in.</summary>
    public const string PathColumn = "__xai4mri_path";

    /// <summary>Column name of the constant parameters column.</summary>
    public const string ConfigColumn = "__xai4mri_loader";

    /// <summary>The file to load.</summary>
    [ColumnName(PathColumn)]
    public string Path { get; set; } = "";

    /// <summary><see cref="NiftiLoaderSettings"/> as base64-encoded JSON.</summary>
    [ColumnName(ConfigColumn)]
    public string Parameters { get; set; } = "";
}
