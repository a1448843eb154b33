using Microsoft.ML;

namespace Xai4Mri.ML.Study;

/// <summary>The rows of a data view divided by <see cref="SubjectSplit.Apply"/>: lazily filtered views of the same source.</summary>
public sealed class SubjectSplitViews
{
    internal SubjectSplitViews(IDataView train, IDataView validation, IDataView test)
    {
        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>Rows of the training subjects.</summary>
    public IDataView Train { get; }

    /// <summary>Rows of the validation subjects.</summary>
    public IDataView Validation { get; }

    /// <summary>Rows of the test subjects.</summary>
    public IDataView Test { get; }
}
