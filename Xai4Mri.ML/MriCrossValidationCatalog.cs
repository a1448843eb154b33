using Microsoft.ML;
using Microsoft.ML.Data;
using Xai4Mri.ML.Study;

namespace Xai4Mri.ML;

/// <summary>
/// Xai4Mri.ML's entry points on <c>ml.Regression</c>, <c>ml.BinaryClassification</c> and <c>ml.MulticlassClassification</c>:
/// <c>CrossValidateBySubject</c>, ML.NET's own cross-validation over folds of whole subjects, even in size and optionally stratified.
/// </summary>
/// <remarks>
/// Each method returns what ML.NET's <c>CrossValidate</c> returns (per fold: metrics, model, scored hold-out set,
/// fold number), computed by it: the folds reach it as a sampling-key column of fold indexes, named
/// <see cref="FoldColumnName"/> (with a number appended when the data has such a column), which the hold-out sets
/// keep. Before training, the split ML.NET makes from that column is checked to be exactly <see cref="SubjectFolds"/>.
/// </remarks>
public static class MriCrossValidationCatalog
{
    /// <summary>The name of the fold-index column handed to ML.NET as the sampling key.</summary>
    public const string FoldColumnName = "SubjectFold";

    /// <summary>Cross-validates a regression pipeline over k folds of whole subjects, optionally stratified by quantile bins of the label.</summary>
    /// <param name="catalog">The regression catalog.</param>
    /// <param name="data">Rows with a text subject column (sessions and runs of a subject stay together).</param>
    /// <param name="estimator">The whole pipeline, loader included, so that each fold fits it on its training subjects only.</param>
    /// <param name="numberOfFolds">Number of folds, at least 2 and at most the number of subjects.</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="subjectColumnName">The subject-id column; null for <c>sid</c>, else <c>participant_id</c>.</param>
    /// <param name="stratified">Stratify the folds by label quartile.</param>
    /// <param name="seed">Seed of the deal (<see cref="SubjectFolds"/>).</param>
    /// <exception cref="ArgumentException">Fewer subjects than folds, or a column is missing or of an unsupported type.</exception>
    public static IReadOnlyList<TrainCatalogBase.CrossValidationResult<RegressionMetrics>> CrossValidateBySubject(this RegressionCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", string? subjectColumnName = null,
        bool stratified = false, int seed = 0) =>
        CrossValidateBySubject(catalog, data, estimator, Folds(data, numberOfFolds, labelColumnName, subjectColumnName, stratified, seed, byValue: false), labelColumnName, subjectColumnName);

    /// <summary>Cross-validates a regression pipeline over the given folds of subjects.</summary>
    /// <param name="catalog">The regression catalog.</param>
    /// <param name="data">Rows with a text subject column; every subject must be in a fold.</param>
    /// <param name="estimator">The whole pipeline.</param>
    /// <param name="folds">The folds (from <see cref="SubjectFolds.Create(IDataView, SubjectFoldsOptions?)"/> or chosen by hand).</param>
    /// <param name="labelColumnName">The label column.</param>
    /// <param name="subjectColumnName">The subject-id column; null for <c>sid</c>, else <c>participant_id</c>.</param>
    /// <exception cref="DatasetException">Subjects in the data are in no fold, or a fold has none in the data.</exception>
    public static IReadOnlyList<TrainCatalogBase.CrossValidationResult<RegressionMetrics>> CrossValidateBySubject(this RegressionCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, SubjectFolds folds, string labelColumnName = "Label", string? subjectColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(estimator);
        (IDataView keyed, string key) = Keyed(data, folds, subjectColumnName);
        return catalog.CrossValidate(keyed, estimator, folds.Count, labelColumnName, key);
    }

    /// <summary>Cross-validates a calibrated binary classifier over k folds of whole subjects, optionally stratified by label.</summary>
    /// <param name="catalog">The binary classification catalog.</param>
    /// <param name="data">Rows with a text subject column (sessions and runs of a subject stay together).</param>
    /// <param name="estimator">The whole pipeline, loader included.</param>
    /// <param name="numberOfFolds">Number of folds, at least 2 and at most the number of subjects.</param>
    /// <param name="labelColumnName">The label column (Boolean).</param>
    /// <param name="subjectColumnName">The subject-id column; null for <c>sid</c>, else <c>participant_id</c>.</param>
    /// <param name="stratified">Stratify the folds by label, so that each has about the same share of positives.</param>
    /// <param name="seed">Seed of the deal (<see cref="SubjectFolds"/>).</param>
    /// <exception cref="ArgumentException">Fewer subjects than folds, or a column is missing or of an unsupported type.</exception>
    public static IReadOnlyList<TrainCatalogBase.CrossValidationResult<CalibratedBinaryClassificationMetrics>> CrossValidateBySubject(this BinaryClassificationCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", string? subjectColumnName = null,
        bool stratified = false, int seed = 0) =>
        CrossValidateBySubject(catalog, data, estimator, Folds(data, numberOfFolds, labelColumnName, subjectColumnName, stratified, seed, byValue: true), labelColumnName, subjectColumnName);

    /// <summary>Cross-validates a calibrated binary classifier over the given folds of subjects.</summary>
    /// <param name="catalog">The binary classification catalog.</param>
    /// <param name="data">Rows with a text subject column; every subject must be in a fold.</param>
    /// <param name="estimator">The whole pipeline.</param>
    /// <param name="folds">The folds.</param>
    /// <param name="labelColumnName">The label column (Boolean).</param>
    /// <param name="subjectColumnName">The subject-id column; null for <c>sid</c>, else <c>participant_id</c>.</param>
    /// <exception cref="DatasetException">Subjects in the data are in no fold, or a fold has none in the data.</exception>
    public static IReadOnlyList<TrainCatalogBase.CrossValidationResult<CalibratedBinaryClassificationMetrics>> CrossValidateBySubject(this BinaryClassificationCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, SubjectFolds folds, string labelColumnName = "Label", string? subjectColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(estimator);
        (IDataView keyed, string key) = Keyed(data, folds, subjectColumnName);
        return catalog.CrossValidate(keyed, estimator, folds.Count, labelColumnName, key);
    }

    /// <summary>Cross-validates a binary classifier without a probability column over k folds of whole subjects (ML.NET's <c>CrossValidateNonCalibrated</c>).</summary>
    /// <param name="catalog">The binary classification catalog.</param>
    /// <param name="data">Rows with a text subject column (sessions and runs of a subject stay together).</param>
    /// <param name="estimator">The whole pipeline, loader included.</param>
    /// <param name="numberOfFolds">Number of folds, at least 2 and at most the number of subjects.</param>
    /// <param name="labelColumnName">The label column (Boolean).</param>
    /// <param name="subjectColumnName">The subject-id column; null for <c>sid</c>, else <c>participant_id</c>.</param>
    /// <param name="stratified">Stratify the folds by label.</param>
    /// <param name="seed">Seed of the deal (<see cref="SubjectFolds"/>).</param>
    /// <exception cref="ArgumentException">Fewer subjects than folds, or a column is missing or of an unsupported type.</exception>
    public static IReadOnlyList<TrainCatalogBase.CrossValidationResult<BinaryClassificationMetrics>> CrossValidateNonCalibratedBySubject(this BinaryClassificationCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", string? subjectColumnName = null,
        bool stratified = false, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(estimator);
        SubjectFolds folds = Folds(data, numberOfFolds, labelColumnName, subjectColumnName, stratified, seed, byValue: true);
        (IDataView keyed, string key) = Keyed(data, folds, subjectColumnName);
        return catalog.CrossValidateNonCalibrated(keyed, estimator, folds.Count, labelColumnName, key);
    }

    /// <summary>Cross-validates a multiclass classifier over k folds of whole subjects, optionally stratified by class.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="data">Rows with a text subject column (sessions and runs of a subject stay together).</param>
    /// <param name="estimator">The whole pipeline, loader (and label mapping) included.</param>
    /// <param name="numberOfFolds">Number of folds, at least 2 and at most the number of subjects.</param>
    /// <param name="labelColumnName">The label column the pipeline's trainer reads.</param>
    /// <param name="subjectColumnName">The subject-id column; null for <c>sid</c>, else <c>participant_id</c>.</param>
    /// <param name="stratifyBy">
    /// The column to stratify by, by value (a text, Boolean or number column of the data: the raw class column, before
    /// the pipeline maps it to a key); null for none.
    /// </param>
    /// <param name="seed">Seed of the deal (<see cref="SubjectFolds"/>).</param>
    /// <exception cref="ArgumentException">Fewer subjects than folds, or a column is missing or of an unsupported type.</exception>
    public static IReadOnlyList<TrainCatalogBase.CrossValidationResult<MulticlassClassificationMetrics>> CrossValidateBySubject(this MulticlassClassificationCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, int numberOfFolds = 5, string labelColumnName = "Label", string? subjectColumnName = null,
        string? stratifyBy = null, int seed = 0) =>
        CrossValidateBySubject(catalog, data, estimator, Folds(data, numberOfFolds, stratifyBy, subjectColumnName, stratifyBy is not null, seed, byValue: true), labelColumnName, subjectColumnName);

    /// <summary>Cross-validates a multiclass classifier over the given folds of subjects.</summary>
    /// <param name="catalog">The multiclass classification catalog.</param>
    /// <param name="data">Rows with a text subject column; every subject must be in a fold.</param>
    /// <param name="estimator">The whole pipeline.</param>
    /// <param name="folds">The folds.</param>
    /// <param name="labelColumnName">The label column the pipeline's trainer reads.</param>
    /// <param name="subjectColumnName">The subject-id column; null for <c>sid</c>, else <c>participant_id</c>.</param>
    /// <exception cref="DatasetException">Subjects in the data are in no fold, or a fold has none in the data.</exception>
    public static IReadOnlyList<TrainCatalogBase.CrossValidationResult<MulticlassClassificationMetrics>> CrossValidateBySubject(this MulticlassClassificationCatalog catalog,
        IDataView data, IEstimator<ITransformer> estimator, SubjectFolds folds, string labelColumnName = "Label", string? subjectColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(estimator);
        (IDataView keyed, string key) = Keyed(data, folds, subjectColumnName);
        return catalog.CrossValidate(keyed, estimator, folds.Count, labelColumnName, key);
    }

    private static SubjectFolds Folds(IDataView data, int numberOfFolds, string? stratifyBy, string? subjectColumnName, bool stratified, int seed, bool byValue)
    {
        ArgumentNullException.ThrowIfNull(data);
        return SubjectFolds.Create(data, new SubjectFoldsOptions
        {
            NumberOfFolds = numberOfFolds,
            Seed = seed,
            SubjectColumn = subjectColumnName,
            StratifyBy = stratified ? stratifyBy : null,
            // Classes are strata by value even when held as numbers: as many bins as there can be subjects.
            StratifyBins = byValue ? int.MaxValue : new SubjectFoldsOptions().StratifyBins,
        });
    }

    /// <summary>The data with the fold-index column, after checking that ML.NET splits by it into exactly <paramref name="folds"/>.</summary>
    private static (IDataView Keyed, string Key) Keyed(IDataView data, SubjectFolds folds, string? subjectColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(folds);
        string key = FoldColumnName;
        for (int i = 1; data.Schema.GetColumnOrNull(key) is not null; i++)
        {
            key = $"{FoldColumnName}{i}";
        }
        IDataView keyed = folds.WithFoldColumn(data, subjectColumnName, key);
        // ML.NET documents only that rows sharing a key stay together; how it maps a numeric key to folds is checked
        // here, on the fold column alone, so that a change in a later ML.NET fails loudly instead of mixing folds.
        var splits = new MLContext().Data.CrossValidationSplit(keyed, folds.Count, samplingKeyColumnName: key);
        for (int f = 0; f < folds.Count; f++)
        {
            float[] got = splits[f].TestSet.GetColumn<float>(key).Distinct().ToArray();
            if (got.Length != 1 || got[0] != f)
            {
                throw new InvalidOperationException($"ML.NET's cross-validation put folds [{string.Join(", ", got)}] of {nameof(SubjectFolds)} into its fold {f}; this version of ML.NET splits numeric sampling keys differently");
            }
        }
        return (keyed, key);
    }
}
