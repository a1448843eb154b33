namespace Xai4Mri.ML.Training;

/// <summary><c>Count</c> inputs (images, or a layer's activations) back to back and their targets (values, or 0-based class indices).</summary>
internal sealed record TrainingBatch(float[] Inputs, float[] Targets, int Count);
