using System.Globalization;
using System.Text;
using Microsoft.ML;
using Xai4Mri.ML.NetworkData;
using static TorchSharp.torch;

namespace Xai4Mri.ML.Models;

/// <summary>
/// A network with everything transfer learning needs around it: its architecture, weights, input shape, the input
/// conventions it expects, the task it predicts and where it came from. Saved as one file of our own
/// (<see cref="Save"/>/<see cref="Load"/>).
/// </summary>
public sealed class MriNetModel : IDisposable
{
    /// <summary>Wraps a network with its metadata.</summary>
    public MriNetModel(NetworkModule network, ModelTask task, InputConventions? conventions = null, string? provenance = null)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Task = task ?? throw new ArgumentNullException(nameof(task));
        Conventions = conventions ?? new InputConventions();
        Provenance = provenance ?? "";
    }

    /// <summary>The TorchSharp network.</summary>
    public NetworkModule Network { get; }

    /// <summary>The architecture.</summary>
    public NetworkSpec Spec => Network.Spec;

    /// <summary>Input shape (D, H, W).</summary>
    public int[] InputShape => Spec.InputShape[1..];

    /// <summary>What the model predicts.</summary>
    public ModelTask Task { get; }

    /// <summary>How inputs must be prepared.</summary>
    public InputConventions Conventions { get; }

    /// <summary>Where the weights came from (file, importer, training).</summary>
    public string Provenance { get; internal set; }

    /// <summary>
    /// The learning rate the model was prepared for (xai4mri's <c>adapt_model</c> compiles the adapted model with
    /// one); trainers use it when their options leave the rate unset. Null when not set.
    /// </summary>
    public double? LearningRate { get; init; }

    /// <summary>
    /// Mean and standard deviation of the penultimate layer's features over the data the network was trained on
    /// (set by the trainers and by <see cref="RecordSourceStatistics"/>; saved with the model). The transfer analysis
    /// measures domain shift against them. Null when unknown, e.g. for imported models.
    /// </summary>
    public FeatureStatistics? SourceStatistics { get; internal set; }

    /// <summary>
    /// Computes <see cref="SourceStatistics"/> from the images of <paramref name="data"/> (conformed to this model's
    /// input), e.g. the cohort an imported model was pretrained on, so that later analyses can measure domain shift.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The image column is missing or does not fit the network.</exception>
    public void RecordSourceStatistics(IDataView data, string imageColumnName = "Image", string? description = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        NetworkInput.Check(data.Schema, imageColumnName, InputShape, nameof(data));
        int layer = Spec.PenultimateIndex;
        if (layer < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(data), "the network has no head, so no penultimate layer to describe");
        }
        var features = FrozenFeatures.Compute(Network, data, imageColumnName, null, layer, 8, CPU).Features;
        if (features.Length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(data), $"no rows in '{imageColumnName}' to compute source statistics from");
        }
        SourceStatistics = FeatureStatistics.Of(layer, Spec.Layers[layer].Name, features, $"{description ?? "images given to RecordSourceStatistics"} ({features.Length} images)");
    }

    /// <summary>A new MRInet for a task, with reproducible initial weights (regression head bias = target mean).</summary>
    public static MriNetModel CreateMriNet(int[] inputShape, ModelTask task, long seed = 0, bool leakyRelu = false, bool batchNorm = false, InputConventions? conventions = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        var spec = Architectures.MriNet(inputShape, task.ClassNames.Count, leakyRelu, batchNorm);
        var network = new NetworkModule(spec, seed);
        if (!task.IsClassification && task.TargetMean is { } mean)
        {
            SetHeadBias(network, mean);
        }
        return new MriNetModel(network, task, conventions, $"new MRInet (seed {seed})");
    }

    /// <summary>
    /// A Keras-like summary: each layer's name, type, output shape and parameter count, with totals of trainable
    /// and frozen parameters.
    /// </summary>
    public string Summary()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Model: {Spec.Architecture} — input {string.Join('x', Spec.InputShape)} (C, D, H, W)");
        sb.AppendLine(c, $"{"Layer (type)",-44} {"Output shape",-22} {"Param #",12}  trainable");
        sb.AppendLine(new string('─', 92));
        var shapes = Spec.Shapes();
        long trainable = 0, frozen = 0;
        for (int i = 0; i < Spec.Layers.Count; i++)
        {
            var layer = Spec.Layers[i];
            var parameters = Network.Layer(i).parameters().ToList();
            long count = parameters.Sum(p => p.numel());
            bool train = parameters.Count == 0 || parameters.All(p => p.requires_grad);
            trainable += parameters.Where(p => p.requires_grad).Sum(p => p.numel());
            frozen += parameters.Where(p => !p.requires_grad).Sum(p => p.numel());
            string name = $"{layer.Name} ({layer.Kind})";
            sb.AppendLine(c, $"{name,-44} {"(N, " + string.Join(", ", shapes[i]) + ")",-22} {count,12:N0}  {(parameters.Count == 0 ? "" : train ? "yes" : "frozen")}");
        }
        sb.AppendLine(new string('─', 92));
        sb.AppendLine(c, $"Total params: {trainable + frozen:N0}   trainable: {trainable:N0}   frozen: {frozen:N0}");
        sb.AppendLine(c, $"Task: {(Task.IsClassification ? "classification (" + string.Join(", ", Task.ClassNames) + ")" : "regression" + (Task.TargetMean is { } m ? $" (target mean {m:G4})" : ""))}");
        return sb.ToString();
    }

    /// <summary>
    /// Writes the model as one file: a zip with <c>model.json</c> (architecture, task, conventions, provenance, tensor
    /// index, SHA-256 of the weights) and <c>weights.bin</c> (raw little-endian tensors). Written atomically.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path) => ModelFile.Save(this, path);

    /// <summary>
    /// Reads any supported model file, recognised by its content: our own format (<see cref="Save"/>), a Keras .h5
    /// as xai4mri publishes them, an ONNX graph we exported, an ML.NET model .zip with a fitted network (as
    /// <see cref="FromModelZip"/>), or a PyTorch state dict (which holds weights only, so
    /// <paramref name="pytorchArchitecture"/> must describe the network, e.g. <see cref="Architectures.Sfcn"/>).
    /// Imported models get the task their head implies (softmax/log-softmax: classes; otherwise regression) and
    /// xai4mri's input conventions (LIA, brain-extracted, 0–255).
    /// </summary>
    /// <exception cref="ModelFormatException">The file is missing, of an unknown kind, corrupt, or does not fit.</exception>
    public static MriNetModel Load(string path, NetworkSpec? pytorchArchitecture = null) => ModelFile.Load(path, pytorchArchitecture);

    /// <summary>
    /// The network inside an ML.NET model .zip saved with <c>ml.Model.Save</c> from a pipeline that contains a fitted
    /// network (AdaptHead, MriNetTransfer): its weights, task, input conventions and provenance, ready to be the
    /// pretrained model of the next transfer. With several networks in the pipeline, the last one.
    /// </summary>
    /// <exception cref="ModelFormatException">The file cannot be read, is not a zip, or holds no network of ours.</exception>
    public static MriNetModel FromModelZip(string path) => ModelFile.FromModelZip(path);

    /// <summary>The same network with another task description (the caller gives up the old object).</summary>
    internal MriNetModel WithTask(ModelTask task) => new(Network, task, Conventions, Provenance) { LearningRate = LearningRate, SourceStatistics = SourceStatistics };

    /// <summary>Sets the bias of the head (the last Dense or Conv layer) to <paramref name="value"/>.</summary>
    internal static void SetHeadBias(NetworkModule network, double value)
    {
        int head = network.Spec.HeadIndex;
        var bias = head < 0 ? null : network.Layer(head).parameters().Skip(1).FirstOrDefault();
        if (bias is null)
        {
            return;
        }
        using (no_grad())
        {
            bias.fill_(value);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Network.Dispose();
}
