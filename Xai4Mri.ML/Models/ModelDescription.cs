using System.Text.Json;

namespace Xai4Mri.ML.Models;

/// <summary>
/// What an ONNX graph alone cannot say about a model — task, input conventions, provenance, learning rate — carried
/// as JSON in the graph's metadata so that a network recovered from a saved ML.NET model is complete again.
/// </summary>
internal sealed record ModelDescription(ModelTask Task, InputConventions Conventions, string Provenance, double? LearningRate, FeatureStatistics? SourceStatistics = null)
{
    public static ModelDescription Of(MriNetModel model) => new(model.Task, model.Conventions, model.Provenance, model.LearningRate, model.SourceStatistics);

    public string ToJson() => JsonSerializer.Serialize(this);

    public static ModelDescription? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelDescription>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
